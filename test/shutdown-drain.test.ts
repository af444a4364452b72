// A node stopped by SIGTERM (a rolling restart, a scale-in) drains before it closes: readiness
// fails at once so the balancer moves on, and requests go on being served for
// YEYAK_SHUTDOWN_DRAIN_SECONDS (the shipped 5 s) — found by the chaos suite, whose rolling restart
// through HAProxy met a closed port 47 times before. A real process on its defaults.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SHUTDOWN_DRAIN_SECONDS } from '../src/config.ts';
import { startServerProcess } from './support/server-process.ts';

describe('shutdown drain', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'yeyak-drain-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('fails readiness and keeps serving for the drain after SIGTERM, then exits cleanly', async () => {
    // tsx's wrapper forwards SIGTERM to the server it runs; the group is killed hard if the test fails.
    const server = await startServerProcess(dataDir);
    const base = server.base;
    try {
      await server.until('/api/v1/ready');
      expect((await fetch(`${base}/api/v1/ready`)).status).toBe(200);
      const stoppedAt = Date.now();
      server.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      expect((await fetch(`${base}/api/v1/ready`)).status).toBe(503);
      expect((await fetch(`${base}/api/v1/campaigns`)).status).toBe(200);
      expect((await fetch(`${base}/api/v1/health`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, (DEFAULT_SHUTDOWN_DRAIN_SECONDS - 2) * 1000));
      expect((await fetch(`${base}/api/v1/campaigns`)).status).toBe(200);
      expect(await server.exited).toBe(0);
      expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(DEFAULT_SHUTDOWN_DRAIN_SECONDS * 1000);
      // Closed cleanly: the embedded database's lock is given up (test/data-dir-lock.test.ts).
      expect(existsSync(join(dataDir, 'pglite.lock'))).toBe(false);
    } finally {
      server.kill();
    }
  }, 60_000);
});
