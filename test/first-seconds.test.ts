import { randomBytes } from 'node:crypto';
import { generateSignerKey } from '../src/lib/signed-note.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addDays, seoulDate } from '../src/lib/seoul-time.ts';
import { NodeProcess } from './support/cluster.ts';
import { openCampaign } from './support/fixtures.ts';
import { freePort } from './support/redis.ts';
import { createDatabase, OPERATOR_KEY } from './support/test-app.ts';

/**
 * BRIEF §4.1: below capacity a node never sheds — not while starting. A real server process on
 * its default configuration (shedding thresholds, rate limits and log level as shipped) gets a
 * light load from the instant its readiness check first answers 200, as a load balancer sends it:
 * not one answer may be a 503. On the embedded default, and on PostgreSQL + Redis when CI has them.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const LOAD_MS = 10_000;

interface Tally {
  statuses: Map<number, number>;
  unexpected: string[];
}

async function call(base: string, tally: Tally, method: string, path: string, body?: unknown, headers: Record<string, string> = {}, expected = [200, 201]) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  tally.statuses.set(res.status, (tally.statuses.get(res.status) ?? 0) + 1);
  if (!expected.includes(res.status)) tally.unexpected.push(`${method} ${path} → ${res.status} ${text.slice(0, 200)}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** The light load of the first ten seconds: public reads every 100 ms, a sign-in every 400 ms, one operator upload, and a burst of sign-ins at the first instant. */
async function lightLoad(base: string): Promise<Tally> {
  const tally: Tally = { statuses: new Map(), unexpected: [] };
  const admin = { authorization: `Bearer ${OPERATOR_KEY}` };
  const id = `first-${randomBytes(3).toString('hex')}`;
  const today = seoulDate(new Date());
  const upload = (async () => {
    await call(base, tally, 'POST', '/api/v1/admin/campaigns', openCampaign(id, { queueOpensAt: `${addDays(today, -1)}T19:00:00+09:00`, windows: [{ id: 'open', opensAt: `${addDays(today, -1)}T20:00:00+09:00`, closesAt: `${addDays(today, 20)}T18:00:00+09:00`, birthDayDigits: null }] }), admin);
    const clinics = Array.from({ length: 50 }, (_, i) => ({ id: `${id}-c${i}`, name: `첫초 ${i} 의원`, address: `서울특별시 중구 세종대로 ${i + 1}`, sido: '서울특별시', sigungu: '중구', lat: 37.56 + i / 1000, lng: 126.97 }));
    await call(base, tally, 'POST', '/api/v1/admin/institutions', clinics, admin);
    const rows = clinics.flatMap((c) => [addDays(today, 3), addDays(today, 24)].map((date) => ({ institutionId: c.id, date, time: '09:00', doses: 5 })));
    await call(base, tally, 'POST', `/api/v1/admin/campaigns/${id}/capacity`, rows, admin);
  })();
  // A burst at the first instant, as a balancer releases what it held while the node started.
  const burst = Promise.all(
    Array.from({ length: 100 }, (_, i) => call(base, tally, 'POST', '/api/v1/identity/dev', { name: `폭주${i}`, birthDate: '1980-01-0' + ((i % 9) + 1), phone: `010-8${String(i).padStart(3, '0')}-${String(process.pid % 10_000).padStart(4, '0')}` })),
  );
  const started = Date.now();
  const reads = (async () => {
    for (let i = 0; Date.now() - started < LOAD_MS; i++) {
      const paths = ['/api/v1/campaigns', '/api/v1/time', '/api/v1/regions'];
      await call(base, tally, 'GET', paths[i % paths.length]!);
      await sleep(100);
    }
  })();
  const signIns = (async () => {
    for (let i = 0; Date.now() - started < LOAD_MS; i++) {
      await call(base, tally, 'POST', '/api/v1/identity/dev', { name: `첫초${i}`, birthDate: '1970-05-15', phone: `010-7${String(i).padStart(3, '0')}-${String(process.pid % 10_000).padStart(4, '0')}` });
      await sleep(400);
    }
  })();
  await Promise.all([burst, upload, reads, signIns]);
  return tally;
}

/**
 * A citizen on the demo: signs in, waits for an admission to covid-2026 (its open window covers
 * now), then pages every clinic 100 at a time and searches each of the 17 provinces.
 */
async function pageEverything(base: string): Promise<{ clinics: number; provinces: number; unexpected: string[] }> {
  const tally: Tally = { statuses: new Map(), unexpected: [] };
  const { session } = (await call(base, tally, 'POST', '/api/v1/identity/dev', { name: '전체보기', birthDate: '1968-03-03', phone: '010-9990-0001' })) as { session: string };
  const { ticket } = (await call(base, tally, 'POST', '/api/v1/campaigns/covid-2026/queue/tickets', {}, { authorization: `Bearer ${session}` })) as { ticket: string };
  let admission = '';
  for (let i = 0; i < 300 && !admission; i++) {
    const res = await fetch(`${base}/api/v1/campaigns/covid-2026/admissions`, { method: 'POST', headers: { authorization: `Bearer ${ticket}` } });
    const body = (await res.json()) as { admission?: string };
    if (res.status === 201) admission = body.admission!;
    else if (res.status === 425) await sleep(200);
    else tally.unexpected.push(`admission → ${res.status}`);
  }
  const auth = { authorization: `Bearer ${admission}` };
  let clinics = 0;
  let next: string | null = '';
  while (next !== null) {
    const page = (await call(base, tally, 'GET', `/api/v1/campaigns/covid-2026/institutions?limit=100${next ? `&cursor=${encodeURIComponent(next)}` : ''}`, undefined, auth)) as { items?: unknown[]; next?: string | null };
    clinics += page.items?.length ?? 0;
    next = page.next ?? null;
  }
  const regions = (await call(base, tally, 'GET', '/api/v1/regions')) as unknown as { name: string }[];
  let provinces = 0;
  for (const sido of regions) {
    await call(base, tally, 'GET', `/api/v1/campaigns/covid-2026/institutions?limit=100&sido=${encodeURIComponent(sido.name)}`, undefined, auth);
    provinces += 1;
  }
  return { clinics, provinces, unexpected: tally.unexpected };
}

describe('the first seconds of a node, on its default configuration', () => {
  const dataDirs: string[] = [];
  const nodes: NodeProcess[] = [];
  const drops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.kill()));
    for (const drop of drops) await drop().catch(() => {});
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  async function startNode(env: Record<string, string>, timeoutMs = 90_000): Promise<NodeProcess> {
    const dataDir = mkdtempSync(join(tmpdir(), 'yeyak-first-'));
    dataDirs.push(dataDir);
    const node = new NodeProcess(nodes.length, await freePort(), { YEYAK_DATA_DIR: dataDir, YEYAK_OPERATOR_KEY: OPERATOR_KEY, YEYAK_DEMO: '0', ...env });
    nodes.push(node);
    await node.start(timeoutMs);
    return node;
  }

  it.skipIf(Boolean(process.env.DATABASE_URL))('embedded: 0 answers 503 from the moment readiness passes', async () => {
    const node = await startNode({ DATABASE_URL: '', REDIS_URL: '', YEYAK_DEV_IDENTITY: '1' });
    const tally = await lightLoad(node.url);
    expect(tally.statuses.get(503) ?? 0, node.tail()).toBe(0);
    expect(tally.unexpected).toEqual([]);
    expect(tally.statuses.get(200)).toBeGreaterThan(50);
  }, 120_000);

  it.skipIf(Boolean(process.env.DATABASE_URL))('embedded demo: one citizen pages all 2,000 clinics and searches every province during the light load, and every answer is 200', async () => {
    const node = await startNode({ DATABASE_URL: '', REDIS_URL: '', YEYAK_DEMO: '1', YEYAK_DEV_IDENTITY: '1' }, 180_000);
    const [tally, citizen] = await Promise.all([lightLoad(node.url), pageEverything(node.url)]);
    expect(tally.statuses.get(503) ?? 0, node.tail()).toBe(0);
    expect(tally.unexpected).toEqual([]);
    expect(citizen.unexpected).toEqual([]);
    expect(citizen.clinics).toBeGreaterThanOrEqual(2_000);
    expect(citizen.provinces).toBe(17);
  }, 300_000);

  it.skipIf(!process.env.DATABASE_URL || !process.env.REDIS_URL)('PostgreSQL + Redis: 0 answers 503 from the moment readiness passes', async () => {
    const { url, drop } = await createDatabase(process.env.DATABASE_URL!, 'yeyak_first');
    drops.push(drop);
    const key = () => randomBytes(32).toString('base64');
    const node = await startNode({
      DATABASE_URL: url,
      REDIS_URL: process.env.REDIS_URL!,
      YEYAK_DEV_IDENTITY: '1',
      YEYAK_SIGNING_KEYS: `first:${key()}`,
      YEYAK_PERSON_PEPPER: key(),
      YEYAK_ENCRYPTION_KEYS: `firstenc:${key()}`,
      YEYAK_LOG_SIGNER_KEY: generateSignerKey('first.yeyak/queue-log'),
    });
    const tally = await lightLoad(node.url);
    expect(tally.statuses.get(503) ?? 0, node.tail()).toBe(0);
    expect(tally.unexpected).toEqual([]);
    expect(tally.statuses.get(200)).toBeGreaterThan(50);
  }, 120_000);
});
