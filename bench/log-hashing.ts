/**
 * What the queue log's hashes cost the main thread, in one run: a refresh's batch of place entries
 * (at the given rate of new places; a refresh is 250 ms) hashed as the sequencer hashes it — the
 * holders' commitments, then the entries' leaf hashes and the interior hashes they complete —
 * by the hashing thread (`LogHashing`, as the log does) against the same batch on the main thread
 * (the baseline, as the log did before). The main thread's time is its event loop's busy time
 * (`performance.eventLoopUtilization`), so the worker's own CPU is not counted in it; the whole
 * process's CPU is reported beside it.
 *
 *   npm run bench:log-hashing -- [--places-per-second 6000] [--batches 40]
 */
import { createSecretKey, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { CompactHashLevels } from '../src/modules/transparency/domain/compact-hash-levels.ts';
import { packedCommitments, packedTreeHashes, unpackHashes } from '../src/modules/transparency/log-hashes.ts';
import { LogHashing } from '../src/modules/transparency/log-hashing.ts';

const { values: args } = parseArgs({ options: { 'places-per-second': { type: 'string', default: '6000' }, batches: { type: 'string', default: '40' } } });
const perBatch = Math.max(8, Math.round(Number(args['places-per-second']) / 4));
const batches = Math.max(4, Number(args.batches));
const openingKey = createSecretKey(randomBytes(32));
const CAMPAIGN = 'covid-2026';

interface Batch {
  personKeys: string[];
  position: number;
}
const batchesOf = (count: number): Batch[] => Array.from({ length: count }, (_, b) => ({ personKeys: Array.from({ length: perBatch }, () => randomBytes(32).toString('base64url')), position: b * perBatch }));
const lineOf = (position: number, commitment: Buffer) => `place ${position} 1796040000000 ${commitment.toString('base64')}\n`;

type Hasher = (batch: Batch, levels: CompactHashLevels) => Promise<void>;

/** The baseline: every hash on the main thread. */
const onMainThread: Hasher = async (batch, levels) => {
  const commitments = unpackHashes(packedCommitments(openingKey, CAMPAIGN, batch.personKeys));
  const lines = commitments.map((c, i) => lineOf(batch.position + i + 1, c));
  enter(levels, lines.length, unpackHashes(packedTreeHashes(lines, levels.size, levels.rightEdge())));
};

const hashing = new LogHashing();
/** As the log does: the commitments and the tree's hashes made by the hashing thread. */
const onHashingThread: Hasher = async (batch, levels) => {
  const commitments = await hashing.commitments(openingKey, CAMPAIGN, batch.personKeys);
  const lines = commitments.map((c, i) => lineOf(batch.position + i + 1, c));
  enter(levels, lines.length, await hashing.treeHashes(lines, levels.size, levels.rightEdge()));
};

function enter(levels: CompactHashLevels, count: number, hashes: readonly Uint8Array[]): void {
  let next = 0;
  const made = () => hashes[next++]!;
  for (let i = 0; i < count; i++) levels.appendHashed(made(), made);
}

async function measure(hasher: Hasher): Promise<{ mainUs: number; cpuUs: number; batchMs: number }> {
  const levels = new CompactHashLevels();
  // Two batches to warm up (and start the worker).
  for (const batch of batchesOf(2)) await hasher(batch, levels);
  const work = batchesOf(batches);
  const busyMs: number[] = [];
  const loop = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  for (const batch of work) {
    const started = performance.eventLoopUtilization();
    await hasher(batch, levels);
    busyMs.push(performance.eventLoopUtilization(started).active);
    // A refresh's pause, so that batches do not overlap.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const used = process.cpuUsage(cpu);
  const entries = batches * perBatch;
  const median = busyMs.sort((a, b) => a - b)[Math.floor(busyMs.length / 2)]!;
  return { mainUs: (performance.eventLoopUtilization(loop).active * 1000) / entries, cpuUs: (used.user + used.system) / entries, batchMs: median };
}

// Alternated, twice each, the better of each kept: the machine's speed moves between minutes.
const runs = { main: [] as Awaited<ReturnType<typeof measure>>[], thread: [] as Awaited<ReturnType<typeof measure>>[] };
for (let round = 0; round < 2; round++) {
  runs.main.push(await measure(onMainThread));
  runs.thread.push(await measure(onHashingThread));
}
await hashing.close();
const best = (xs: Awaited<ReturnType<typeof measure>>[]) => xs.reduce((a, b) => (b.mainUs < a.mainUs ? b : a));
const [main, thread] = [best(runs.main), best(runs.thread)];
const f = (n: number) => n.toFixed(1);
console.log(`queue log hashes, ${batches} batches of ${perBatch} place entries (a refresh at ${args['places-per-second']} places/s): commitments, leaf and interior hashes`);
console.log('| hashed | main thread µs/entry | the main thread’s busy time for a batch (median), ms | process CPU µs/entry (every thread) |\n|---|---|---|---|');
console.log(`| on the main thread (baseline) | ${f(main.mainUs)} | ${f(main.batchMs)} | ${f(main.cpuUs)} |`);
console.log(`| by the hashing thread (\`LogHashing\`) | ${f(thread.mainUs)} | ${f(thread.batchMs)} | ${f(thread.cpuUs)} |`);
console.log(`hashing thread ÷ main thread, the main thread's time: ${(thread.mainUs / main.mainUs).toFixed(2)}; the process's CPU: ${(thread.cpuUs / main.cpuUs).toFixed(2)}`);
