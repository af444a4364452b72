/** The only source of "now" in Yeyak: the server clock (UTC), injected so tests can move it. */
export interface Clock {
  now(): Date;
}

/** The real server clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock tests set and advance by hand. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

/**
 * `base` moved by `offsetMs`: the lab's way to give one node a wrong clock (the 2021 outage began
 * with a bug in reading the current time). `YEYAK_LAB_CLOCK_OFFSET_MS`; never set in production.
 */
export function offsetClock(base: Clock, offsetMs: number): Clock {
  return offsetMs === 0 ? base : { now: () => new Date(base.now().getTime() + offsetMs) };
}
