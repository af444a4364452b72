import { afterEach, describe, expect, it } from 'vitest';
import { EventLoopDelayWindow } from './event-loop-delay.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
function blockLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy: nothing else runs on this loop meanwhile.
  }
}

describe('the event loop delay window', () => {
  const window = new EventLoopDelayWindow(3, 10);
  afterEach(() => window.stop());

  it('reads 0 until started and after a stop', async () => {
    expect(window.p99Ms()).toBe(0);
    window.start();
    window.stop();
    await sleep(1100);
    expect(window.p99Ms()).toBe(0);
  });

  it('shows a loop held busy, then forgets it once the window has turned over', async () => {
    window.start();
    for (let i = 0; i < 8; i++) {
      blockLoop(250);
      await sleep(20);
    }
    await sleep(1100);
    const busy = window.p99Ms();
    expect(busy).toBeGreaterThan(150);
    await sleep(4200);
    expect(window.p99Ms()).toBeLessThan(busy / 2);
  });
});
