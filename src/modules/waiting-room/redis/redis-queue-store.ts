import { randomBytes, randomUUID } from 'node:crypto';
import type { AdmissionRecord, JoinResult, QueueSnapshot, QueueStore, TickPolicy } from '../queue-store.ts';
import { SCRIPTS, runScript, type LuaScript, type RedisConnection } from './lua-scripts.ts';
import { campaignKeys, checkKeyPrefix, type CampaignKeys } from './queue-keys.ts';
import { queueStoreError } from './redis-errors.ts';

/** Expired admissions forgotten per tick or admit at most (keeps each script call short). */
const TRIM_LIMIT = 100;

/**
 * A secret draw for the pre-queue: 53 random bits from the OS generator, so the sorted-set score
 * (a double) holds it exactly. Ties (about n²/2^54) are broken by person key, a keyed hash.
 */
function secretDraw(): string {
  return (randomBytes(8).readBigUInt64BE() >> 11n).toString();
}

type SnapshotReply = [number, number, number, number, number, string | null, number, number, number, string, string, string];

function decodeSnapshot(reply: unknown): QueueSnapshot {
  const [issuedUpTo, servingUpTo, prequeueSize, opened, paused, pausedReason, closed, admitted, activeAdmissions, rateMean, rateVar, targetRate] =
    reply as SnapshotReply;
  return {
    issuedUpTo,
    servingUpTo,
    prequeueSize,
    opened: opened === 1,
    paused: paused === 1,
    pausedReason,
    closed: closed === 1,
    admitted,
    activeAdmissions,
    admitRatePerSecond: Number(rateMean),
    admitRateDeviation: Math.sqrt(Number(rateVar)),
    targetRatePerSecond: Number(targetRate),
  };
}

/**
 * The waiting room's shared state in Redis, for many nodes: every change is one atomic Lua
 * script (scripts/), every key comes from queue-keys.ts, and a Redis that cannot be reached
 * surfaces as `QueueStoreUnavailableError` at once (the client is fail-fast, infra/redis.ts).
 * The store owns the client it is given: `close()` quits it.
 *
 * @example
 * const store = new RedisQueueStore(await connectRedis(config.redisUrl), 'yeyak:');
 */
export class RedisQueueStore implements QueueStore {
  private readonly prefix: string;

  constructor(
    private readonly client: RedisConnection,
    prefix: string,
  ) {
    this.prefix = checkKeyPrefix(prefix);
  }

  private keys(campaignId: string): CampaignKeys {
    return campaignKeys(this.prefix, campaignId);
  }

  private async run(script: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await runScript(this.client, script, keys, args);
    } catch (error) {
      throw queueStoreError(error);
    }
  }

  async join(campaignId: string, personKey: string, _nowMs: number, prequeue: boolean): Promise<JoinResult> {
    const k = this.keys(campaignId);
    const reply = (await this.run(SCRIPTS.join, [k.state, k.places, k.prequeue], [personKey, prequeue ? '1' : '0', secretDraw()])) as [number | null, number];
    return { position: reply[0], created: reply[1] === 1 };
  }

  async lookup(campaignId: string, personKey: string): Promise<{ position: number | null } | null> {
    const k = this.keys(campaignId);
    const reply = (await this.run(SCRIPTS.lookup, [k.state, k.places, k.prequeue], [personKey])) as [number, number | null];
    return reply[0] === 0 ? null : { position: reply[0] === 2 ? (reply[1] ?? null) : null };
  }

  async positionOf(campaignId: string, personKey: string): Promise<number | null> {
    const k = this.keys(campaignId);
    return (await this.run(SCRIPTS.positionOf, [k.state, k.places, k.prequeue], [personKey])) as number | null;
  }

  async open(campaignId: string): Promise<void> {
    const k = this.keys(campaignId);
    await this.run(SCRIPTS.open, [k.state, k.prequeue], []);
  }

  async tick(campaignId: string, nowMs: number, policy: TickPolicy): Promise<QueueSnapshot> {
    const k = this.keys(campaignId);
    const args = [nowMs, policy.ratePerSecond, policy.maxActive, TRIM_LIMIT];
    return decodeSnapshot(await this.run(SCRIPTS.tick, [k.state, k.prequeue, k.admissions, k.active], args));
  }

  async snapshot(campaignId: string, nowMs: number): Promise<QueueSnapshot> {
    const k = this.keys(campaignId);
    return decodeSnapshot(await this.run(SCRIPTS.snapshot, [k.state, k.prequeue, k.active], [nowMs]));
  }

  async admit(campaignId: string, personKey: string, position: number, nowMs: number, ttlMs: number): Promise<AdmissionRecord | null> {
    const k = this.keys(campaignId);
    const args = [personKey, position, nowMs, ttlMs, randomUUID(), TRIM_LIMIT];
    const reply = (await this.run(SCRIPTS.admit, [k.state, k.admissions, k.active], args)) as [string, string, number] | null;
    if (reply === null) return null;
    return { id: reply[0], expiresAtMs: Number(reply[1]), created: reply[2] === 1 };
  }

  async extend(campaignId: string, personKey: string, nowMs: number, ttlMs: number): Promise<number | null> {
    const k = this.keys(campaignId);
    const reply = (await this.run(SCRIPTS.extend, [k.active], [personKey, nowMs, ttlMs])) as string | null;
    return reply === null ? null : Number(reply);
  }

  async release(campaignId: string, personKey: string, _nowMs: number): Promise<void> {
    const k = this.keys(campaignId);
    await this.run(SCRIPTS.release, [k.admissions, k.active], [personKey]);
  }

  async setPaused(campaignId: string, paused: boolean, reason: string | null): Promise<void> {
    const k = this.keys(campaignId);
    await this.run(SCRIPTS.setPaused, [k.state], [paused ? '1' : '0', reason === null ? '0' : '1', reason ?? '']);
  }

  async setClosed(campaignId: string, closed: boolean): Promise<void> {
    const k = this.keys(campaignId);
    await this.run(SCRIPTS.setClosed, [k.state], [closed ? '1' : '0']);
  }

  async ping(): Promise<void> {
    try {
      await this.client.ping();
    } catch (error) {
      throw queueStoreError(error);
    }
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      // Redis is unreachable, so there is no connection to end politely: drop it and stop reconnecting.
      this.client.disconnect();
    }
  }
}
