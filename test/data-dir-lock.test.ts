// The embedded database has one process at a time (src/infra/db/data-dir-lock.ts). Two processes
// on one data directory once left it unable to start: a server still draining after SIGTERM and
// a maintenance script started beside it. Real server processes on their defaults.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processIsAlive } from '../src/infra/db/data-dir-lock.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';

describe('one process on an embedded data directory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'yeyak-lock-'));
  const lockFile = join(dataDir, 'pglite.lock');
  const started: ServerProcess[] = [];
  afterAll(() => {
    for (const server of started) server.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });
  async function start(env: Record<string, string> = {}): Promise<ServerProcess> {
    const server = await startServerProcess(dataDir, env);
    started.push(server);
    return server;
  }
  const holder = () => Number.parseInt(readFileSync(lockFile, 'utf8'), 10);

  it('refuses a second server while the first serves and while it drains, and starts again after a kill -9', async () => {
    // A drain longer than the shipped 5 s, so the successor surely starts while it lasts.
    const first = await start({ YEYAK_SHUTDOWN_DRAIN_SECONDS: '60' });
    await first.until('/api/v1/ready');
    const firstPid = holder();

    const second = await start();
    expect(await second.exited).toBe(3);
    expect(second.errors()).toContain(`the embedded database is open in process ${firstPid} (${lockFile})`);
    expect((await fetch(`${first.base}/api/v1/ready`)).status).toBe(200);

    // tsx forwards SIGTERM to the server, which fails readiness and drains, its database still open.
    first.child.kill('SIGTERM');
    for (let i = 0; i < 50 && (await fetch(`${first.base}/api/v1/ready`)).status !== 503; i++) await new Promise((r) => setTimeout(r, 100));
    const successor = await start();
    expect(await successor.exited).toBe(3);
    expect(successor.errors()).toContain(`open in process ${firstPid}`);
    expect((await fetch(`${first.base}/api/v1/campaigns`)).status).toBe(200);

    // A kill -9 runs no exit hook: the lock stays, naming a process that is gone, and is taken over.
    first.kill();
    await first.exited;
    // The server is tsx's child: it may outlive tsx by a moment (a zombie counts as gone).
    for (let i = 0; i < 100 && processIsAlive(firstPid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(holder()).toBe(firstPid);
    const third = await start();
    await third.until('/api/v1/ready');
    expect((await fetch(`${third.base}/api/v1/ready`)).status).toBe(200);
    expect(holder()).not.toBe(firstPid);
    third.kill();
    await third.exited;
    expect(existsSync(lockFile)).toBe(true);
  }, 120_000);
});
