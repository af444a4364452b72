import type { OpeningNightResult } from '../../load/lib/run-result.ts';
import { sleep } from '../../deploy/cluster/processes.ts';
import type { Fault, Topology } from './faults.ts';

/** When a fault ran, in seconds from the opening, and until when its recovery minute lasted. */
export interface FaultWindow {
  name: string;
  description: string;
  startSecond: number;
  /** When the injection (and the part's return) finished. */
  injectedSecond: number;
  /** The end of the recovery that followed (the next fault's start). */
  endSecond: number;
  /** The same span in epoch ms (bounces and anomalies are timed so). */
  startMs: number;
  endMs: number;
}

/**
 * Injects `faults` one at a time into the running crowd: the first after `steadySeconds` of steady
 * load, each followed by `recoverySeconds` before the next.
 */
export async function injectFaults(t: Topology, faults: Fault[], openingMs: number, steadySeconds: number, recoverySeconds: number): Promise<FaultWindow[]> {
  const at = () => (Date.now() - openingMs) / 1000;
  const windows: FaultWindow[] = [];
  await sleep(Math.max(0, openingMs + steadySeconds * 1000 - Date.now()));
  for (const fault of faults) {
    const startMs = Date.now();
    const startSecond = at();
    t.log(`chaos: ${fault.name} at t=${startSecond.toFixed(0)} s — ${fault.description}`);
    await fault.inject(t);
    const injectedSecond = at();
    t.log(`chaos: ${fault.name} done at t=${injectedSecond.toFixed(0)} s; ${recoverySeconds} s of recovery`);
    await sleep(recoverySeconds * 1000);
    windows.push({ name: fault.name, description: fault.description, startSecond, injectedSecond, endSecond: at(), startMs, endMs: Date.now() });
  }
  return windows;
}

/** What the clients saw from a fault's start to the end of its recovery. */
export interface FaultFigures {
  window: FaultWindow;
  requests: number;
  /** Answers neither 2xx/4xx nor a deliberate 503: 5xx, a balancer's page, no answer (goal 0). */
  failures: number;
  deliberate503: number;
  /** Seconds from the fault's start until errors (failures and deliberate 503s) stayed under 1% of answers for 5 s; null if never. */
  secondsToUnderOnePercent: number | null;
  /** Bookings per second: the mean over the minute before the fault, and over the fault and its recovery. */
  bookingsBefore: number;
  bookingsDuring: number;
  /** Bounces and anomalies the clients met from the fault's start to the end of its recovery (goal 0). */
  bounces: number;
  anomalies: number;
}

const STABLE_SECONDS = 5;

export function faultFigures(r: OpeningNightResult, window: FaultWindow): FaultFigures {
  const index = (second: number) => Math.floor(second + r.offsetSeconds);
  const [from, to] = [index(window.startSecond), index(window.endSecond)];
  const sum = (series: number[], a: number, b: number) => series.slice(Math.max(0, a), Math.max(0, b)).reduce((x, y) => x + y, 0);
  const errorShare = (i: number) => ((r.failuresPerSecond[i] ?? 0) + (r.deliberatePerSecond[i] ?? 0)) / Math.max(1, r.requestsPerSecond[i] ?? 0);
  let recovered: number | null = null;
  for (let i = from; i + STABLE_SECONDS <= to; i++) {
    let calm = true;
    for (let k = i; k < i + STABLE_SECONDS && calm; k++) calm = errorShare(k) < 0.01;
    if (calm) {
      recovered = i - from;
      break;
    }
  }
  return {
    window,
    requests: sum(r.requestsPerSecond, from, to),
    failures: sum(r.failuresPerSecond, from, to),
    deliberate503: sum(r.deliberatePerSecond, from, to),
    secondsToUnderOnePercent: recovered,
    bookingsBefore: sum(r.bookingsPerSecond, from - 60, from) / 60,
    bookingsDuring: sum(r.bookingsPerSecond, from, to) / Math.max(1, to - from),
    bounces: r.bounceTimes.filter((t) => t >= window.startMs && t < window.endMs).length,
    anomalies: r.anomalyTimes.filter((t) => t >= window.startMs && t < window.endMs).length,
  };
}
