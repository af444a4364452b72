import { api } from './api.ts';

/**
 * The server's clock, for display only (countdowns): the device's clock may be wrong or changed,
 * and it decides nothing (BRIEF §3). The offset is measured once per page, halving the round trip.
 */
let offsetMs = 0;

export async function syncServerTime(): Promise<void> {
  const sent = Date.now();
  const { now } = await api<{ now: string }>('GET', '/api/v1/time');
  const received = Date.now();
  offsetMs = new Date(now).getTime() - (sent + received) / 2;
}

/** Milliseconds since the epoch by the server's clock, as well as the page can tell. */
export function serverNow(): number {
  return Date.now() + offsetMs;
}
