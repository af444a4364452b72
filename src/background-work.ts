import type { FastifyBaseLogger } from 'fastify';
import type { ClockAgreement } from './lib/clock-agreement.ts';

/** A piece of background work a node runs beside its requests. */
export interface BackgroundPart {
  start(): void;
  stop(): Promise<void>;
}

/**
 * The node's background work — the waiting room's refresh (which opens queues and admits by the
 * clock), the outbox relay (reminders fall due by the clock) and its pruner — started and stopped
 * together, and held while the node's clock disagrees with the database's: a node 6 hours ahead
 * must not open a queue, admit a round or send tomorrow's reminders now. Requests are refused
 * meanwhile by the front door (`NodePressure`'s `clockSkew`).
 */
export class BackgroundWork {
  private running = false;
  private held = false;
  /** Whether the parts run now (`apply` brings it to what is wanted). */
  private active = false;
  private change: Promise<void> = Promise.resolve();

  constructor(private readonly parts: readonly BackgroundPart[]) {}

  /** Starts every part, unless held by the clock (then they start once it agrees). */
  start(): void {
    this.running = true;
    this.apply();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.apply();
    await this.change;
  }

  /** Holds the work while `clock` disagrees, logging each change of verdict. */
  followClock(clock: ClockAgreement, log: FastifyBaseLogger): void {
    clock.watch((agrees, skewMs) => {
      const skewSeconds = Math.round(skewMs) / 1000;
      if (agrees) log.info({ skewSeconds }, 'this node’s clock agrees with the database’s');
      else log.error({ skewSeconds }, 'this node’s clock disagrees with the database’s: refusing to serve and holding background work until it agrees');
      this.held = !agrees;
      this.apply();
    });
  }

  /** Brings the parts to what is wanted now; changes run one after another. */
  private apply(): void {
    const wanted = this.running && !this.held;
    this.change = this.change.then(async () => {
      if (wanted === this.active) return;
      this.active = wanted;
      if (wanted) for (const part of this.parts) part.start();
      else for (const part of this.parts) await part.stop();
    });
  }
}
