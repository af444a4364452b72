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

/** The admitted person's journey: its calls take the fast lane (see `Slots`). */
const JOURNEY_ENDPOINTS = new Set(['admission', 'clinic search', 'slots', 'booking', 'cancel', 'change']);

/** Milliseconds since the epoch, with sub-millisecond precision, comparable across processes. */
export const epochMs = () => performance.timeOrigin + performance.now();

export class LoadClient {
  private readonly pools: Pool[];
  private readonly slots: Slots[];
  readonly latency: Record<string, Histogram> = {};
  readonly statuses: Record<string, Counts> = {};
  /** Time spent waiting for a free connection in this process (the generator's own saturation). */
  readonly clientWait: Histogram = {};
  readonly requests: PerSecond;

  constructor(
    origins: string[],
    connections: number,
    private readonly openingMs: number,
    offsetSeconds: number,
  ) {
    for (const origin of origins) {
      if (new URL(origin).hostname !== '127.0.0.1') throw new Error(`the load generator only talks to 127.0.0.1, not ${origin}`);
    }
    this.pools = origins.map((origin) => new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 60_000, bodyTimeout: 60_000 }));
    this.slots = origins.map(() => new Slots(connections));
    this.requests = new PerSecond(offsetSeconds);
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
    this.requests.add((epochMs() - this.openingMs) / 1000);
    return answer;
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((pool) => pool.close()));
  }
}
