/**
 * The load process of bench/booking.ts (forked with an IPC channel, never run by hand): verifies
 * distinct people through the development identity provider, then books for them over real HTTP
 * with keep-alive connections and a fixed number of requests in flight, at random clinics, dates
 * and times. Only responses completed inside the timed window count.
 */
import { Pool } from 'undici';
import { mulberry32, pick, randInt } from '../src/modules/institutions/reference/prng.ts';

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

export interface PeopleResult {
  created: number;
  seconds: number;
  statuses: Record<string, number>;
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

function tally(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

/** `409 YEYAK_ERR_SOLD_OUT`-style key from an error body, or just the status. */
function statusKey(status: number, text: string): string {
  if (status < 300) return String(status);
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? `${status} ${code}` : String(status);
  } catch {
    return String(status);
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

async function createPeople(pools: Pool[], config: LoadConfig): Promise<{ sessions: string[]; result: PeopleResult }> {
  const sessions: string[] = [];
  const statuses: Record<string, number> = {};
  const rng = mulberry32(config.seed);
  const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  let next = 0;
  const started = performance.now();
  const worker = async (w: number) => {
    const pool = pools[w % pools.length]!;
    while (next < config.people) {
      const i = next++;
      // Adults of every birth day, so the same people would fit a 10-day rotation too.
      const birthDate = `${randInt(rng, 1950, 1999)}-${String(randInt(rng, 1, 12)).padStart(2, '0')}-${String(randInt(rng, 1, 28)).padStart(2, '0')}`;
      const phone = `010-${String(Math.floor(i / 10_000) % 10_000).padStart(4, '0')}-${String(i % 10_000).padStart(4, '0')}`;
      const { statusCode, body } = await pool.request({
        path: '/api/v1/identity/dev',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `벤치${run}-${i}`, birthDate, phone }),
      });
      const text = await body.text();
      tally(statuses, statusKey(statusCode, text));
      if (statusCode === 201) sessions.push((JSON.parse(text) as { session: string }).session);
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, (_, w) => worker(w)));
  const seconds = (performance.now() - started) / 1000;
  return { sessions, result: { created: sessions.length, seconds, statuses } };
}

async function book(pools: Pool[], config: LoadConfig, sessions: string[], people: PeopleResult): Promise<LoadResult> {
  const rng = mulberry32(config.seed ^ 0x5eed);
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  const perSecond = Array.from({ length: Math.ceil(config.seconds) }, () => 0);
  let warmupBooked = 0;
  let lateCompletions = 0;
  let late201 = 0;
  let nextPerson = 0;
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
    const pool = pools[w % pools.length]!;
    while (performance.now() < deadline) {
      const personIndex = nextPerson++;
      const session = sessions[personIndex];
      if (session === undefined) {
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
            authorization: `Bearer ${session}`,
            ...(config.idempotencyKeys ? { 'idempotency-key': `bench-${config.seed}-${personIndex}` } : {}),
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
    const { sessions, result: people } = await createPeople(pools, config);
    await send({ type: 'people-done', people });
    const result = await book(pools, config, sessions, people);
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
