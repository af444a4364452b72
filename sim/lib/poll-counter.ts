/**
 * Counts the shared-status polls of millions of waiting devices without an event per poll: devices
 * are grouped by the second they started waiting, each group polls at the back-off interval of its
 * age, and every group older than the slowest interval is one aggregate. A second's polls cost
 * O(SLOWEST_POLL_AGE_SECONDS), whatever the crowd.
 */
import { pollIntervalSeconds, SLOWEST_POLL_AGE_SECONDS } from './crowd.ts';

export class PollCounter {
  /** Waiting devices by the (absolute, 0-based) second they joined. */
  private readonly bySecond: Float64Array;
  /** Waiting devices that joined SLOWEST_POLL_AGE_SECONDS or more before `current`. */
  private old = 0;
  /** The second being counted; groups at or before `current - SLOWEST` are in `old`. */
  private current = 0;

  constructor(seconds: number) {
    this.bySecond = new Float64Array(seconds + 1);
  }

  /** `devices` start polling at `second`. */
  add(second: number, devices: number): void {
    if (this.current - second >= SLOWEST_POLL_AGE_SECONDS) this.old += devices;
    else this.bySecond[second] = (this.bySecond[second] ?? 0) + devices;
  }

  /** `devices` that started at `second` stop polling (admitted, or gone). */
  remove(second: number, devices: number): void {
    if (this.current - second >= SLOWEST_POLL_AGE_SECONDS) this.old -= devices;
    else this.bySecond[second] = (this.bySecond[second] ?? 0) - devices;
  }

  /** Polls during `second` (called once per second, in order). */
  pollsIn(second: number): number {
    while (this.current < second) {
      this.current++;
      const aged = this.current - SLOWEST_POLL_AGE_SECONDS;
      if (aged >= 0) {
        this.old += this.bySecond[aged] ?? 0;
        this.bySecond[aged] = 0;
      }
    }
    let polls = this.old / pollIntervalSeconds(SLOWEST_POLL_AGE_SECONDS);
    for (let s = Math.max(0, second - SLOWEST_POLL_AGE_SECONDS + 1); s <= second; s++) polls += (this.bySecond[s] ?? 0) / pollIntervalSeconds(second - s);
    return polls;
  }
}
