import { lang } from './i18n.ts';

/** Everything is shown in Seoul time, whatever the device's own time zone. */
const ZONE = 'Asia/Seoul';

function locale(): string {
  return lang() === 'en' ? 'en-GB' : 'ko-KR';
}

/** `2026-08-09T20:00:00+09:00` → "8월 9일 (일) 20:00" / "Sun 9 August, 20:00" (24-hour: midnight is 00:00, never "12:00 AM"). */
export function formatInstant(iso: string): string {
  return new Intl.DateTimeFormat(locale(), { timeZone: ZONE, month: 'long', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

/** A Seoul calendar date `2026-08-12` → "8월 12일 (수)" / "Wed 12 Aug". */
export function formatDate(date: string): string {
  return new Intl.DateTimeFormat(locale(), { timeZone: ZONE, month: 'long', day: 'numeric', weekday: 'short' }).format(new Date(`${date}T12:00:00+09:00`));
}

/** Calendar arithmetic on `YYYY-MM-DD` (no time zone involved). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Seconds → "약 3분" / "about 3 min" (rounded up to a minute past a minute; never false precision). */
export function formatDuration(seconds: number): string {
  const en = lang() === 'en';
  if (seconds < 60) return en ? 'under a minute' : '1분 이내';
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return en ? `${minutes} min` : `${minutes}분`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (rest === 0) return en ? `${hours} h` : `${hours}시간`;
  return en ? `${hours} h ${rest} min` : `${hours}시간 ${rest}분`;
}

/** Numbers with thousands separators. */
export function formatCount(n: number): string {
  return new Intl.NumberFormat(locale()).format(n);
}

/** Accepts 19660819, 1966-08-19, 1966.08.19 or 1966/8/19; returns `YYYY-MM-DD` or null. */
export function normaliseBirthDate(text: string): string | null {
  const digits = text.trim().replace(/[./\s]/g, '-');
  const m = /^(\d{4})-?(\d{1,2})-?(\d{1,2})$/.exec(digits);
  if (!m) return null;
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  const iso = `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const check = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(check.getTime()) && check.toISOString().slice(0, 10) === iso ? iso : null;
}
