// The node's background work is held while its clock disagrees with the database's, and resumes
// when it agrees (src/background-work.ts). The parts are counters; the clock comparison is the real
// ClockAgreement against a reference the test moves.
import { describe, expect, it } from 'vitest';
import { BackgroundWork } from '../src/background-work.ts';
import { ManualClock } from '../src/lib/clock.ts';
import { ClockAgreement } from '../src/lib/clock-agreement.ts';
import { createLogger } from '../src/http/logger.ts';

function part() {
  const p = { running: false, starts: 0, stops: 0 };
  return Object.assign(p, {
    start() {
      p.running = true;
      p.starts++;
    },
    async stop() {
      await new Promise((r) => setTimeout(r, 5));
      p.running = false;
      p.stops++;
    },
  });
}

describe('BackgroundWork', () => {
  it('holds every part while the clock disagrees and starts them again when it agrees', async () => {
    const clock = new ManualClock('2026-07-19T11:00:00Z');
    let offsetMs = 6 * 3_600_000;
    const agreement = new ClockAgreement(clock, async () => new Date(clock.now().getTime() + offsetMs), { maxSkewMs: 3_000, intervalMs: 5_000 });
    const parts = [part(), part()];
    const work = new BackgroundWork(parts);
    work.followClock(agreement, createLogger('silent'));
    await agreement.check();
    work.start();
    await work.stop();
    expect(parts.map((p) => p.starts)).toEqual([0, 0]);

    work.start();
    offsetMs = 10;
    await agreement.check();
    await new Promise((r) => setTimeout(r, 20));
    expect(parts.every((p) => p.running)).toBe(true);

    offsetMs = -6 * 3_600_000;
    await agreement.check();
    await new Promise((r) => setTimeout(r, 20));
    expect(parts.map((p) => [p.running, p.starts, p.stops])).toEqual([
      [false, 1, 1],
      [false, 1, 1],
    ]);
    await work.stop();
    expect(parts.map((p) => p.stops)).toEqual([1, 1]);
  });
});
