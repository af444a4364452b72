/**
 * The child side of `eventLoopOf` (bench/lib/processes.ts): a benchmarked server answers
 * `{ type: 'elu' }` with its cumulative event-loop busy/idle milliseconds and its event-loop delay
 * since the previous question (the longest stall and the 99th percentile, in ms).
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

/** Starts measuring; the returned function builds the answer to an `elu` question. */
export function eventLoopReporter(): () => { type: 'elu'; active: number; idle: number; delayMaxMs: number; delayP99Ms: number } {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  return () => {
    const { active, idle } = performance.eventLoopUtilization();
    const answer = { type: 'elu' as const, active, idle, delayMaxMs: delay.max / 1e6, delayP99Ms: delay.percentile(99) / 1e6 };
    delay.reset();
    return answer;
  };
}
