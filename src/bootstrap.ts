import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.ts';
import { createLogger } from './http/logger.ts';
import type { Ctx } from './context.ts';
import { openDatabase } from './infra/db/database.ts';
import { migrateToLatest } from './infra/db/migrate.ts';
import { startDataKey } from './infra/db/data-keys.ts';
import { offsetClock, systemClock, type Clock } from './lib/clock.ts';
import { ClockAgreement } from './lib/clock-agreement.ts';
import { EnvelopeCrypto } from './lib/envelope-crypto.ts';
import { MemoryRateLimiter } from './lib/rate-limiter.ts';
import { RedisRateLimiter } from './lib/redis-rate-limiter.ts';
import { TokenSigner } from './lib/signed-tokens.ts';
import { HttpMessageGateway, LocalMessageGateway } from './modules/notifications/index.ts';
import { LocalVaccinationRegistry } from './modules/eligibility/index.ts';
import { journalToDatabase, openQueueStore, RemainingDosesCache, WaitingRoom } from './modules/waiting-room/index.ts';
import { createRedisClient } from './infra/redis.ts';
import { LocalNodeFiguresBoard, RedisNodeFiguresBoard } from './modules/operator/index.ts';
import { createMetrics, type Metrics } from './infra/metrics.ts';
import type { Database, Db } from './infra/db/database.ts';
import { CampaignCatalog } from './modules/campaigns/index.ts';
import { bookableDoses } from './modules/capacity/index.ts';
import { join } from 'node:path';
import { sql } from 'kysely';
import { NodePressure } from './lib/node-pressure.ts';
import { Cosignatures, PlaceLeafIndexes, QueueLogs, QueueOpenings, QueueSequencer } from './modules/transparency/index.ts';

/** How often a node compares its clock with PostgreSQL's. */
const CLOCK_CHECK_INTERVAL_MS = 5_000;

/** The database server's own time, as it is when the statement runs (not its transaction's start). */
async function databaseNow(db: Db): Promise<Date> {
  const { rows } = await sql<{ now: Date }>`SELECT clock_timestamp() AS now`.execute(db);
  return new Date(rows[0]!.now);
}

export interface ContextOptions {
  clock?: Clock;
  /** Where background work that is not a request logs (the queue's refresh and journal); the process's logger. */
  log?: FastifyBaseLogger;
  /** Keep the embedded database in memory (tests) instead of under the data directory. */
  inMemory?: boolean;
}

/** Opens the stores, applies migrations and wires the context every module receives. */
export async function createContext(config: Readonly<Config>, options: ContextOptions = {}): Promise<Ctx> {
  const metrics = createMetrics();
  // The pressure reads the pools' queues once they exist, and is told each main-pool checkout's wait.
  let opened: Database | null = null;
  const pressure = new NodePressure(config.shedding, { mainPoolWaiting: () => opened?.mainPoolWaiting() ?? 0, bookingPoolWaiting: () => opened?.bookingPoolWaiting() ?? 0 });
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: options.inMemory ? null : join(config.dataDir, 'pglite'),
    poolSize: config.dbPoolSize,
    prepareStatements: config.dbPrepareStatements,
    bookingPoolSize: config.dbBookingPoolSize,
    backgroundPoolSize: config.dbBackgroundPoolSize,
    observe: {
      poolWait: (pool, s) => {
        metrics.dbPoolWait.observe({ pool }, s);
        if (pool === 'main') pressure.mainPool.observe(s * 1000);
      },
      statement: (pool, s) => metrics.dbStatement.observe({ pool }, s),
    },
  });
  opened = database;
  await migrateToLatest(database.db);
  const clock = options.clock ?? offsetClock(systemClock, config.clock.labOffsetMs);
  // Only the real clock is compared: a test's manual clock is meant to differ from the database's.
  const clockAgreement =
    options.clock || config.clock.maxSkewMs === 0
      ? null
      : new ClockAgreement(clock, () => databaseNow(database.db), {
          maxSkewMs: config.clock.maxSkewMs,
          intervalMs: CLOCK_CHECK_INTERVAL_MS,
          onReading: (skewMs) => metrics.clockSkew.set(skewMs / 1000),
        });
  const campaigns = new CampaignCatalog(database.db);
  // Redis for many nodes (REDIS_URL); otherwise the in-process store of the embedded default.
  // A node starts even while Redis is down: admissions it already issued are verified locally, and
  // the client keeps reconnecting (new places and admissions fail closed until it is back).
  const redis = config.redisUrl ? createRedisClient(config.redisUrl, { sentinel: config.redisSentinel }) : null;
  // Both stores journal to the database, from which a restarted node (in-process) or a Redis
  // that lost its data is restored.
  // With a log key the stores record every change for the queue's transparency log (docs/transparency.md).
  const openings = config.secrets.logSigner ? new QueueOpenings(config.secrets.personPepper) : null;
  const { store: queueStore, recovery } = await openQueueStore(database.db, redis, openings, clock.now().getTime());
  // The log is written by the node's background work, on its pool (as are the journal and the doses' reads below).
  const queueLogs = new QueueLogs(database.backgroundDb, config.secrets.logSigner, clock);
  const sequencer = openings ? new QueueSequencer(queueStore, queueLogs, openings, database.backgroundDb, recovery, () => clock.now().getTime()) : null;
  const log = options.log ?? createLogger(config.logLevel);
  // Personal data is sealed under this process's own data key, stored before its first use.
  const crypto = new EnvelopeCrypto(config.secrets.encryptionKeys);
  await startDataKey(database.db, crypto, clock.now());
  const room = new WaitingRoom(queueStore, campaigns, clock, metrics, log, config.admissionTtlSeconds);
  const waitingRoom = withDoses(journalled(room, database.backgroundDb, clock, sequencer, metrics, log), database.backgroundDb, clock, metrics);
  if (clockAgreement) {
    pressure.watchClock(clockAgreement);
    waitingRoom.holdRefreshWhile(() => clockAgreement.disagrees());
  }
  return {
    config,
    database,
    db: database.db,
    clock,
    signer: new TokenSigner(config.secrets.signingKeys),
    crypto,
    campaigns,
    // A real gateway (or its stand-in process) when configured; else the in-process stand-in.
    messages: config.messages.gatewayUrl ? new HttpMessageGateway(config.messages.gatewayUrl, config.messages.channel) : new LocalMessageGateway(),
    // Identity limits hold across nodes when they share Redis.
    rateLimiter: redis ? new RedisRateLimiter(redis) : new MemoryRateLimiter(),
    registry: new LocalVaccinationRegistry(database.db),
    waitingRoom,
    queueLogs,
    queueOpenings: openings,
    placeLeafIndexes: openings ? new PlaceLeafIndexes(database.db, queueLogs, openings, clock) : null,
    cosignatures: new Cosignatures(config.logWitnesses, database.db, clock),
    // With Redis the nodes see each other's booking path; alone, the cluster is this node.
    nodeFigures: redis ? new RedisNodeFiguresBoard(redis) : new LocalNodeFiguresBoard(),
    metrics,
    pressure,
    clockAgreement,
    lifecycle: { draining: false },
  };
}

/** The queue holds while a campaign is sold out: the room reads remaining doses every ~2 s, off the polls. */
function withDoses(room: WaitingRoom, db: Db, clock: Clock, metrics: Metrics): WaitingRoom {
  const read = (campaignId: string, now: Date) => bookableDoses(db, campaignId, now);
  // A failed read keeps the last figure; the counter shows a database that keeps failing it.
  room.doses = new RemainingDosesCache(read, clock, { onError: (campaignId) => metrics.remainingDosesReadFailures.inc({ campaign: campaignId }) });
  return room;
}

/**
 * The queue's journal to the database (see `journalToDatabase`); then, with a log key, the changes
 * the store recorded go into each campaign's transparency log (on the node holding its lease).
 */
function journalled(room: WaitingRoom, db: Db, clock: Clock, sequencer: QueueSequencer | null, metrics: Metrics, log: FastifyBaseLogger): WaitingRoom {
  // A refused write is never silent: logged (the error without its values) and counted per campaign (YeyakQueueJournalFailing).
  const failed = (campaignId: string, error: unknown) => {
    metrics.queueJournalFailures.inc({ campaign: campaignId });
    log.error({ campaignId, err: error }, 'queue journal write failed');
  };
  if (!sequencer) return journalToDatabase(room, db, clock, { failed });
  const onError = (campaignId: string) => metrics.queueLogFailures.inc({ campaign: campaignId });
  const onAppended = (campaignId: string, count: number) => metrics.queueLogEntries.inc({ campaign: campaignId }, count);
  const afterWrite = async (campaignIds: readonly string[]) => {
    await sequencer.stepAll(campaignIds, onError, onAppended);
    for (const campaignId of campaignIds) metrics.queueLogSequencer.set({ campaign: campaignId }, sequencer.holds(campaignId) ? 1 : 0);
  };
  return journalToDatabase(room, db, clock, { failed, afterWrite });
}
