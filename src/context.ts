import type { NodeFiguresBoard } from './modules/operator/index.ts';
import type { Config } from './config.ts';
import type { Database, Db } from './infra/db/database.ts';
import type { Clock } from './lib/clock.ts';
import type { EnvelopeCrypto } from './lib/envelope-crypto.ts';
import type { RateLimiter } from './lib/rate-limiter.ts';
import type { TokenSigner } from './lib/signed-tokens.ts';
import type { MessageGateway } from './modules/notifications/index.ts';
import type { VaccinationRegistry } from './modules/eligibility/index.ts';
import type { WaitingRoom } from './modules/waiting-room/index.ts';
import type { Metrics } from './infra/metrics.ts';
import type { CampaignCatalog } from './modules/campaigns/index.ts';
import type { NodePressure } from './lib/node-pressure.ts';
import type { ClockAgreement } from './lib/clock-agreement.ts';
import type { Cosignatures, PlaceLeafIndexes, QueueLogs, QueueOpenings } from './modules/transparency/index.ts';

/** What every feature module is handed: configuration, stores, the clock and the signer. */
export interface Ctx {
  config: Readonly<Config>;
  database: Database;
  db: Db;
  clock: Clock;
  signer: TokenSigner;
  /** Encrypts personal data at rest (names, phones). */
  crypto: EnvelopeCrypto;
  campaigns: CampaignCatalog;
  /** Where SMS/KakaoTalk messages go (the local stand-in unless configured otherwise). */
  messages: MessageGateway;
  rateLimiter: RateLimiter;
  /** The immunization registry (its local copy). */
  registry: VaccinationRegistry;
  /** This node's view of the waiting rooms, over the shared queue store. */
  waitingRoom: WaitingRoom;
  /** The campaigns' public queue logs (docs/transparency.md). */
  queueLogs: QueueLogs;
  /** The holders' openings and the rounds' seeds of the queue logs; null when no log is kept. */
  queueOpenings: QueueOpenings | null;
  /** Where a holder's place stands in the log, for the ticket's answer; null when no log is kept. */
  placeLeafIndexes: PlaceLeafIndexes | null;
  /** The witnesses' cosignatures of the queue logs' checkpoints. */
  cosignatures: Cosignatures;
  /** Where the nodes leave their booking-path figures for each other (the live dashboard's cluster-wide view). */
  nodeFigures: NodeFiguresBoard;
  /** Prometheus metrics of this process. */
  metrics: Metrics;
  /** Whether this node is saturated now (load shedding and readiness ask it). */
  pressure: NodePressure;
  /** This node's clock compared with the database's (null when the clock is a test's own); a disagreement refuses all work. */
  clockAgreement: ClockAgreement | null;
  /** The process's life: `draining` once SIGTERM arrived (readiness fails; requests are still served). */
  lifecycle: { draining: boolean };
}

/**
 * The context of the booking path's routes (search, slots, book, change, cancel): the same, with
 * the booking path's own pool as its database (`Database.bookingDb`, a bulkhead).
 */
export function onBookingPool(ctx: Ctx): Ctx {
  return ctx.database.bookingDb === ctx.db ? ctx : { ...ctx, db: ctx.database.bookingDb };
}

/**
 * The context of a node's background work (the outbox relay and its pruner): the same, with the
 * background work's own pool as its database (`Database.backgroundDb`), so that work neither holds
 * the main pool's connections from requests nor counts in the wait that sheds them.
 */
export function onBackgroundPool(ctx: Ctx): Ctx {
  return ctx.database.backgroundDb === ctx.db ? ctx : { ...ctx, db: ctx.database.backgroundDb };
}
