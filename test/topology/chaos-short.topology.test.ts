// The chaos suite's short version (npm run chaos, chaos/): a small steady crowd through the
// topology of npm run cluster while a node is killed, the Redis primary is killed, and the
// PostgreSQL primary is stalled for 10 s, then for 25 s (past its leader key's 10 s: a failover).
// It asserts the invariants only — nothing lost, double, oversold, moved back or refused after
// being granted, every message and registry event delivered once — never timings; the figures
// are printed.
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanUp } from '../../bench/lib/processes.ts';
import { runChaos } from '../../chaos/chaos.ts';
import { brokenChaosInvariants, brokenOutreach } from '../../chaos/lib/chaos-report.ts';

const needed = ['nginx', 'haproxy', 'redis-server', 'redis-sentinel', 'etcd', 'patroni', 'prometheus'];
const missing = needed.filter((bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status !== 0);

describe.skipIf(missing.length > 0)('chaos, short version: faults under a steady crowd through the balancer', () => {
  // A run cut by the test's timeout never reaches its own `finally`: the topology it started is
  // stopped here, not left running after the suite.
  afterAll(() => cleanUp(), 120_000);
  it('loses, doubles, oversells and bounces nothing while a node, the Redis primary and PostgreSQL fail', async () => {
    const { result, figures, outreach } = await runChaos({
      people: 3_000,
      faults: ['node-kill', 'redis-failover', 'postgres-pause', 'postgres-stall'],
      steadySeconds: 20,
      recoverySeconds: 20,
      useRunning: false,
      log: () => {},
    });
    for (const f of figures) {
      console.warn(`[chaos] ${f.window.name}: ${f.requests} answers, ${f.failures} failures, ${f.deliberate503} deliberate 503, errors < 1% after ${f.secondsToUnderOnePercent ?? 'never'} s`);
    }
    console.warn(`[chaos] invariants ${JSON.stringify(result.invariants)}; bookings ${result.booked201}; bounces and anomalies ${JSON.stringify({ ...result.bounceReasons, ...result.anomalyReasons })}`);
    for (const o of outreach) console.warn(`[chaos] ${o.consumer}: ${o.jobs} jobs, ${o.delivered} delivered, ${o.doneButMissing} done but never received, ${o.dead} dead, ${o.pending} pending, ${o.twice} twice`);
    expect(figures.map((f) => f.window.name)).toEqual(['node-kill', 'redis-failover', 'postgres-pause', 'postgres-stall']);
    expect(result.booked201).toBeGreaterThan(0);
    expect(brokenChaosInvariants(result)).toEqual([]);
    // Every message and registry event delivered once (after the outbox drained).
    expect(brokenOutreach(outreach)).toEqual([]);
    expect(outreach.every((o) => o.jobs > 0 && o.pending === 0)).toBe(true);
  }, 900_000);
});
