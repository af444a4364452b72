/**
 * The set-up half of bench/booking.ts's load process (bench/booking-load.ts), outside the timed
 * run: makes distinct people ready to book — a session from the development identity provider, a
 * place in the waiting room's queue, an admission — app by app, and tallies every answer by status.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'undici';
import type { LoadConfig, PeopleResult, StepResult } from '../booking-load.ts';
import { crowdAddress } from '../lib/crowd-address.ts';
import { mulberry32, randInt } from '../../src/modules/institutions/reference/prng.ts';

/** A 425 (not admitted yet) is asked again after this long: about one waiting-room refresh. */
const ADMISSION_RETRY_MS = 250;
/** A person still not admitted after this long is given up on (the bench then reports the shortfall). */
const ADMISSION_PATIENCE_MS = 60_000;

export function tally(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

/** `409 YEYAK_ERR_SOLD_OUT`-style key from an error body, or just the status. */
export function statusKey(status: number, text: string): string {
  if (status < 300) return String(status);
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? `${status} ${code}` : String(status);
  } catch {
    return String(status);
  }
}

/** One set-up answer: status, Retry-After (seconds) and body. */
interface Answer {
  status: number;
  retryAfter: number | null;
  text: string;
}

/**
 * One set-up request (outside the timed run). A 503 — the app shedding load for a moment — is
 * retried after its Retry-After (at most 5 s), for up to 30 s, as a client would.
 */
async function setupCall(pool: Pool, path: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const { statusCode, headers: answerHeaders, body: stream } = await pool.request({
      path,
      method: 'POST',
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await stream.text();
    const raw = Number(answerHeaders['retry-after']);
    const retryAfter = Number.isFinite(raw) && raw > 0 ? raw : null;
    if (statusCode !== 503 || performance.now() > deadline) return { status: statusCode, retryAfter, text };
    await sleep(Math.min(5, retryAfter ?? 1) * 1000);
  }
}

/**
 * Runs `work` over every app's list with `concurrency` workers in all; worker w serves app w mod N
 * (at least one worker per app), so each person's steps, and later their booking, go to the app
 * whose waiting room holds their place and admission.
 */
async function perApp<T>(lists: T[][], concurrency: number, work: (item: T, app: number) => Promise<void>): Promise<void> {
  const next = lists.map(() => 0);
  await Promise.all(
    Array.from({ length: Math.max(concurrency, lists.length) }, async (_, w) => {
      const app = w % lists.length;
      const list = lists[app]!;
      while (next[app]! < list.length) await work(list[next[app]!++]!, app);
    }),
  );
}

function step(ok: number, started: number, statuses: Record<string, number>): StepResult {
  return { ok, seconds: (performance.now() - started) / 1000, statuses };
}

/**
 * Makes `config.people` distinct people ready to book, outside the timed run, app by app: a session
 * from the development identity provider, a place in the queue (ticket), then an admission (425
 * until the queue reaches them: retried every `ADMISSION_RETRY_MS`). Returns each app's admissions.
 */
export async function preparePeople(pools: Pool[], config: LoadConfig): Promise<{ admissions: string[][]; result: PeopleResult }> {
  const n = pools.length;
  const rng = mulberry32(config.seed);
  const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  const campaignPath = `/api/v1/campaigns/${encodeURIComponent(config.campaignId)}`;
  const started = performance.now();

  // 1. Sessions: POST /api/v1/identity/dev, person i at app i mod N.
  const indices: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < config.people; i++) indices[i % n]!.push(i);
  const sessions: string[][] = Array.from({ length: n }, () => []);
  const identityStatuses: Record<string, number> = {};
  let t = performance.now();
  await perApp(indices, config.concurrency, async (i, app) => {
    // Adults of every birth day, so the same people would fit a 10-day rotation too.
    const birthDate = `${randInt(rng, 1950, 1999)}-${String(randInt(rng, 1, 12)).padStart(2, '0')}-${String(randInt(rng, 1, 28)).padStart(2, '0')}`;
    const phone = `010-${String(Math.floor(i / 10_000) % 10_000).padStart(4, '0')}-${String(i % 10_000).padStart(4, '0')}`;
    const answer = await setupCall(pools[app]!, '/api/v1/identity/dev', { 'x-forwarded-for': crowdAddress(i, 100 + Math.floor(i / 65_536)) }, { name: `벤치${run}-${i}`, birthDate, phone });
    tally(identityStatuses, statusKey(answer.status, answer.text));
    if (answer.status === 201) sessions[app]!.push((JSON.parse(answer.text) as { session: string }).session);
  });
  const identity = step(sessions.reduce((sum, list) => sum + list.length, 0), t, identityStatuses);

  // 2. Places in the queue: POST …/queue/tickets with the session (201 new, 200 the same place again).
  const tickets: string[][] = Array.from({ length: n }, () => []);
  const ticketStatuses: Record<string, number> = {};
  t = performance.now();
  await perApp(sessions, config.concurrency, async (session, app) => {
    const answer = await setupCall(pools[app]!, `${campaignPath}/queue/tickets`, { authorization: `Bearer ${session}` });
    tally(ticketStatuses, statusKey(answer.status, answer.text));
    if (answer.status === 200 || answer.status === 201) tickets[app]!.push((JSON.parse(answer.text) as { ticket: string }).ticket);
  });
  const ticket = step(tickets.reduce((sum, list) => sum + list.length, 0), t, ticketStatuses);

  // 3. Admissions: POST …/admissions with the ticket; 425 until the refresher's servingUpTo passes
  // the place (the queue advances every 250 ms), so wait a moment and ask again.
  const admissions: string[][] = Array.from({ length: n }, () => []);
  const admissionStatuses: Record<string, number> = {};
  let retries = 0;
  t = performance.now();
  await perApp(tickets, config.concurrency, async (ticketToken, app) => {
    const giveUpAt = performance.now() + ADMISSION_PATIENCE_MS;
    for (;;) {
      const answer = await setupCall(pools[app]!, `${campaignPath}/admissions`, { authorization: `Bearer ${ticketToken}` });
      const key = statusKey(answer.status, answer.text);
      tally(admissionStatuses, key);
      if (answer.status === 201) {
        admissions[app]!.push((JSON.parse(answer.text) as { admission: string }).admission);
        return;
      }
      if (answer.status !== 425 || performance.now() > giveUpAt) return;
      retries++;
      await sleep(ADMISSION_RETRY_MS);
    }
  });
  const admission = { ...step(admissions.reduce((sum, list) => sum + list.length, 0), t, admissionStatuses), retries, retryMs: ADMISSION_RETRY_MS };

  return {
    admissions,
    result: { created: admission.ok, seconds: (performance.now() - started) / 1000, steps: { identity, ticket, admission } },
  };
}
