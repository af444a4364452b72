import { getHeapStatistics } from 'node:v8';
import { EventLoopSaturation } from './event-loop-saturation.ts';
import { PoolWaitSaturation } from './pool-wait-saturation.ts';

/** Why the front door refuses: the label of `yeyak_shed_requests_total`. */
export type ShedCause = 'clockSkew' | 'eventLoopDelay' | 'heapUsedBytes' | 'dbWaiting' | 'dbWait' | 'bookingDbWaiting';

export interface PressureLimits {
  /** Sustained event-loop delay (ms) over the saturation window; 0 off. */
  maxEventLoopDelayMs: number;
  /** Heap in use (bytes); 0 means 90% of V8's heap limit. */
  maxHeapUsedBytes: number;
  /** Requests waiting for a connection of one database pool (the routes that need it are refused); 0 off. */
  maxDbWaiting: number;
  /** Sustained median wait for a connection of the main pool (ms) over the window; 0 off. */
  maxDbWaitMs: number;
}

/** The database pools a request can need: the main one, the booking path's, or none (the waiting room). */
export type RequestPool = 'main' | 'booking' | 'none';

/** The database's pools as the pressure reads them (field reads). */
export interface PoolQueues {
  /** Requests waiting for a connection of the main pool (not the booking path's). */
  mainPoolWaiting(): number;
  /** Requests waiting for a connection of the booking path's pool. */
  bookingPoolWaiting(): number;
}

const HEAP_SAMPLE_MS = 250;

/**
 * Whether this node is saturated now, and why (BRIEF §4.1): its event loop behind over a whole
 * window (one long task is not saturation: `EventLoopSaturation`) or its heap near V8's limit; and
 * apart from that, whether one of its database pools is (more requests queued for a connection
 * than allowed, or the main pool's wait sustained), which refuses only the work that needs that
 * pool. Asked per request, so each answer is a comparison of figures sampled off the request path
 * (a pool's queue is a field read).
 */
export class NodePressure {
  readonly eventLoop: EventLoopSaturation;
  /** The main pool's waits, fed by the pool on every checkout (`observeMainPoolWait`). */
  readonly mainPool: PoolWaitSaturation;
  private readonly maxHeap: number;
  private heapUsed = 0;
  private timer: NodeJS.Timeout | null = null;
  private clock: { disagrees(): boolean } | null = null;

  constructor(
    private readonly limits: PressureLimits,
    private readonly pools: PoolQueues,
  ) {
    this.eventLoop = new EventLoopSaturation({ thresholdMs: limits.maxEventLoopDelayMs });
    this.mainPool = new PoolWaitSaturation({ thresholdMs: limits.maxDbWaitMs, waiting: () => pools.mainPoolWaiting() });
    this.maxHeap = limits.maxHeapUsedBytes || Math.floor(getHeapStatistics().heap_size_limit * 0.9);
  }

  /** Starts sampling (idempotent). Nothing counts as saturation before a whole window is seen. */
  start(): void {
    this.eventLoop.start();
    this.mainPool.start();
    if (this.timer) return;
    this.timer = setInterval(() => (this.heapUsed = getHeapStatistics().used_heap_size), HEAP_SAMPLE_MS);
    this.timer.unref();
  }

  stop(): void {
    this.eventLoop.stop();
    this.mainPool.stop();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Refuses all work while this node's clock disagrees with the database's (`ClockAgreement`). */
  watchClock(clock: { disagrees(): boolean }): void {
    this.clock = clock;
  }

  /** Forgets the event loop's past (the work of starting up is not load). */
  reset(): void {
    this.eventLoop.reset();
    this.mainPool.reset();
  }

  /**
   * The first reason to refuse any work now, or null when the node can serve. A clock that
   * disagrees comes first: such a node is not saturated, but whatever it decided by its time
   * (eligible, admitted, open) could be wrong.
   */
  cause(): ShedCause | null {
    if (this.clock?.disagrees()) return 'clockSkew';
    if (this.eventLoop.saturated()) return 'eventLoopDelay';
    if (this.heapUsed > this.maxHeap) return 'heapUsedBytes';
    return null;
  }

  /**
   * Why work that needs this pool is refused now: its queue at the limit (`dbWaiting` for the main
   * pool, `bookingDbWaiting` for the booking path's), or for the main pool (sign-ins, profiles,
   * public reads) its wait sustained over the threshold (`dbWait`).
   * Each pool's queue refuses only its own routes: the booking path has a pool of its own and the
   * waiting room needs none, so a sign-in storm does not refuse admitted people's bookings, nor a
   * booking queue the crowd's sign-ins; shedding them would not shorten that queue.
   */
  poolCause(pool: RequestPool): ShedCause | null {
    if (pool === 'none') return null;
    const limit = this.limits.maxDbWaiting;
    if (pool === 'booking') return limit > 0 && this.pools.bookingPoolWaiting() >= limit ? 'bookingDbWaiting' : null;
    if (limit > 0 && this.pools.mainPoolWaiting() >= limit) return 'dbWaiting';
    return this.mainPool.saturated() ? 'dbWait' : null;
  }
}
