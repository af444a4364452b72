/**
 * The virtual citizens' HTTP client: undici keep-alive pools to the app(s) on 127.0.0.1, a fixed
 * number of requests in flight per pool (the rest wait their turn here, and that wait is counted
 * apart, so a saturated generator is not mistaken for a slow server), and every answer tallied by
 * endpoint: latency from the moment a connection was free to the last byte, status and error code.
 */
import { Pool } from 'undici';
import { PerSecond, record, tally, type Counts, type Histogram } from './tallies.ts';

export interface Answer {
  status: number;
  /** `409 YEYAK_ERR_SOLD_OUT`, `201`, `network ECONNRESET`… */
  key: string;
  retryAfterSeconds: number | null;
  body: unknown;
  /** A refreshed admission (`Yeyak-Admission`): the server extended the holder's admission. */
  renewedAdmission: string | null;
}

/** Why the front door shed a request (`details.shed` of its 503: `dbWait`, `eventLoopDelay`…), or null. */
function shedCause(body: unknown): string | null {
  const shed = (body as { error?: { details?: { shed?: unknown } } } | null)?.error?.details?.shed;
  return typeof shed === 'string' ? shed : null;
}

/** A waiting line read from a moving head (a spike queues 100,000 of them: `shift()` would be quadratic). */
class Waiters {
  private items: (() => void)[] = [];
  private head = 0;
  push(waiter: () => void): void {
    this.items.push(waiter);
  }
  next(): (() => void) | undefined {
    if (this.head >= this.items.length) return undefined;
    const waiter = this.items[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return waiter;
  }
}

/**
 * A counting semaphore with a fast lane. A real crowd has a connection per citizen, so an admitted
 * person's booking never waits behind other people's status polls; in the generator they share a
 * pool, so the booking journey's calls take the next free connection before any poll does.
 */
export class Slots {
  private free: number;
  private readonly urgent = new Waiters();
  private readonly others = new Waiters();
  constructor(size: number) {
    this.free = size;
  }
  async take(urgent: boolean): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolveTake) => (urgent ? this.urgent : this.others).push(resolveTake));
  }
  give(): void {
    const next = this.urgent.next() ?? this.others.next();
    if (next) next();
    else this.free++;
  }
}

/** 503s the app answers on purpose (shedding, a store away): the client retries them. */
export const DELIBERATE_503 = new Set(['503 YEYAK_ERR_UNAVAILABLE', '503 YEYAK_ERR_QUEUE_UNAVAILABLE']);

/** The admitted person's journey: its calls take the fast lane (see `Slots`). */
const JOURNEY_ENDPOINTS = new Set(['admission', 'clinic search', 'slots', 'booking', 'cancel', 'change']);

/** Milliseconds since the epoch, with sub-millisecond precision, comparable across processes. */
export const epochMs = () => performance.timeOrigin + performance.now();

export class LoadClient {
  private readonly pools: Pool[];
  private readonly slots: Slots[];
  readonly latency: Record<string, Histogram> = {};
  readonly statuses: Record<string, Counts> = {};
  /** Per endpoint: the requests the front door shed, by cause (`yeyak_shed_requests_total`'s label). */
  readonly shed: Record<string, Counts> = {};
  /** Time spent waiting for a free connection in this process (the generator's own saturation). */
  readonly clientWait: Histogram = {};
  readonly requests: PerSecond;
  /** Per second: answers that are neither 2xx/4xx nor a deliberate 503 (a 5xx, a balancer's page, no answer at all). */
  readonly failures: PerSecond;
  /** Per second: deliberate 503s (`DELIBERATE_503`). */
  readonly deliberate: PerSecond;

  /**
   * One pool per origin. `localAddresses` (loopback addresses, 127.x.y.z) gives pool i its own
   * source address, `localAddresses[i % n]`: behind a balancer each pool is then a client of its
   * own, as the crowd's phones are, rather than one address for the whole crowd.
   */
  constructor(
    origins: string[],
    connections: number,
    private readonly openingMs: number,
    offsetSeconds: number,
    localAddresses: string[] = [],
  ) {
    for (const origin of origins) {
      if (new URL(origin).hostname !== '127.0.0.1') throw new Error(`the load generator only talks to 127.0.0.1, not ${origin}`);
    }
    this.pools = origins.map((origin, i) => {
      const localAddress = localAddresses.length ? localAddresses[i % localAddresses.length] : undefined;
      return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 60_000, bodyTimeout: 60_000, ...(localAddress ? { localAddress } : {}) });
    });
    this.slots = origins.map(() => new Slots(connections));
    this.requests = new PerSecond(offsetSeconds);
    this.failures = new PerSecond(offsetSeconds);
    this.deliberate = new PerSecond(offsetSeconds);
  }

  get origins(): number {
    return this.pools.length;
  }

  /** One request to app `node` (a citizen's device sticks to one node, as a load balancer's affinity would not need to). */
  async call(endpoint: string, node: number, method: 'GET' | 'POST', path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> {
    const index = node % this.pools.length;
    const queued = performance.now();
    await this.slots[index]!.take(JOURNEY_ENDPOINTS.has(endpoint));
    const sent = performance.now();
    record(this.clientWait, sent - queued);
    let answer: Answer;
    try {
      const response = await this.pools[index]!.request({
        path,
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.body.text();
      let parsed: unknown = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = text;
      }
      const code = (parsed as { error?: { code?: unknown } } | null)?.error?.code;
      const raw = Number(response.headers['retry-after']);
      answer = {
        status: response.statusCode,
        key: typeof code === 'string' ? `${response.statusCode} ${code}` : String(response.statusCode),
        retryAfterSeconds: Number.isFinite(raw) && raw > 0 ? raw : null,
        body: parsed,
        renewedAdmission: typeof response.headers['yeyak-admission'] === 'string' ? response.headers['yeyak-admission'] : null,
      };
    } catch (error) {
      answer = { status: 0, key: `network ${(error as { code?: string }).code ?? (error as Error).name}`, retryAfterSeconds: null, body: null, renewedAdmission: null };
    } finally {
      this.slots[index]!.give();
    }
    record((this.latency[endpoint] ??= {}), performance.now() - sent);
    tally((this.statuses[endpoint] ??= {}), answer.key);
    const cause = answer.status === 503 ? shedCause(answer.body) : null;
    if (cause) tally((this.shed[endpoint] ??= {}), cause);
    const second = (epochMs() - this.openingMs) / 1000;
    this.requests.add(second);
    if (DELIBERATE_503.has(answer.key)) this.deliberate.add(second);
    else if (answer.status === 0 || answer.status >= 500) this.failures.add(second);
    return answer;
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((pool) => pool.close()));
  }
}
