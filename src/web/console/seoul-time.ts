/** Campaign instants are edited as Asia/Seoul wall-clock times, whatever the browser's zone. */

/** `2026-08-09T20:00:00+09:00` (as the API writes instants) → `2026-08-09T20:00` for a datetime-local input. */
export function toLocalInput(instant: string): string {
  const t = Date.parse(instant);
  if (Number.isNaN(t)) return '';
  return new Date(t + 9 * 3600_000).toISOString().slice(0, 16);
}

/** A datetime-local value, read as Seoul time → RFC 3339 with the +09:00 offset. */
export function fromLocalInput(value: string): string {
  return `${value.slice(0, 16)}:00+09:00`;
}

/** `YYYY-MM-DD` plus `days`. */
export function addDays(date: string, days: number): string {
  const parts = date.split('-').map(Number);
  return new Date(Date.UTC(parts[0]!, parts[1]! - 1, parts[2]! + days)).toISOString().slice(0, 10);
}

/** An instant shown in Seoul time, e.g. `2026-08-09 20:00`. */
export function showSeoul(instant: string): string {
  return toLocalInput(instant).replace('T', ' ');
}
