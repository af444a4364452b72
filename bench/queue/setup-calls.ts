/**
 * HTTP set-up calls of bench:queue (not measured): the operator API, identities, tickets, the
 * queue's status.
 */
import { Pool } from 'undici';
import { crowdAddress } from '../lib/crowd-address.ts';
import { ADMISSION, sleep } from './config.ts';

export interface Answer {
  status: number;
  text: string;
}

/**
 * One set-up request (not measured). A 503 — the app shedding load, as it does for a moment after
 * its start while its event loop is still catching up — is retried after its Retry-After, for up
 * to 30 s, as a client would.
 */
export async function call(pool: Pool, method: 'GET' | 'POST', path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const { statusCode, headers: answerHeaders, body: stream } = await pool.request({
      path,
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await stream.text();
    if (statusCode !== 503 || performance.now() > deadline) return { status: statusCode, text };
    const retryAfter = Number(answerHeaders['retry-after']);
    await sleep(Math.min(5, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 1) * 1000);
  }
}

/** `201` or `409 YEYAK_ERR_…` */
export function answerKey({ status, text }: Answer): string {
  if (status < 400) return String(status);
  try {
    const code = (JSON.parse(text) as { error?: { code?: string }; code?: string }).error?.code ?? (JSON.parse(text) as { code?: string }).code;
    return code ? `${status} ${code}` : String(status);
  } catch {
    return String(status);
  }
}

/** Runs `work(i)` for i in [0, count) with `concurrency` in flight. */
async function inParallel(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

export interface Sessions {
  tokens: string[];
  seconds: number;
  statuses: Record<string, number>;
}

/** Verifies `count` distinct people through the development identity provider: one session each. */
export async function createSessions(pool: Pool, count: number, firstIndex: number, runTag: string): Promise<Sessions> {
  const tokens: string[] = [];
  const statuses: Record<string, number> = {};
  const started = performance.now();
  await inParallel(count, 32, async (k) => {
    const i = firstIndex + k;
    // Adults of every birth day; name and phone make each one a different person.
    const birthDate = `${1950 + (i % 50)}-${String(1 + (Math.floor(i / 50) % 12)).padStart(2, '0')}-${String(1 + (Math.floor(i / 600) % 28)).padStart(2, '0')}`;
    const phone = `010-${String(Math.floor(i / 10_000) % 10_000).padStart(4, '0')}-${String(i % 10_000).padStart(4, '0')}`;
    const answer = await call(pool, 'POST', '/api/v1/identity/dev', { 'x-forwarded-for': crowdAddress(i, 100 + Math.floor(i / 65_536)) }, { name: `대기열${runTag}-${i}`, birthDate, phone });
    const key = answerKey(answer);
    statuses[key] = (statuses[key] ?? 0) + 1;
    if (answer.status === 201) tokens.push((JSON.parse(answer.text) as { session: string }).session);
  });
  const seconds = (performance.now() - started) / 1000;
  if (tokens.length < count) {
    throw new Error(`only ${tokens.length} of ${count} people could be verified (${JSON.stringify(statuses)})`);
  }
  return { tokens, seconds, statuses };
}

export interface Tickets {
  tickets: string[];
  maxPosition: number;
  seconds: number;
}

/** Joins (or re-joins: idempotent) the queue for each session, keeping the signed tickets. */
export async function ticketsFor(pool: Pool, campaignId: string, sessions: string[]): Promise<Tickets> {
  const tickets: string[] = [];
  const statuses: Record<string, number> = {};
  let maxPosition = 0;
  const started = performance.now();
  await inParallel(sessions.length, 32, async (i) => {
    const answer = await call(pool, 'POST', `/api/v1/campaigns/${campaignId}/queue/tickets`, { authorization: `Bearer ${sessions[i]}` });
    const key = answerKey(answer);
    statuses[key] = (statuses[key] ?? 0) + 1;
    if (answer.status === 200 || answer.status === 201) {
      const { ticket, position } = JSON.parse(answer.text) as { ticket: string; position: number | null };
      tickets.push(ticket);
      maxPosition = Math.max(maxPosition, position ?? Infinity);
    }
  });
  if (tickets.length < sessions.length) throw new Error(`only ${tickets.length} of ${sessions.length} joins gave a ticket (${JSON.stringify(statuses)})`);
  return { tickets, maxPosition, seconds: (performance.now() - started) / 1000 };
}

export interface QueueStatus {
  state: string;
  servingUpTo: number;
  issuedUpTo: number;
}

export async function queueStatus(pool: Pool, campaignId: string): Promise<{ status: QueueStatus; bytes: number }> {
  const answer = await call(pool, 'GET', `/api/v1/campaigns/${campaignId}/queue`);
  if (answer.status !== 200) throw new Error(`GET /api/v1/campaigns/${campaignId}/queue answered ${answerKey(answer)}: ${answer.text.slice(0, 300)}`);
  return { status: JSON.parse(answer.text) as QueueStatus, bytes: Buffer.byteLength(answer.text) };
}

/** Polls the status until `done` holds (every 100 ms) or fails after `timeoutMs`. */
export async function waitForStatus(pool: Pool, campaignId: string, what: string, done: (s: QueueStatus) => boolean, timeoutMs: number): Promise<QueueStatus> {
  const deadline = performance.now() + timeoutMs;
  let last: QueueStatus | null = null;
  let lastError: unknown = null;
  while (performance.now() < deadline) {
    try {
      last = (await queueStatus(pool, campaignId)).status;
      if (done(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await sleep(100);
  }
  throw new Error(`the queue did not reach "${what}" within ${timeoutMs} ms (last status ${JSON.stringify(last)}${lastError ? `, last error ${String(lastError)}` : ''})`);
}

/**
 * The bench campaign, through the operator API: an open window now, admission as fast as it goes.
 * Returns its id once its queue is open. Apps that share sessions need the same id: a session
 * seals the registry's answer for the campaigns its node knew at sign-in, by id.
 */
export async function createBenchCampaign(pool: Pool, operatorKey: string, campaignId = `qbench-${Date.now().toString(36)}`): Promise<string> {
  const now = Date.now();
  const created = await call(
    pool,
    'POST',
    '/api/v1/admin/campaigns',
    { authorization: `Bearer ${operatorKey}` },
    {
      id: campaignId,
      name: 'Waiting-room bench',
      cohort: { bornFrom: '1940-01-01', bornTo: '2005-12-31' },
      vaccine: { name: 'bench-vaccine', doses: 2, intervalDays: 21 },
      queueOpensAt: new Date(now - 2 * 3600_000).toISOString(),
      windows: [{ id: 'open', kind: 'open', opensAt: new Date(now - 3600_000).toISOString(), closesAt: new Date(now + 24 * 3600_000).toISOString(), birthDayDigits: null }],
      proxyAllowed: false,
      admission: ADMISSION,
    },
  );
  if (created.status !== 201) throw new Error(`creating the campaign answered ${answerKey(created)}: ${created.text.slice(0, 500)}`);
  await waitForStatus(pool, campaignId, 'open', (s) => s.state === 'open', 15_000);
  return campaignId;
}
