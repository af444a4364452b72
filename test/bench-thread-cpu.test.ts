import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { threadsCpuSeconds } from '../bench/lib/cpu.ts';
import { LogHashing } from '../src/modules/transparency/log-hashing.ts';

// The benches count the log's hashing thread and the embedded database's apart by the names the
// app gives their threads (bench/queue/log-cost.ts): a renamed worker would fall into "other"
// without a word. Linux only (/proc).
const onLinux = process.platform === 'linux';

/** Keeps a worker thread of this name busy for `ms`. */
async function busyWorker(name: string, ms: number): Promise<void> {
  const worker = new Worker(`const end = Date.now() + ${ms}; while (Date.now() < end) {}; require('node:worker_threads').parentPort.postMessage('done');`, { eval: true, name });
  await new Promise((resolve) => worker.once('message', resolve));
  await worker.terminate();
}

describe.skipIf(!onLinux)('the CPU the benches count by thread', () => {
  it('puts a named worker thread’s CPU under its kind while it runs, and under the ended once it has ended', async () => {
    const before = threadsCpuSeconds(process.pid)!;
    const worker = new Worker("require('node:worker_threads').parentPort.on('message', (ms) => { const end = Date.now() + ms; while (Date.now() < end) {} require('node:worker_threads').parentPort.postMessage('done'); });", { eval: true, name: 'log-hashing' });
    worker.postMessage(300);
    await new Promise((resolve) => worker.once('message', resolve));
    const during = threadsCpuSeconds(process.pid)!;
    expect(during.hashing - before.hashing).toBeGreaterThan(0.15);
    expect(during.database - before.database).toBeLessThan(0.05);
    await worker.terminate();
    await busyWorker('pglite', 300);
    const after = threadsCpuSeconds(process.pid)!;
    // Both have ended: what they used stays in the process's total, as "ended".
    expect(after.ended - before.ended).toBeGreaterThan(0.3);
  });

  it('finds the log’s hashing thread by the name LogHashing gives it', async () => {
    const hashing = new LogHashing();
    try {
      const lines = Array.from({ length: 20_000 }, (_, i) => `place ${i} 1786000000 ${'A'.repeat(43)}=`);
      const before = threadsCpuSeconds(process.pid)!;
      for (let round = 0; round < 5; round++) await hashing.leafHashes(lines);
      const after = threadsCpuSeconds(process.pid)!;
      // 100,000 leaf hashes: about 0.1 s of the hashing thread's CPU, counted in 10 ms ticks.
      expect(after.hashing - before.hashing).toBeGreaterThan(0.03);
    } finally {
      await hashing.close();
    }
  });
});
