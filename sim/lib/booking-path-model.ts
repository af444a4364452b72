/**
 * The booking path as the simulation sees it: a server of fixed capacity (bookings per second)
 * with a first-come backlog, a base latency, and a share of calls that fail (5xx). Latency is
 * the backlog wait plus the base, so an admission rate above capacity shows up as growing latency —
 * exactly what the real adaptive controller (fed through `BookingPathHealth.record`) reacts to.
 * The dose ledger lives here too: bookings never take more doses than there are.
 */
import type { Rng } from '../../src/modules/institutions/reference/prng.ts';

export interface BookingPathConfig {
  capacityPerSecond: number;
  failureRate: number;
  baseLatencyMs: number;
  /**
   * The capacity changing through the night (e.g. as the crowd's sign-ins and joins pass and leave
   * the servers to the bookings): linear from `capacityPerSecond` at the opening to `toPerSecond`
   * `overSeconds` later, then constant. None: constant all night.
   */
  ramp?: { toPerSecond: number; overSeconds: number };
}

/** The path's capacity `secondsFromOpening` into the night. */
function capacityAt(config: BookingPathConfig, secondsFromOpening: number): number {
  const ramp = config.ramp;
  if (!ramp || secondsFromOpening <= 0) return config.capacityPerSecond;
  const share = ramp.overSeconds <= 0 ? 1 : Math.min(1, secondsFromOpening / ramp.overSeconds);
  return config.capacityPerSecond + (ramp.toPerSecond - config.capacityPerSecond) * share;
}

export interface ServedCall {
  person: number;
  latencyMs: number;
  failed: boolean;
}

export class BookingPathModel {
  private queue: Int32Array = new Int32Array(1024);
  private queuedAt: Float64Array = new Float64Array(1024);
  private head = 0;
  private tail = 0;
  private carry = 0;

  constructor(
    private readonly config: BookingPathConfig,
    private readonly rng: Rng,
  ) {}

  get backlog(): number {
    return this.tail - this.head;
  }

  /** A booking call arrives at `atSeconds`. */
  enqueue(person: number, atSeconds: number): void {
    if (this.tail === this.queue.length) this.compact();
    this.queue[this.tail] = person;
    this.queuedAt[this.tail] = atSeconds;
    this.tail++;
  }

  private compact(): void {
    const live = this.tail - this.head;
    const size = live * 2 > this.queue.length ? this.queue.length * 2 : this.queue.length;
    const queue = new Int32Array(size);
    const queuedAt = new Float64Array(size);
    queue.set(this.queue.subarray(this.head, this.tail));
    queuedAt.set(this.queuedAt.subarray(this.head, this.tail));
    this.queue = queue;
    this.queuedAt = queuedAt;
    this.head = 0;
    this.tail = live;
  }

  /** Serves what capacity allows in `seconds` ending at `nowSeconds` (from the opening), oldest first. */
  serve(nowSeconds: number, seconds: number): ServedCall[] {
    const budget = this.carry + capacityAt(this.config, nowSeconds) * seconds;
    const count = Math.min(Math.floor(budget), this.backlog);
    this.carry = count === Math.floor(budget) ? budget - count : 0;
    const served: ServedCall[] = [];
    for (let i = 0; i < count; i++) {
      const person = this.queue[this.head]!;
      const waitedMs = (nowSeconds - this.queuedAt[this.head]!) * 1000;
      this.head++;
      served.push({ person, latencyMs: waitedMs + this.config.baseLatencyMs, failed: this.rng() < this.config.failureRate });
    }
    return served;
  }
}

/** Doses on sale and who holds one: the simulation's check on oversell and double booking. */
export class DoseLedger {
  remaining: number;
  booked = 0;
  cancelled = 0;
  oversold = 0;
  doubleBooked = 0;
  private readonly holds: Uint8Array;

  constructor(doses: number, people: number) {
    this.remaining = doses;
    this.holds = new Uint8Array(people);
  }

  /** Takes a dose for `person`: false when sold out. */
  book(person: number): boolean {
    if (this.remaining <= 0) return false;
    if (this.holds[person]) this.doubleBooked++;
    this.holds[person] = 1;
    this.remaining--;
    this.booked++;
    if (this.remaining < 0) this.oversold++;
    return true;
  }

  cancel(person: number): void {
    if (!this.holds[person]) return;
    this.holds[person] = 0;
    this.remaining++;
    this.cancelled++;
  }
}
