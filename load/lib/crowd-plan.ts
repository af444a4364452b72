/**
 * Who each virtual citizen is and what they will do, drawn from the run's seed and their index
 * alone — so a worker process needs only its range of indices, never a list. The arrival curve
 * (a pre-queue, a spike at the opening, a tail) has the shape of an opening night, compressed in
 * time so a run fits in minutes.
 */
import { mulberry32 } from '../../src/modules/institutions/reference/prng.ts';

export interface CrowdShape {
  /** Seconds of pre-queue before the opening, and the share of people arriving in it. */
  prequeueSeconds: number;
  prequeueShare: number;
  /** Share arriving in the spike just after the opening, and its mean delay (exponential). */
  spikeShare: number;
  spikeMeanSeconds: number;
  /** The rest arrive in the tail: mean delay after the opening (exponential, cut at 4 means). */
  tailMeanSeconds: number;
  /**
   * When set, the tail arrives evenly over this many seconds after the opening instead: a steady
   * load (the chaos suite injects its faults into one).
   */
  steadySeconds?: number;
  /** Share of people outside the cohort (they are refused 403 before taking a place). */
  ineligibleShare: number;
  deviceWeights: [number, number, number];
  /** Share who leave if kept waiting, and their mean patience in seconds (from the opening at the earliest). */
  abandonShare: number;
  patienceMeanSeconds: number;
  /** Share who press "admit me" once before their turn (they must get 425). */
  earlyPressShare: number;
  /** Share whose device reloads mid-wait (joins again: same place expected). */
  reloadShare: number;
  /** Share who double-submit the booking (same Idempotency-Key twice at once). */
  doubleSubmitShare: number;
  /** Share who try a second booking from another tab (a new key: must be refused). */
  secondTabShare: number;
  /** Shares of bookers who then change, or cancel, their booking. */
  changeShare: number;
  cancelShare: number;
  seed: number;
}

export interface CitizenPlan {
  index: number;
  eligible: boolean;
  birthDate: string;
  devices: number;
  /** Seconds from the opening (negative: in the pre-queue). */
  arrivalSeconds: number;
  /** Seconds from the opening after which they leave if not admitted. */
  leaveAtSeconds: number;
  earlyPress: boolean;
  reload: boolean;
  doubleSubmit: boolean;
  secondTab: boolean;
  change: boolean;
  cancel: boolean;
  /** A per-citizen random source for their choices. */
  random: () => number;
}

export const defaultShape = (): CrowdShape => ({
  prequeueSeconds: 60,
  prequeueShare: 0.3,
  spikeShare: 0.5,
  spikeMeanSeconds: 5,
  tailMeanSeconds: 60,
  ineligibleShare: 0.1,
  deviceWeights: [0.5, 0.3, 0.2],
  abandonShare: 0.05,
  patienceMeanSeconds: 120,
  earlyPressShare: 0.1,
  reloadShare: 0.1,
  doubleSubmitShare: 0.03,
  secondTabShare: 0.02,
  changeShare: 0.05,
  cancelShare: 0.03,
  seed: 2021,
});

function exponential(random: () => number, mean: number): number {
  return -Math.log(1 - random()) * mean;
}

/** Citizen `index` of the crowd of `shape`. */
export function planCitizen(shape: CrowdShape, index: number): CitizenPlan {
  const random = mulberry32((shape.seed * 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b));
  const u = random();
  let arrivalSeconds: number;
  if (u < shape.prequeueShare) arrivalSeconds = -random() * shape.prequeueSeconds;
  else if (u < shape.prequeueShare + shape.spikeShare) arrivalSeconds = exponential(random, shape.spikeMeanSeconds);
  else if (shape.steadySeconds !== undefined) arrivalSeconds = random() * shape.steadySeconds;
  else arrivalSeconds = Math.min(exponential(random, shape.tailMeanSeconds), 4 * shape.tailMeanSeconds);
  const eligible = random() >= shape.ineligibleShare;
  // The test cohort is born 1950–2003; the ineligible are too young.
  const year = eligible ? 1950 + Math.floor(random() * 54) : 2010 + Math.floor(random() * 5);
  const birthDate = `${year}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
  const [w1, w2, w3] = shape.deviceWeights;
  const d = random() * (w1 + w2 + w3);
  const leaves = random() < shape.abandonShare;
  return {
    index,
    eligible,
    birthDate,
    devices: d < w1 ? 1 : d < w1 + w2 ? 2 : 3,
    arrivalSeconds,
    leaveAtSeconds: leaves ? Math.max(0, arrivalSeconds) + exponential(random, shape.patienceMeanSeconds) : Infinity,
    earlyPress: random() < shape.earlyPressShare,
    reload: random() < shape.reloadShare,
    doubleSubmit: random() < shape.doubleSubmitShare,
    secondTab: random() < shape.secondTabShare,
    change: random() < shape.changeShare,
    cancel: random() < shape.cancelShare,
    random,
  };
}
