/**
 * The admitted part of a citizen's night: search clinics in an area, pick a date with doses left,
 * pick a half-hour slot, book (with an Idempotency-Key, retried on failure with the same key, a
 * new slot on SOLD_OUT); some double-submit, some try a second booking from another tab (must be
 * refused), some change or cancel afterwards.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { epochMs, type Answer } from './client.ts';
import type { CitizenPlan } from './crowd-plan.ts';
import type { Journey } from './journey.ts';
import { anomaly, bounced } from './tallies.ts';

interface Choice {
  institutionId: string;
  date: string;
  time: string;
}

const MAX_SEARCHES = 4;
const MAX_RETRIES = 5;

/**
 * An admission is extended while its holder keeps using the booking path: the answer carries the
 * refreshed token (`Yeyak-Admission`), which a client must use from then on (a browser gets it as
 * a cookie). Without it an admission runs out 10 minutes after it was issued, however active.
 */
function adoptRenewal(auth: Record<string, string>, answer: Answer): Answer {
  if (answer.renewedAdmission) auth.authorization = `Bearer ${answer.renewedAdmission}`;
  return answer;
}

function pickOne<T>(plan: CitizenPlan, items: T[]): T | undefined {
  return items.length ? items[Math.floor(plan.random() * items.length)] : undefined;
}

/** Searches an area and picks a free slot, or null when nothing is left there. */
async function chooseSlot(j: Journey, plan: CitizenPlan, node: number, auth: Record<string, string>, wide = false): Promise<Choice | 'refused' | null> {
  const base = `/api/v1/campaigns/${j.settings.campaignId}`;
  const sigungu = pickOne(plan, j.settings.sigungus)!;
  const date = pickOne(plan, j.settings.dates)!;
  // Near home first; a person who found nothing there looks across the whole city.
  const area = wide ? '' : `&sigungu=${encodeURIComponent(sigungu)}`;
  const query = `sido=${encodeURIComponent('서울특별시')}${area}&date=${date}&limit=20`;
  const list = adoptRenewal(auth, await j.client.call('clinic search', node, 'GET', `${base}/institutions?${query}`, auth));
  if (list.status === 401 || list.status === 403) return 'refused';
  if (list.status !== 200) return null;
  const items = (list.body as { items: { id: string; dates: { date: string; remaining: number }[] }[] }).items.filter((i) => i.dates.some((d) => d.remaining > 0));
  const clinic = pickOne(plan, items);
  if (!clinic) return null;
  const day = pickOne(plan, clinic.dates.filter((d) => d.remaining > 0))!;
  const slots = adoptRenewal(auth, await j.client.call('slots', node, 'GET', `${base}/institutions/${encodeURIComponent(clinic.id)}/slots?from=${day.date}&to=${day.date}`, auth));
  if (slots.status === 401 || slots.status === 403) return 'refused';
  if (slots.status !== 200) return null;
  const slot = pickOne(plan, (slots.body as { date: string; time: string; remaining: number }[]).filter((s) => s.remaining > 0));
  return slot ? { institutionId: clinic.id, date: slot.date, time: slot.time } : null;
}

async function post(j: Journey, node: number, auth: Record<string, string>, key: string, choice: Choice): Promise<Answer> {
  return adoptRenewal(auth, await j.client.call('booking', node, 'POST', `/api/v1/campaigns/${j.settings.campaignId}/bookings`, { ...auth, 'idempotency-key': key }, choice));
}

/** Books once with one key: retried (same key) on 5xx/network; a double-submitter sends it twice at once. */
async function bookOnce(j: Journey, plan: CitizenPlan, node: number, auth: Record<string, string>, choice: Choice): Promise<Answer> {
  const key = randomUUID();
  let answer: Answer;
  if (plan.doubleSubmit) {
    const [a, b] = await Promise.all([post(j, node, auth, key, choice), post(j, node, auth, key, choice)]);
    const idA = (a.body as { booking?: { id?: string } } | null)?.booking?.id;
    const idB = (b.body as { booking?: { id?: string } } | null)?.booking?.id;
    if (a.status === 201 && b.status === 201 && idA !== idB) anomaly(j.record, 'one Idempotency-Key booked twice');
    answer = a.status === 201 ? a : b;
  } else answer = await post(j, node, auth, key, choice);
  for (let retry = 0; retry < MAX_RETRIES && (answer.status === 0 || answer.status >= 500); retry++) {
    await sleep(Math.min(5, answer.retryAfterSeconds ?? 1) * 1000);
    answer = await post(j, node, auth, key, choice);
  }
  return answer;
}

async function afterBooking(j: Journey, plan: CitizenPlan, node: number, auth: Record<string, string>, session: string, bookingId: string): Promise<string> {
  if (plan.secondTab) {
    const other = await chooseSlot(j, plan, node, auth);
    if (other && other !== 'refused') {
      const second = await post(j, node, auth, randomUUID(), other);
      if (second.status === 201) anomaly(j.record, 'a second booking for the same person was accepted');
    }
  }
  if (plan.change) {
    const other = await chooseSlot(j, plan, node, auth);
    if (other && other !== 'refused') {
      const changed = adoptRenewal(auth, await j.client.call('change', node, 'POST', `/api/v1/bookings/${bookingId}/change`, auth, other));
      if (changed.status === 200) {
        j.record.changed++;
        return 'booked, then changed';
      }
    }
  }
  if (plan.cancel) {
    const cancelled = await j.client.call('cancel', node, 'POST', `/api/v1/bookings/${bookingId}/cancel`, { authorization: `Bearer ${session}` });
    if (cancelled.status === 200) {
      j.record.cancelled++;
      return 'booked, then cancelled';
    }
  }
  return 'booked';
}

/** The booking journey of an admitted person; `finish` receives their outcome. */
export async function bookAsAdmitted(j: Journey, plan: CitizenPlan, node: number, admission: string, session: string, finish: (outcome: string) => void): Promise<void> {
  const auth = { authorization: `Bearer ${admission}` };
  for (let search = 0; search < MAX_SEARCHES; search++) {
    if (epochMs() >= j.settings.deadlineMs) return finish('admitted, out of time before booking');
    const choice = await chooseSlot(j, plan, node, auth, search > 0);
    if (choice === 'refused') {
      bounced(j.record, 'admission refused on the booking path');
      return finish('bounced from the booking path');
    }
    if (choice === null) continue;
    const answer = await bookOnce(j, plan, node, auth, choice);
    if (answer.status === 201) {
      j.record.booked201++;
      j.record.bookingsPerSecond.add((epochMs() - j.settings.openingMs) / 1000);
      const bookingId = (answer.body as { booking: { id: string } }).booking.id;
      return finish(await afterBooking(j, plan, node, auth, session, bookingId));
    }
    if (answer.status === 401 || answer.status === 403) {
      bounced(j.record, `booking refused ${answer.key}`);
      return finish('bounced from the booking path');
    }
    if (answer.key === '409 YEYAK_ERR_ALREADY_BOOKED') anomaly(j.record, 'first booking attempt answered ALREADY_BOOKED');
    if (answer.status !== 409) return finish(`gave up after ${answer.key}`);
  }
  finish('found nothing left (sold out)');
}
