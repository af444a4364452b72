// A node whose clock is 6 hours off (the 2021 outage began with a bug in reading the current time)
// refuses to serve rather than tell eligible people they are not eligible: its readiness fails, so
// a balancer takes it out, and every request it still gets is a 503 the client retries elsewhere.
// A real process on its defaults, its clock moved by the lab-only YEYAK_LAB_CLOCK_OFFSET_MS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess } from './support/server-process.ts';

const SIX_HOURS_MS = 6 * 3_600_000;

describe('a node whose clock disagrees with the database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'yeyak-clock-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('fails readiness and answers 503 to everything but liveness and metrics, from its first request', async () => {
    const server = await startServerProcess(dataDir, { YEYAK_LAB_CLOCK_OFFSET_MS: String(SIX_HOURS_MS) });
    const base = server.base;
    try {
      await server.until('/api/v1/health');
      // The first request the node answers already finds the clock compared.
      const ready = await fetch(`${base}/api/v1/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { error: { details: { shed: string } } }).error.details.shed).toBe('clockSkew');
      for (const path of ['/api/v1/campaigns', '/api/v1/time', '/api/v1/campaigns/covid-2026/queue']) {
        const answer = await fetch(`${base}${path}`);
        expect([path, answer.status]).toEqual([path, 503]);
        expect(answer.headers.get('retry-after')).not.toBeNull();
      }
      const join = await fetch(`${base}/api/v1/campaigns/covid-2026/queue/tickets`, { method: 'POST' });
      expect(join.status).toBe(503);
      expect((await fetch(`${base}/api/v1/health`)).status).toBe(200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      const skew = Number(/^yeyak_clock_skew_seconds (\S+)$/m.exec(metrics)?.[1]);
      expect(skew).toBeLessThan(-SIX_HOURS_MS / 1000 + 5);
      expect(skew).toBeGreaterThan(-SIX_HOURS_MS / 1000 - 5);
      expect(metrics).toMatch(/yeyak_shed_requests_total\{cause="clockSkew"\} [1-9]/);
      expect(server.output()).toContain('clock disagrees with the database');
    } finally {
      server.kill();
    }
  }, 120_000);
});
