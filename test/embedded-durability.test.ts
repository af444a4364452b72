import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addDays, seoulDate } from '../src/modules/campaigns/domain/seoul-time.ts';
import { OPERATOR_KEY, onPostgres } from './support/test-app.ts';

/**
 * The embedded default's promise (BRIEF §5): a kill -9 of the process loses no acknowledged
 * booking. Runs the real server process on its own data directory, kills it hard, restarts it.
 */
describe.skipIf(onPostgres)('embedded PGlite durability', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'yeyak-durability-'));
  const port = 40_000 + Math.floor(Math.random() * 20_000);
  const base = `http://127.0.0.1:${port}`;
  let server: ChildProcess | undefined;

  const killHard = (child: ChildProcess) => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };

  afterAll(() => {
    if (server) killHard(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<ChildProcess> {
    const child = spawn(join('node_modules', '.bin', 'tsx'), ['src/server.ts'], {
      env: { ...process.env, PORT: String(port), YEYAK_DATA_DIR: dataDir, YEYAK_DEMO: '0', YEYAK_OPERATOR_KEY: OPERATOR_KEY, LOG_LEVEL: 'warn', DATABASE_URL: '', YEYAK_SHED_EVENT_LOOP_DELAY_MS: '0' },
      stdio: 'ignore',
      // Its own process group: tsx runs the server as a child, and kill -9 must reach it too.
      detached: true,
    });
    for (let i = 0; i < 300; i++) {
      try {
        if ((await fetch(`${base}/api/v1/ready`)).ok) return child;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('server did not start');
  }

  async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** Through the real waiting room: a ticket, then admission once the queue (ticking on the real clock) reaches it. */
  async function admit(session: string): Promise<string> {
    const joined = await post('/api/v1/campaigns/durable/queue/tickets', {}, { authorization: `Bearer ${session}` });
    for (let i = 0; i < 100; i++) {
      const res = await post('/api/v1/campaigns/durable/admissions', {}, { authorization: `Bearer ${joined.body.ticket as string}` });
      if (res.status === 201) return res.body.admission as string;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('not admitted within 10 s');
  }

  it('keeps every acknowledged booking across kill -9', async () => {
    server = await start();
    const op = { authorization: `Bearer ${OPERATOR_KEY}` };
    const now = Date.now();
    const campaign = {
      id: 'durable',
      name: 'durability',
      cohort: { bornFrom: '1900-01-01', bornTo: '2005-12-31' },
      vaccine: { name: 'x', doses: 2, intervalDays: 21 },
      queueOpensAt: new Date(now - 86_400_000).toISOString(),
      windows: [{ id: 'open', opensAt: new Date(now - 86_400_000).toISOString(), closesAt: new Date(now + 30 * 86_400_000).toISOString(), birthDayDigits: null }],
      proxyAllowed: false,
    };
    expect((await post('/api/v1/admin/campaigns', campaign, op)).status).toBe(201);
    expect((await post('/api/v1/admin/institutions', [{ id: 'D1', name: '내구의원', address: '서울 중구 1', sido: '서울특별시', sigungu: '중구', lat: 37.5, lng: 127 }], op)).status).toBe(200);
    const d1 = addDays(seoulDate(new Date()), 2);
    const d2 = addDays(d1, 21);
    expect((await post('/api/v1/admin/campaigns/durable/capacity', [{ institutionId: 'D1', date: d1, time: '09:00', doses: 50 }, { institutionId: 'D1', date: d2, time: '09:00', doses: 50 }], op)).status).toBe(200);
    const sessions: string[] = [];
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const id = await post('/api/v1/identity/dev', { name: `내구${i}`, birthDate: '1970-01-01', phone: `010-5555-${String(i).padStart(4, '0')}` });
      const session = id.body.session as string;
      const admission = await admit(session);
      const booked = await post('/api/v1/campaigns/durable/bookings', { institutionId: 'D1', date: d1, time: '09:00' }, { authorization: `Bearer ${admission}` });
      expect(booked.status).toBe(201);
      sessions.push(session);
      codes.push((booked.body.booking as { code: string }).code);
    }
    const exited = new Promise((r) => server!.once('exit', r));
    killHard(server);
    await exited;
    // The old server must really be gone before the new one starts (same port, same files).
    await expect(fetch(`${base}/api/v1/health`)).rejects.toThrow();
    server = await start();
    for (let i = 0; i < sessions.length; i++) {
      const res = await fetch(`${base}/api/v1/bookings`, { headers: { authorization: `Bearer ${sessions[i]}` } });
      const list = (await res.json()) as { code: string; status: string }[];
      if (!Array.isArray(list)) throw new Error(`after restart: ${res.status} ${JSON.stringify(list)}`);
      expect(list.map((b) => [b.code, b.status])).toEqual([[codes[i], 'booked']]);
    }
  }, 90_000);
});
