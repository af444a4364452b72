import { randomUUID } from 'node:crypto';
import { StepFailure, type ProbeClient } from './client.ts';
import type { ProbeMetrics, Step } from './metrics.ts';
import { seoulDateOf, shiftDate } from './rules.ts';

export interface JourneyOptions {
  client: ProbeClient;
  metrics: ProbeMetrics;
  probeKey: string;
  /** The probe's own (synthetic) campaign. */
  campaignId: string;
  /** The synthetic person this journey signs in as. */
  label: string;
  /** Deadline of each step; the admission's wait has `admissionDeadlineMs`. */
  stepDeadlineMs: number;
  admissionDeadlineMs: number;
  /** Days ahead of Seoul's today to book (cancellation closes 2 days before an appointment). */
  daysAhead: number;
  /** Filled as the journey goes: the session once signed in (the canary reads `/me` with it even when a later step fails). */
  seen: { session: string | null };
}

export interface MeAnswer {
  person: { birthDate: string };
  eligibility: { campaignId: string; eligible: boolean; reason: string; window: { id: string } | null }[];
  bookings: { id: string; status: string; campaignId: string }[];
}

/** What a journey saw: the session and `/me` (for the canary), the booking it made and cancelled. */
export interface JourneyResult {
  session: string;
  me: MeAnswer;
  bookingCode: string;
  stepMs: Partial<Record<Step, number>>;
}

/** Times a step into the histogram (successful or not) and into the journey's own record. */
async function timed<T>(options: JourneyOptions, stepMs: Partial<Record<Step, number>>, step: Step, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    const ms = performance.now() - started;
    stepMs[step] = ms;
    options.metrics.stepSeconds.observe({ step }, ms / 1000);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One whole journey of a citizen through the public API, as a synthetic person: sign in, `GET /me`,
 * join the probe campaign's queue, wait for the admission, search clinics, list slots, book with an
 * Idempotency-Key, read the booking back, cancel it. A live booking left by an earlier journey that
 * failed half-way is cancelled first (`cleanup`). Throws a `StepFailure` at the first step that
 * fails or overruns its deadline.
 */
export async function runJourney(options: JourneyOptions): Promise<JourneyResult> {
  const { client, campaignId, stepDeadlineMs: deadlineMs } = options;
  const stepMs: Partial<Record<Step, number>> = {};
  const step = <T>(name: Step, work: () => Promise<T>) => timed(options, stepMs, name, work);

  const session = await step('sign-in', async () => {
    const answer = await client.expect<{ session: string }>('sign-in', [201], 'POST', '/api/v1/identity/probe', { credential: options.probeKey, body: { label: options.label }, deadlineMs });
    return answer.body.session;
  });
  options.seen.session = session;
  const me = await step('me', async () => (await client.expect<MeAnswer>('me', [200], 'GET', '/api/v1/me', { credential: session, deadlineMs })).body);
  const leftOver = me.bookings.filter((b) => b.campaignId === campaignId && b.status === 'booked');
  if (leftOver.length > 0) {
    await step('cleanup', async () => {
      for (const b of leftOver) await client.expect('cleanup', [200], 'POST', `/api/v1/bookings/${b.id}/cancel`, { credential: session, deadlineMs });
    });
  }
  const ticket = await step('join', async () => {
    const answer = await client.expect<{ ticket: string }>('join', [200, 201], 'POST', `/api/v1/campaigns/${campaignId}/queue/tickets`, { credential: session, deadlineMs });
    return answer.body.ticket;
  });
  const admission = await step('admission', async () => {
    const deadline = performance.now() + options.admissionDeadlineMs;
    for (;;) {
      const answer = await client.expect<{ admission: string }>('admission', [201, 425], 'POST', `/api/v1/campaigns/${campaignId}/admissions`, { credential: ticket, deadlineMs });
      if (answer.status === 201) return answer.body.admission;
      const wait = Math.min(2000, (answer.retryAfterSeconds ?? 1) * 1000);
      if (performance.now() + wait > deadline) throw new StepFailure('admission', 'not_admitted', `still waiting after ${options.admissionDeadlineMs} ms`);
      await sleep(wait);
    }
  });
  const time = await client.expect<{ now: string }>('search', [200], 'GET', '/api/v1/time', { deadlineMs });
  const date = shiftDate(seoulDateOf(Date.parse(time.body.now)), options.daysAhead);
  const clinicId = await step('search', async () => {
    const answer = await client.expect<{ items: { id: string; dates: { date: string; remaining: number }[] }[] }>('search', [200], 'GET', `/api/v1/campaigns/${campaignId}/institutions?date=${date}&limit=5`, { credential: admission, deadlineMs });
    const clinic = answer.body.items.find((i) => i.dates.some((d) => d.date === date && d.remaining > 0));
    if (!clinic) throw new StepFailure('search', 'no_capacity', `no clinic with doses on ${date}`);
    return clinic.id;
  });
  const slot = await step('slots', async () => {
    const answer = await client.expect<{ date: string; time: string; remaining: number }[]>('slots', [200], 'GET', `/api/v1/campaigns/${campaignId}/institutions/${clinicId}/slots?from=${date}&to=${date}`, { credential: admission, deadlineMs });
    const open = answer.body.filter((s) => s.remaining > 0);
    const chosen = open[Math.floor(Math.random() * open.length)];
    if (!chosen) throw new StepFailure('slots', 'no_capacity', `no slot with doses on ${date}`);
    return chosen;
  });
  const booking = await step('book', async () => {
    const body = { institutionId: clinicId, date: slot.date, time: slot.time };
    const answer = await client.expect<{ booking: { id: string; code: string } }>('book', [201], 'POST', `/api/v1/campaigns/${campaignId}/bookings`, { credential: admission, body, headers: { 'idempotency-key': randomUUID() }, deadlineMs });
    return answer.body.booking;
  });
  await step('read-back', async () => {
    const answer = await client.expect<{ id: string; status: string }[]>('read-back', [200], 'GET', '/api/v1/bookings', { credential: session, deadlineMs });
    if (!answer.body.some((b) => b.id === booking.id && b.status === 'booked')) throw new StepFailure('read-back', 'missing', `booking ${booking.code} not among the person's bookings`);
  });
  await step('cancel', async () => {
    const answer = await client.expect<{ booking: { status: string } }>('cancel', [200], 'POST', `/api/v1/bookings/${booking.id}/cancel`, { credential: session, deadlineMs });
    if (answer.body.booking.status !== 'cancelled') throw new StepFailure('cancel', 'not_cancelled', answer.body.booking.status);
  });
  return { session, me, bookingCode: booking.code, stepMs };
}
