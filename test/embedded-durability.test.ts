import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addDays, seoulDate } from '../src/lib/seoul-time.ts';
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
      env: { ...process.env, PORT: String(port), YEYAK_DATA_DIR: dataDir, YEYAK_DEMO: '0', YEYAK_OPERATOR_KEY: OPERATOR_KEY, DATABASE_URL: '' },
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
  async function admit(session: string, campaignId = 'durable'): Promise<string> {
    const joined = await post(`/api/v1/campaigns/${campaignId}/queue/tickets`, {}, { authorization: `Bearer ${session}` });
    for (let i = 0; i < 100; i++) {
      const res = await post(`/api/v1/campaigns/${campaignId}/admissions`, {}, { authorization: `Bearer ${joined.body.ticket as string}` });
      if (res.status === 201) return res.body.admission as string;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('not admitted within 10 s');
  }

  /** An open campaign with one clinic and `doses` on one dose-1 day and its dose-2 day; returns the dose-1 day. */
  async function openCampaign(id: string, clinic: string, doses: number, admission?: object): Promise<string> {
    const op = { authorization: `Bearer ${OPERATOR_KEY}` };
    const now = Date.now();
    const campaign = {
      id,
      name: `durability ${id}`,
      cohort: { bornFrom: '1900-01-01', bornTo: '2005-12-31' },
      vaccine: { name: 'x', doses: 2, intervalDays: 21 },
      queueOpensAt: new Date(now - 86_400_000).toISOString(),
      windows: [{ id: 'open', opensAt: new Date(now - 86_400_000).toISOString(), closesAt: new Date(now + 30 * 86_400_000).toISOString(), birthDayDigits: null }],
      proxyAllowed: false,
      ...(admission ? { admission } : {}),
    };
    expect((await post('/api/v1/admin/campaigns', campaign, op)).status).toBe(201);
    expect((await post('/api/v1/admin/institutions', [{ id: clinic, name: `${clinic} 내구의원`, address: '서울 중구 1', sido: '서울특별시', sigungu: '중구', lat: 37.5, lng: 127 }], op)).status).toBe(200);
    const d1 = addDays(seoulDate(new Date()), 2);
    const d2 = addDays(d1, 21);
    expect((await post(`/api/v1/admin/campaigns/${id}/capacity`, [{ institutionId: clinic, date: d1, time: '09:00', doses }, { institutionId: clinic, date: d2, time: '09:00', doses }], op)).status).toBe(200);
    return d1;
  }

  it('keeps every acknowledged booking across kill -9', async () => {
    server = await start();
    const d1 = await openCampaign('durable', 'D1', 50);
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

  /** kill -9 of the server, waited for; the port must be free before the next start. */
  async function crash(): Promise<void> {
    const exited = new Promise((r) => server!.once('exit', r));
    killHard(server!);
    await exited;
    await expect(fetch(`${base}/api/v1/health`)).rejects.toThrow();
  }

  it('keeps a place and an admission acknowledged an instant before kill -9', async () => {
    server ??= await start();
    const d1 = await openCampaign('placed', 'P1', 5, { mode: 'fixed', ratePerSecond: 1000, maxActive: 100_000 });
    const signIn = async (i: number) => (await post('/api/v1/identity/dev', { name: `자리${i}`, birthDate: '1971-02-03', phone: `010-6666-${String(i).padStart(4, '0')}` })).body.session as string;

    // An admission, and the server killed the instant its 201 arrives.
    const admission = await admit(await signIn(1), 'placed');
    await crash();
    server = await start();
    const booked = await post('/api/v1/campaigns/placed/bookings', { institutionId: 'P1', date: d1, time: '09:00' }, { authorization: `Bearer ${admission}` });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);

    // A place, and the server killed the instant its 201 arrives (no sleep: the 201 means committed).
    const joined = await post('/api/v1/campaigns/placed/queue/tickets', {}, { authorization: `Bearer ${await signIn(2)}` });
    expect(joined.status).toBe(201);
    await crash();
    server = await start();
    // The same person from a new device: a new session, nothing else kept — the same place.
    const again = await post('/api/v1/campaigns/placed/queue/tickets', {}, { authorization: `Bearer ${await signIn(2)}` });
    expect(again.status).toBe(200);
    expect(again.body.position).toBe(joined.body.position);
  }, 120_000);
});
