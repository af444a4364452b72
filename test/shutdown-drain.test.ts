// A node stopped by SIGTERM (a rolling restart, a scale-in) drains before it closes: readiness
// fails at once so the balancer moves on, and requests go on being served for
// YEYAK_SHUTDOWN_DRAIN_SECONDS (the shipped 5 s) — found by the chaos suite, whose rolling restart
// through HAProxy met a closed port 47 times before. A real process on its defaults.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SHUTDOWN_DRAIN_SECONDS } from '../src/config.ts';
import { freePort } from './support/redis.ts';
import { OPERATOR_KEY } from './support/test-app.ts';

describe('shutdown drain', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'yeyak-drain-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('fails readiness and keeps serving for the drain after SIGTERM, then exits cleanly', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // tsx's wrapper forwards SIGTERM to the server it runs; the group is killed hard if the test fails.
    const child = spawn(join('node_modules', '.bin', 'tsx'), ['src/server.ts'], {
      env: { ...process.env, PORT: String(port), YEYAK_DATA_DIR: dataDir, YEYAK_DEMO: '0', YEYAK_OPERATOR_KEY: OPERATOR_KEY, DATABASE_URL: '', REDIS_URL: '' },
      stdio: 'ignore',
      detached: true,
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 300 && !(await fetch(`${base}/api/v1/ready`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
      expect((await fetch(`${base}/api/v1/ready`)).status).toBe(200);
      const stoppedAt = Date.now();
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      expect((await fetch(`${base}/api/v1/ready`)).status).toBe(503);
      expect((await fetch(`${base}/api/v1/campaigns`)).status).toBe(200);
      expect((await fetch(`${base}/api/v1/health`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, (DEFAULT_SHUTDOWN_DRAIN_SECONDS - 2) * 1000));
      expect((await fetch(`${base}/api/v1/campaigns`)).status).toBe(200);
      expect(await exited).toBe(0);
      expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(DEFAULT_SHUTDOWN_DRAIN_SECONDS * 1000);
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, 60_000);
});
