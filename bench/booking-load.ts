/**
 * The load process of bench/booking.ts (forked with an IPC channel, never run by hand): first,
 * outside the timed run, makes distinct people ready to book — verified through the development
 * identity provider (session), in the waiting room's queue (ticket) and admitted (admission) — then
 * books for them with their admissions over real HTTP with keep-alive connections and a fixed
 * number of requests in flight, at random clinics, dates and times. Only responses completed
 * inside the timed window count.
 */
import { Pool } from 'undici';
import { preparePeople, statusKey, tally } from './booking/prepare-people.ts';
import { mulberry32, pick } from '../src/modules/institutions/reference/prng.ts';

export interface LoadConfig {
  /** http://127.0.0.1:port of each app process (stateless nodes: any serves anyone). */
  origins: string[];
  campaignId: string;
  people: number;
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
  clinics: string[];
  dates: string[];
  times: string[];
  seed: number;
  /** Send a fresh Idempotency-Key with every booking, as a client that retries would. */
  idempotencyKeys: boolean;
}

/** One set-up step over every person: how many succeeded, how long it took, every answer by status. */
export interface StepResult {
  ok: number;
  seconds: number;
  statuses: Record<string, number>;
}

export interface PeopleResult {
  /** People ready to book: verified, in the queue and admitted. */
  created: number;
  /** The whole set-up, all three steps. */
  seconds: number;
  steps: {
    /** POST /api/v1/identity/dev → session. */
    identity: StepResult;
    /** POST /api/v1/campaigns/{id}/queue/tickets (Bearer session) → ticket. */
    ticket: StepResult;
    /** POST /api/v1/campaigns/{id}/admissions (Bearer ticket) → admission; `retries` = 425s asked again after `retryMs`. */
    admission: StepResult & { retries: number; retryMs: number };
  };
}

export interface LoadResult {
  people: PeopleResult;
  /** Length of the timed window: the configured seconds, or less when the people ran out. */
  seconds: number;
  booked: number;
  /** Requests completed inside the timed window, by status (and error code for refusals). */
  statuses: Record<string, number>;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number } | null;
  /** 201s per whole second of the timed window. */
  perSecond: number[];
  warmupBooked: number;
  /** Requests still in flight at the deadline (completed afterwards, not counted), and their 201s. */
  lateCompletions: number;
  late201: number;
  /** Seconds into the timed window at which the people ran out, or null. */
  peopleExhaustedAt: number | null;
}

export type LoadMessage =
  | { type: 'people-done'; people: PeopleResult }
  | { type: 'timed-start' }
  | { type: 'timed-end' }
  | { type: 'result'; result: LoadResult }
  | { type: 'failed'; error: string };

/** Sends to the parent; resolves once the message is handed to the channel. */
function send(message: LoadMessage): Promise<void> {
  return new Promise((resolveSend) => {
    if (!process.send) return resolveSend();
    process.send(message, undefined, {}, () => resolveSend());
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

async function book(pools: Pool[], config: LoadConfig, admissions: string[][], people: PeopleResult): Promise<LoadResult> {
  const rng = mulberry32(config.seed ^ 0x5eed);
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  const perSecond = Array.from({ length: Math.ceil(config.seconds) }, () => 0);
  let warmupBooked = 0;
  let lateCompletions = 0;
  let late201 = 0;
  // Each app's admitted people in turn (an admission is verified by any app, but its place under
  // the active cap is released in the waiting room that issued it).
  const nextPerson = admissions.map(() => 0);
  let peopleExhaustedAt: number | null = null;
  const path = `/api/v1/campaigns/${encodeURIComponent(config.campaignId)}/bookings`;

  const begin = performance.now();
  const timedStart = begin + config.warmupSeconds * 1000;
  const deadline = timedStart + config.seconds * 1000;
  let timedStarted = false;
  const startTimed = () => {
    if (!timedStarted) {
      timedStarted = true;
      void send({ type: 'timed-start' });
    }
  };
  const startTimer = setTimeout(startTimed, Math.max(0, timedStart - performance.now()));
  const endTimer = setTimeout(() => void send({ type: 'timed-end' }), Math.max(0, deadline - performance.now()));

  // Worker w always talks to app w mod N: an even split, each with its own keep-alive connections.
  const worker = async (w: number) => {
    const app = w % pools.length;
    const pool = pools[app]!;
    while (performance.now() < deadline) {
      const personIndex = nextPerson[app]!++;
      const admission = admissions[app]![personIndex];
      if (admission === undefined) {
        peopleExhaustedAt ??= Math.max(0, (performance.now() - timedStart) / 1000);
        return;
      }
      const choice = { institutionId: pick(rng, config.clinics), date: pick(rng, config.dates), time: pick(rng, config.times) };
      const sent = performance.now();
      let key: string;
      try {
        const { statusCode, body } = await pool.request({
          path,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${admission}`,
            ...(config.idempotencyKeys ? { 'idempotency-key': `bench-${config.seed}-${app}-${personIndex}` } : {}),
          },
          body: JSON.stringify(choice),
        });
        key = statusKey(statusCode, await body.text());
      } catch (error) {
        key = `network ${(error as { code?: string }).code ?? (error as Error).name}`;
      }
      const done = performance.now();
      if (done < timedStart) {
        if (key === '201') warmupBooked++;
      } else if (done <= deadline) {
        tally(statuses, key);
        latencies.push(done - sent);
        if (key === '201') {
          const second = Math.min(perSecond.length - 1, Math.floor((done - timedStart) / 1000));
          perSecond[second] = (perSecond[second] ?? 0) + 1;
        }
      } else {
        lateCompletions++;
        if (key === '201') late201++;
      }
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, (_, w) => worker(w)));
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  startTimed();
  // People ran out before the deadline: the window ends when the last request came back.
  const finished = performance.now();
  if (finished < deadline) void send({ type: 'timed-end' });
  const seconds = Math.max(0.001, (Math.min(finished, deadline) - timedStart) / 1000);

  const sorted = Float64Array.from(latencies).sort();
  const mean = latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1);
  return {
    people,
    seconds,
    booked: statuses['201'] ?? 0,
    statuses,
    latencyMs: sorted.length === 0 ? null : { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN, mean },
    perSecond: perSecond.slice(0, Math.max(1, Math.floor(seconds))),
    warmupBooked,
    lateCompletions,
    late201,
    peopleExhaustedAt,
  };
}

async function run(config: LoadConfig): Promise<void> {
  for (const origin of config.origins) {
    const { hostname } = new URL(origin);
    if (hostname !== '127.0.0.1') throw new Error(`the load generator only talks to 127.0.0.1, not ${hostname}`);
  }
  const perApp = Math.ceil(config.concurrency / config.origins.length);
  const pools = config.origins.map((origin) => new Pool(origin, { connections: perApp, pipelining: 1, keepAliveTimeout: 60_000 }));
  try {
    const { admissions, result: people } = await preparePeople(pools, config);
    await send({ type: 'people-done', people });
    const result = await book(pools, config, admissions, people);
    await send({ type: 'result', result });
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
}

process.once('message', (message: { type: 'start'; config: LoadConfig }) => {
  run(message.config)
    .catch((error: unknown) => send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }))
    .finally(() => process.disconnect?.());
});
process.on('disconnect', () => process.exit(0));
