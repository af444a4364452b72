/**
 * How far the apps' outbox relay got with the confirmations: the messages consumer's jobs made by
 * the fan-out and those sent, at one moment. Two marks around the timed run give what the relay did
 * beside the bookings, so that runs whose relay kept up are told from runs whose relay fell behind
 * (and did less work a booking).
 */
import { withClient } from '../lib/postgres.ts';

export interface RelayMark {
  fannedOut: number;
  sent: number;
}

/** The mark now, or null when it cannot be read (the report then leaves the relay's line out). */
export async function relayMark(url: string): Promise<RelayMark | null> {
  try {
    return await withClient(url, async (c) => {
      const { rows } = await c.query<{ fanned: string; sent: string }>(
        `SELECT count(*)::text AS fanned, (count(*) FILTER (WHERE status = 'done'))::text AS sent FROM outbox_jobs WHERE consumer = 'messages'`,
      );
      return { fannedOut: Number(rows[0]!.fanned), sent: Number(rows[0]!.sent) };
    });
  } catch {
    return null;
  }
}

/** What the relay did between two marks. */
export async function relayBetween(start: Promise<RelayMark | null> | undefined, end: Promise<RelayMark | null> | undefined): Promise<RelayMark | null> {
  const [a, b] = await Promise.all([start, end]);
  return a && b ? { fannedOut: b.fannedOut - a.fannedOut, sent: b.sent - a.sent } : null;
}
