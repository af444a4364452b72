/**
 * The end-of-run check in the database itself (the apps stopped first, so the embedded PGlite can
 * be opened): doses booked per slot against capacity counted from the live bookings' doses (not
 * from the `booked` counters, which a CHECK keeps ≤ capacity anyway), counters that disagree with
 * the doses behind them, people with more than one live booking, and bookings against the 201s;
 * and how far the outbox relay got with the confirmations by the time the apps stopped.
 */
import { sql } from 'kysely';
import { createContext } from '../../src/bootstrap.ts';
import { loadConfig } from '../../src/config.ts';

export interface DatabaseCheck {
  /** Slots holding more live doses than their capacity. */
  oversoldSlots: number;
  /** Slots whose `booked` counter differs from the live doses in them. */
  counterDrift: number;
  /** People with more than one live booking in the campaign. */
  doubleBookings: number;
  liveBookings: number;
  cancelledBookings: number;
  /** The messages consumer's jobs by status when the apps stopped, and the events not fanned out yet. */
  messages: { sent: number; pending: number; dead: number; unrouted: number };
}

export async function checkDatabase(env: NodeJS.ProcessEnv, campaignId: string): Promise<DatabaseCheck> {
  const ctx = await createContext(loadConfig(env));
  try {
    const liveDoses = sql`SELECT d.institution_id, d.date, d.minute, count(*)::int AS live
      FROM booking_doses d JOIN bookings b ON b.id = d.booking_id
      WHERE b.campaign_id = ${campaignId} AND b.status = 'booked' GROUP BY d.institution_id, d.date, d.minute`;
    const one = async (query: ReturnType<typeof sql<{ n: number }>>) => (await query.execute(ctx.db)).rows[0]?.n ?? 0;
    return {
      oversoldSlots: await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM capacity_slots s JOIN (${liveDoses}) l
        ON l.institution_id = s.institution_id AND l.date = s.date AND l.minute = s.minute
        WHERE s.campaign_id = ${campaignId} AND l.live > s.capacity`),
      counterDrift: await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM capacity_slots s LEFT JOIN (${liveDoses}) l
        ON l.institution_id = s.institution_id AND l.date = s.date AND l.minute = s.minute
        WHERE s.campaign_id = ${campaignId} AND s.booked <> coalesce(l.live, 0)`),
      doubleBookings: await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM (SELECT person_key FROM bookings
        WHERE campaign_id = ${campaignId} AND status = 'booked' GROUP BY person_key HAVING count(*) > 1) x`),
      liveBookings: await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM bookings WHERE campaign_id = ${campaignId} AND status = 'booked'`),
      cancelledBookings: await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM bookings WHERE campaign_id = ${campaignId} AND status = 'cancelled'`),
      messages: {
        sent: await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox_jobs WHERE consumer = 'messages' AND status = 'done'`),
        pending: await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox_jobs WHERE consumer = 'messages' AND status = 'pending'`),
        dead: await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox_jobs WHERE consumer = 'messages' AND status = 'dead'`),
        unrouted: await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox`),
      },
    };
  } finally {
    await ctx.waitingRoom.store.close();
    await ctx.database.close();
  }
}
