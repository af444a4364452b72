/**
 * The crowd of an opening night, as arrays rather than objects (20 million people cannot each be
 * an object): who comes, when, on how many devices, who gives up and when, who cancels later.
 * Seeded, so the same configuration is the same night.
 */
import { mulberry32, type Rng } from '../../src/modules/institutions/reference/prng.ts';

export interface CrowdConfig {
  /** People eligible for the campaign. */
  eligible: number;
  /** Share of the eligible who come on the night. */
  turnout: number;
  /** Ineligible people who try as well, as a share of those who come (refused before the queue). */
  ineligibleShare: number;
  /** The pre-queue: the queue opens this many seconds before the opening instant. */
  prequeueSeconds: number;
  /** Shares of arrivals in the pre-queue hour and in the spike just after the opening; the rest is the tail. */
  prequeueShare: number;
  spikeShare: number;
  /** Mean delay after the opening of a spike arrival, and of a tail arrival (exponential). */
  spikeMeanSeconds: number;
  tailMeanSeconds: number;
  /** Weights of 1, 2 and 3 devices per person. */
  deviceWeights: [number, number, number];
  /** Share who would leave if kept waiting, and their mean patience (exponential). */
  abandonShare: number;
  patienceMeanSeconds: number;
  /** Share of bookers who cancel later that night (their dose goes back on sale). */
  cancelShare: number;
  seed: number;
}

export interface Crowd {
  /** People who come, sorted by arrival. */
  size: number;
  /** Seconds from the opening instant (negative: the pre-queue). */
  arrival: Float64Array;
  devices: Uint8Array;
  /** Seconds from the opening after which the person leaves if not yet served (Infinity: patient). */
  abandonAt: Float64Array;
  /** How many arrive before the opening (a prefix of the arrays, since they are sorted). */
  prequeueCount: number;
  /** Mean devices per person. */
  meanDevices: number;
}

function exponential(rng: Rng, mean: number): number {
  return -Math.log(1 - rng()) * mean;
}

/** The tail ends: nobody arrives later than this many mean delays after the opening. */
const TAIL_CUTOFF_MEANS = 4;

/** An exponential delay redrawn until it is below `cutoff`. */
function truncatedExponential(rng: Rng, mean: number, cutoff: number): number {
  for (;;) {
    const x = exponential(rng, mean);
    if (x < cutoff) return x;
  }
}

/** Draws the night's crowd. */
export function drawCrowd(config: CrowdConfig): Crowd {
  const rng = mulberry32(config.seed);
  const size = Math.round(config.eligible * config.turnout);
  const arrival = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const u = rng();
    if (u < config.prequeueShare) arrival[i] = -rng() * config.prequeueSeconds;
    else if (u < config.prequeueShare + config.spikeShare) arrival[i] = exponential(rng, config.spikeMeanSeconds);
    else arrival[i] = truncatedExponential(rng, config.tailMeanSeconds, TAIL_CUTOFF_MEANS * config.tailMeanSeconds);
  }
  arrival.sort();
  const devices = new Uint8Array(size);
  const abandonAt = new Float64Array(size);
  const [w1, w2, w3] = config.deviceWeights;
  const total = w1 + w2 + w3;
  let deviceSum = 0;
  let prequeueCount = 0;
  for (let i = 0; i < size; i++) {
    const d = rng() * total;
    devices[i] = d < w1 ? 1 : d < w1 + w2 ? 2 : 3;
    deviceSum += devices[i]!;
    // Patience counts from the opening for a pre-queue arrival (nobody leaves before it starts moving).
    abandonAt[i] = rng() < config.abandonShare ? Math.max(arrival[i]!, 0) + exponential(rng, config.patienceMeanSeconds) : Infinity;
    if (arrival[i]! < 0) prequeueCount++;
  }
  return { size, arrival, devices, abandonAt, prequeueCount, meanDevices: size ? deviceSum / size : 0 };
}

/** Client polling back-off: every second at first, slowing to every 30 s after two minutes of waiting. */
export function pollIntervalSeconds(ageSeconds: number): number {
  return Math.min(30, Math.max(1, ageSeconds / 4));
}

/** Age from which every device polls at the slowest interval. */
export const SLOWEST_POLL_AGE_SECONDS = 120;
