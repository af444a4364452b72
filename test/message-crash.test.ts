import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { generateSignerKey } from '../src/lib/signed-note.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createContext } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import { ManualClock } from '../src/lib/clock.ts';
import { createOutboxWorker } from '../src/outbox-workers.ts';
import { startMessageGatewayStandIn } from '../src/stand-ins/message-gateway/gateway-server.ts';
import { admitted, ok, seedCampaign } from './support/fixtures.ts';
import { createDatabase, OPERATOR_KEY } from './support/test-app.ts';

/**
 * A crash between "the gateway accepted the message" and "the job is marked sent" still ends with
 * exactly one message: a worker child process is killed (SIGKILL) at exactly that point; the job's
 * lease runs out, another worker sends it again under the same idempotency key, and the gateway
 * (a stand-in over real HTTP) keeps one message. On PGlite (a data directory) and on PostgreSQL.
 */
describe('crash between send and mark', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'yeyak-crash-'));
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('ends with exactly one message', async () => {
    const gateway = await startMessageGatewayStandIn({ behaviour: { latencyMs: [0, 2], failureRate: 0 } });
    cleanups.push(() => gateway.close());
    const database = process.env.DATABASE_URL ? await createDatabase(process.env.DATABASE_URL, 'yeyak_test') : null;
    if (database) cleanups.push(database.drop);
    const env: Record<string, string> = {
      YEYAK_SIGNING_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      YEYAK_PERSON_PEPPER: randomBytes(32).toString('base64'),
      YEYAK_ENCRYPTION_KEYS: `e1:${randomBytes(32).toString('base64')}`,
      YEYAK_LOG_SIGNER_KEY: generateSignerKey('crash.yeyak/queue-log'),
      YEYAK_OPERATOR_KEY: OPERATOR_KEY,
      YEYAK_DEV_IDENTITY: '1',
      YEYAK_DEMO: '0',
      YEYAK_DATA_DIR: dataDir,
      DATABASE_URL: database?.url ?? '',
      YEYAK_MESSAGE_GATEWAY_URL: gateway.url,
    };

    // 1. A booking commits (its confirmation waits in the outbox).
    const clock = new ManualClock('2026-08-10T02:00:00Z');
    const ctx = await createContext(loadConfig(env), { clock });
    const app = await buildApp(ctx, { logStream: { write: () => {} } });
    const t = { app, ctx, clock };
    await seedCampaign(app, { id: 'crash', institutions: ['C1'], dates: ['2026-08-20', '2026-09-10'], times: ['09:00'], doses: 5 });
    const who = { authorization: `Bearer ${(await ok(app, 'POST', '/api/v1/identity/dev', { name: '정다섯', birthDate: '1970-03-04', phone: '010-7000-0001' })).session}` };
    await ok(app, 'POST', '/api/v1/campaigns/crash/bookings', { institutionId: 'C1', date: '2026-08-20', time: '09:00' }, await admitted(t, who, 'crash'));
    await app.close();
    await ctx.database.close();

    // 2. A worker process sends the confirmation and is killed before it marks the job.
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/crash-after-send.ts'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    expect(exit.signal).toBe('SIGKILL');
    expect(gateway.messages.size).toBe(1);

    // 3. The job is still pending under the dead worker's lease; once it runs out, another worker sends again.
    const later = new ManualClock(new Date(Date.now() + 5 * 60_000));
    const again = await createContext(loadConfig(env), { clock: later });
    cleanups.push(() => again.database.close());
    const stuck = await again.db.selectFrom('outbox_jobs').selectAll().where('consumer', '=', 'messages').executeTakeFirstOrThrow();
    expect(stuck).toMatchObject({ status: 'pending', attempts: 1 });
    expect(stuck.leased_until).not.toBeNull();
    await createOutboxWorker(again).runOnce();

    const done = await again.db.selectFrom('outbox_jobs').selectAll().where('consumer', '=', 'messages').executeTakeFirstOrThrow();
    expect(done).toMatchObject({ status: 'done', attempts: 2 });
    expect(gateway.posts()).toBe(2);
    expect([...gateway.messages.values()].map((m) => [m.to, m.template])).toEqual([['010-7000-0001', 'booking.created']]);
    // Two processes open the database one after the other (migrations, a child Node): slow on a busy machine.
  }, 120_000);
});
