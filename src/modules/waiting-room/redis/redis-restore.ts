import { randomUUID } from 'node:crypto';
import { prequeueScore } from '../prequeue-draw.ts';
import type { CampaignJournal, QueueCheckpoint } from '../queue-journal.ts';
import { restoredHolders, restoredRounds } from '../queue-journal.ts';
import type { QueueSnapshot } from '../queue-store.ts';
import type { RedisConnection } from './lua-scripts.ts';
import type { CampaignKeys } from './queue-keys.ts';

/** A checkpoint of the shared counters, from a tick's snapshot and the opened rounds' bases (what a restore needs, and no more). */
export function checkpointFromSnapshot(s: QueueSnapshot, bases: number[]): QueueCheckpoint {
  return {
    issued: s.issuedUpTo,
    bases,
    servingUpTo: s.servingUpTo,
    carry: 0,
    lastTickMs: null,
    paused: s.paused,
    pausedReason: s.pausedReason,
    closed: s.closed,
    admitted: s.admitted,
    rate: { mean: s.admitRatePerSecond, variance: s.admitRateDeviation ** 2, samples: s.admitRatePerSecond > 0 ? 1 : 0 },
    targetRate: s.targetRatePerSecond,
  };
}

/**
 * The state hash's fields for a campaign restored from its journal (or a new one: an empty
 * journal gives empty counters), as `field, value` pairs for `initialize-1.lua`.
 *
 * Every journalled place keeps its number and every opened round its base; new places start
 * RESTART_GAP past the highest known, so a place handed out but not yet journalled when Redis
 * lost its data is never given to anyone else (its holder's ticket still carries it, signed).
 */
function restoredStateFields(journal: CampaignJournal, nowMs: number): string[] {
  const { state } = journal;
  const { bases, issued } = restoredRounds(journal);
  const fields: [string, string | number][] = [
    ['rounds', bases.length],
    ...bases.map((base, round): [string, number] => [`base:${round}`, base]),
    ['issued', issued],
    ['servingUpTo', state?.servingUpTo ?? 0],
    ['carry', 0],
    ['paused', state?.paused ? '1' : '0'],
    ['closed', state?.closed ? '1' : '0'],
    // The checkpoint may predate the last admissions: count at least those journalled.
    ['admitted', Math.max(state?.admitted ?? 0, journal.admissions.length)],
    ['rateMean', state?.rate.mean ?? 0],
    ['rateVar', state?.rate.variance ?? 0],
    ['rateSamples', state?.rate.samples ?? 0],
    ['targetRate', state?.targetRate ?? 0],
    ['abandoned', new Set(journal.abandoned.map((a) => a.position)).size],
  ];
  if (state?.paused && state.pausedReason !== null) fields.push(['pausedReason', state.pausedReason]);
  fields.push(['initializedAtMs', nowMs]);
  return fields.flatMap(([field, value]) => [field, String(value)]);
}

const CHUNK = 1000;
/** How long a restoring node holds the lock at most (a crashed restorer frees it by then). */
const LOCK_MS = 30_000;
/** How long another node waits for a restore under way before answering 503 (the client retries). */
const WAIT_MS = 3_000;
/**
 * How long a restorer waits, once it found a journal, for every node to write what it handed out
 * since its last refresh: each refresh (every 250 ms) meets the refusal and writes its journal
 * first (`flushBeforeRestore`). Below `WAIT_MS`, so the nodes waiting meanwhile do not give up.
 */
const RESTORE_SETTLE_MS = 1_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sets up a campaign whose state hash has no `initializedAtMs`: a new campaign, or one whose
 * data Redis lost (or one whose state predates rounds). Under a lock, one node writes back every
 * journalled place, pre-queue draw and admission, then the counters in one script
 * (`initialize-1.lua`); other nodes wait for it. When a journal exists (data lost, not a new
 * campaign), it is read again after `settleMs`, once every node has written its last places.
 * Writing the same journal twice changes nothing, so a restorer that dies midway is harmless.
 * Returns false when another node's restore did not finish in time.
 */
export async function initializeCampaign(
  client: RedisConnection,
  keys: CampaignKeys,
  load: () => Promise<CampaignJournal>,
  runInitialize: (fields: string[]) => Promise<unknown>,
  settleMs = RESTORE_SETTLE_MS,
): Promise<boolean> {
  const token = randomUUID();
  const deadline = Date.now() + WAIT_MS;
  // As includes/require-initialized.lua: a state from before rounds (`opened`) is set up again.
  const initialized = async () => (await client.hexists(keys.state, 'initializedAtMs')) === 1 && (await client.hexists(keys.state, 'opened')) === 0;
  while ((await client.set(keys.restoring, token, 'PX', LOCK_MS, 'NX')) !== 'OK') {
    if (await initialized()) return true;
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  try {
    if (await initialized()) return true;
    // What is there is partial (a restorer died midway) or from before rounds: the journal has it all.
    await client.del(keys.state, keys.places, keys.prequeue, keys.abandoned, keys.abandonedLog);
    let journal = await load();
    // Data lost, not a new campaign: the last places handed out may still be on their way.
    if (journal.places.length > 0 || journal.admissions.length > 0 || journal.state !== null) {
      await sleep(settleMs);
      journal = await load();
    }
    // A place given up stays given up: its holder is marked by its negative unless they hold another one.
    const holders = restoredHolders(journal);
    const placed = [...[...holders.places].map(([person, position]) => [person, String(position)]), ...[...holders.left].map(([person, position]) => [person, String(-position)])];
    for (let i = 0; i < placed.length; i += CHUNK) await client.hset(keys.places, ...placed.slice(i, i + CHUNK).flat());
    for (let i = 0; i < holders.abandoned.length; i += CHUNK) {
      const chunk = holders.abandoned.slice(i, i + CHUNK).map(String);
      await client.zadd(keys.abandoned, ...chunk.flatMap((p) => [p, p]));
      await client.rpush(keys.abandonedLog, ...chunk);
    }
    const { members } = restoredRounds(journal);
    for (let i = 0; i < members.length; i += CHUNK) {
      await client.zadd(keys.prequeue, ...members.slice(i, i + CHUNK).flatMap((m) => [String(prequeueScore(m.round, m.draw)), m.personKey]));
    }
    for (let i = 0; i < journal.admissions.length; i += CHUNK) {
      const chunk = journal.admissions.slice(i, i + CHUNK);
      await client.hset(keys.admissions, ...chunk.flatMap((a) => [a.personKey, a.admissionId]));
      await client.zadd(keys.active, ...chunk.flatMap((a) => [String(a.expiresAtMs), a.personKey]));
    }
    await runInitialize(restoredStateFields(journal, Date.now()));
    return true;
  } finally {
    await client.del(keys.restoring);
  }
}
