// The set-up of the topology suites (test/topology/*.topology.test.ts) that drive `npm run
// cluster`'s processes through their balancers: each suite file brings the topology up before its
// tests and down after them (checking that nothing is left running or listening), and signs
// people in and makes campaigns through nginx.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { clusterDown } from '../../deploy/cluster/down.ts';
import { PORTS } from '../../deploy/cluster/layout.ts';
import { alive, until, type ClusterState } from '../../deploy/cluster/processes.ts';
import { clusterUp } from '../../deploy/cluster/up.ts';
import { call, closeAgents, ok, type Answer } from '../topology/source-client.ts';
import { campaignOpenNow } from './fixtures.ts';

const needed = ['nginx', 'haproxy', 'redis-server', 'redis-sentinel', 'etcd', 'patroni', 'prometheus'];
/** What the topology needs and this machine lacks: a suite is skipped unless it is empty. */
export const missing = needed.filter((bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status !== 0);
export const EDGE = `http://127.0.0.1:${PORTS.nginx}`;
export const NODE1 = `http://127.0.0.1:${PORTS.nodes[0]}`;
export const DAY = 86_400_000;
/** Low on purpose, so that one bucket shared by everyone behind the balancer would show at once. */
export const PER_ADDRESS = 50;

export const report = (line: string) => console.warn(`[topology] ${line}`);
export const range = (n: number) => Array.from({ length: n }, (_, i) => i);
export const errorCode = (a: Answer) => (a.body as { error?: { code?: string } } | null)?.error?.code ?? '';

/**
 * Brings the topology up (in a directory of its own) before the describe's tests and down after
 * them. `state` and `people` (how many people were signed in so far) are getters: read them when
 * they are needed, not when the describe is collected.
 */
export function useTopology() {
  const dir = mkdtempSync(join(tmpdir(), 'yeyak-topology-'));
  let state: ClusterState;
  let admin: string;
  let people = 0;

  beforeAll(async () => {
    const started = performance.now();
    process.env.YEYAK_IDENTITY_LIMIT_PER_ADDRESS = String(PER_ADDRESS);
    try {
      state = await clusterUp(dir);
    } finally {
      delete process.env.YEYAK_IDENTITY_LIMIT_PER_ADDRESS;
    }
    admin = state.nodeEnv.YEYAK_OPERATOR_KEY!;
    report(`up in ${Math.round((performance.now() - started) / 1000)} s`);
  }, 600_000);

  afterAll(async () => {
    closeAgents();
    const parts = state?.parts ?? [];
    // What the nodes logged as errors (pino level ≥ 50), for a failure's diagnosis.
    for (const part of parts.filter((p) => p.name.startsWith('node'))) {
      const errors = readFileSync(part.log, 'utf8').split('\n').filter((line) => /"level":(50|60)/.test(line));
      if (errors.length > 0) report(`${part.name} logged ${errors.length} errors; the last: ${errors.slice(-3).map((l) => l.slice(0, 300)).join('\n')}`);
    }
    // HAProxy's own 5xx answers (its log line says which server and why: the termination state).
    const haproxy = parts.find((p) => p.name === 'haproxy');
    if (haproxy) {
      // A node's own 503 has the termination state "----"; anything else is HAProxy's doing.
      const own = readFileSync(haproxy.log, 'utf8').split('\n').filter((line) => / (502|503|504) \d+ /.test(line) && !/ - - ---- /.test(line));
      if (own.length > 0) report(`HAProxy answered ${own.length} 5xx of its own; the last: ${own.slice(-6).join('\n')}`);
    }
    await clusterDown(dir);
    // `down` leaves nothing running and nothing listening.
    expect(parts.filter((p) => alive(p.pid)).map((p) => p.name)).toEqual([]);
    const listening = await Promise.all(Object.values(PORTS).flat().map(async (port) => ((await portOpen(port)) ? port : null)));
    expect(listening.filter((p) => p !== null)).toEqual([]);
  }, 120_000);

  /** A distinct person (name, birth date, phone) signed in from `from`. */
  function newPerson(from: string, base = EDGE) {
    const n = people++;
    const body = { name: `시민${n}`, birthDate: `19${50 + (n % 50)}-0${1 + (n % 9)}-${10 + (n % 19)}`, phone: `010-${String(1000 + Math.floor(n / 10_000))}-${String(n % 10_000).padStart(4, '0')}` };
    return call(base, 'POST', '/api/v1/identity/dev', { from, body });
  }

  async function session(from: string): Promise<string> {
    const answer = await newPerson(from);
    if (answer.status !== 201) throw new Error(`sign-in from ${from} → ${answer.status} ${JSON.stringify(answer.body)}`);
    return (answer.body as { session: string }).session;
  }

  /** A campaign open now, with `doses` per half-hour at two clinics on both dose dates. */
  async function createCampaign(id: string, admission: { ratePerSecond: number; maxActive: number }, doses = 50) {
    const now = Date.now();
    const auth = { token: admin };
    await ok(EDGE, 'POST', '/api/v1/admin/campaigns', { ...auth, body: campaignOpenNow(id, `topology ${id}`, admission, now) });
    const clinics = [`${id.toUpperCase()}A`, `${id.toUpperCase()}B`];
    await ok(EDGE, 'POST', '/api/v1/admin/institutions', {
      ...auth,
      body: clinics.map((cid, i) => ({ id: cid, name: `${cid} 내과의원`, address: `서울특별시 중구 세종대로 ${i + 1}`, sido: '서울특별시', sigungu: '중구', lat: 37.56 + i * 0.001, lng: 126.97 + i * 0.001 })),
    });
    const first = new Date(now + 3 * DAY).toISOString().slice(0, 10);
    const second = new Date(now + 24 * DAY).toISOString().slice(0, 10);
    const rows = clinics.flatMap((institutionId) => [first, second].flatMap((date) => ['09:00', '09:30', '10:00'].map((time) => ({ institutionId, date, time, doses }))));
    await ok(EDGE, 'POST', `/api/v1/admin/campaigns/${id}/capacity`, { ...auth, body: rows });
    return { clinics, first };
  }

  /** Joins and asks for the admission every 250 ms until it is given. */
  async function admitted(campaign: string, token: string, from: string): Promise<{ ticket: string; position: number; admission: string }> {
    const joined = await ok<{ ticket: string; position: number }>(EDGE, 'POST', `/api/v1/campaigns/${campaign}/queue/tickets`, { from, token });
    const admission = await until(
      `admission to ${campaign}`,
      async () => {
        const a = await call(EDGE, 'POST', `/api/v1/campaigns/${campaign}/admissions`, { from, token: joined.ticket });
        return a.status === 201 ? (a.body as { admission: string }).admission : undefined;
      },
      60_000,
      250,
    );
    return { ...joined, admission };
  }

  return {
    dir,
    get state() {
      return state;
    },
    get people() {
      return people;
    },
    newPerson,
    session,
    createCampaign,
    admitted,
  };
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
