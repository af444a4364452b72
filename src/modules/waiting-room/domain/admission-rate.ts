import type { QueueFlow } from './queue-pace.ts';

/**
 * How far the queue advances: `servingUpTo` moves forward at the admission rate, never past the
 * last place issued, and never so far that admissions could exceed the cap on active ones.
 * Fractions carry over between ticks so a rate of 0.5/s admits one person every two seconds.
 */
export interface AdvanceInput {
  servingUpTo: number;
  issuedUpTo: number;
  /** Fraction of a place carried from the previous tick, in [0, 1). */
  carry: number;
  ratePerSecond: number;
  elapsedSeconds: number;
  activeAdmissions: number;
  maxActive: number;
}

export interface AdvanceResult {
  servingUpTo: number;
  carry: number;
  /**
   * The queue's end, not the rate or the cap, limited the step: what was served then says nothing
   * of the rate the queue can move at, so the wait estimate does not learn from it.
   */
  starved: boolean;
}

/**
 * Positions whose holders left the queue (their places are abandoned): passed over without
 * spending the rate on them, so the people behind move up at once.
 */
export interface AbandonedPlaces {
  /** How many abandoned positions lie in (after, upTo]. */
  countBetween(after: number, upTo: number): number;
  has(position: number): boolean;
}

const NONE_ABANDONED: AbandonedPlaces = { countBetween: () => 0, has: () => false };

/**
 * The next `servingUpTo` after `elapsedSeconds` at `ratePerSecond` (pure). The rate, the cap and
 * the queue's end count people: abandoned positions (`abandoned`) are passed at no cost, both
 * within the step and right after it. O(1) without abandoned places; with them, a few counts.
 */
export function advanceServing(input: AdvanceInput, abandoned: AbandonedPlaces = NONE_ABANDONED): AdvanceResult {
  const { servingUpTo, issuedUpTo, activeAdmissions, maxActive } = input;
  const headroom = Math.max(0, maxActive - activeAdmissions);
  const waiting = Math.max(0, issuedUpTo - servingUpTo - abandoned.countBetween(servingUpTo, issuedUpTo));
  // Passing abandoned places costs nothing, but a held queue (rate 0: sold out) passes none.
  const passAbandoned = (position: number) => (input.ratePerSecond > 0 ? passAbandonedFrom(position, issuedUpTo, abandoned) : position);
  if (waiting === 0 || headroom === 0) return { servingUpTo: passAbandoned(servingUpTo), carry: waiting === 0 ? 0 : input.carry, starved: waiting === 0 };
  const budget = input.carry + Math.max(0, input.ratePerSecond) * Math.max(0, input.elapsedSeconds);
  const whole = Math.floor(budget);
  const step = Math.min(whole, waiting, headroom);
  // A step cut short by the cap or the queue's end drops its remainder: no burst after a stall.
  const carry = step === whole ? budget - whole : 0;
  return { servingUpTo: passAbandoned(stepOver(servingUpTo, step, abandoned)), carry, starved: step < whole && step === waiting };
}

/** The position `step` people past `from`, abandoned positions in between not counted (converges: the count only grows). */
function stepOver(from: number, step: number, abandoned: AbandonedPlaces): number {
  let to = from + step;
  for (;;) {
    const next = from + step + abandoned.countBetween(from, to);
    if (next === to) return to;
    to = next;
  }
}

/** Past every abandoned position right after `position`, up to the queue's end. */
function passAbandonedFrom(position: number, issuedUpTo: number, abandoned: AbandonedPlaces): number {
  let at = position;
  while (at < issuedUpTo && abandoned.has(at + 1)) at += 1;
  return at;
}

/** The operator's bounds on the adaptive rate and on the active admissions it lets in. */
export interface AdaptiveBounds {
  minRate: number;
  maxRate: number;
  /** The booking path's p99 latency the controller aims to stay under. */
  targetLatencyMs: number;
  /** Share of booking calls failing (5xx, timeouts) above which it backs off. */
  maxErrorRate: number;
  /** The operator's cap on active admissions, and the floor the adaptive limit never goes under. */
  maxActive: number;
  minActive: number;
  /**
   * After a cut, how long before the next one: the health is measured over a window (10 s), so
   * until it has turned over it still shows the spell that caused the cut.
   */
  cooldownMs: number;
  /** Seconds to grow from the floor to the ceiling while healthy (additive increase). */
  rampSeconds: number;
  /** How long an admission lasts unextended: a cut limit still lets in what the path can finish in half of it. */
  admissionSeconds: number;
}

export interface PathHealth {
  p99LatencyMs: number;
  errorRate: number;
  /** Server errors counted in the window (when known): one failure among a few calls is no trend. */
  errors?: number;
  activeAdmissions: number;
  /**
   * The node's own event-loop delay (p99, ms) over the window, when measured: what every call on the
   * node waits for a turn of the loop, whatever the booking path does.
   */
  loopDelayMs?: number;
}

/**
 * The event-loop turns a call on the booking path waits through: its request, a store or database
 * round trip or two, its reply. Latency up to this many of the loop's p99 delays is the node's
 * queue, not the booking path's: the crowd's sign-ins, joins and polls put it there, load shedding
 * at the front door bounds it, and admitting fewer people would not remove it (docs/performance.md,
 * "What bounds the night": round trips wait for the event loop).
 */
export const BOOKING_PATH_LOOP_TURNS = 3;

/** The booking path's own p99: its latency net of the node's event-loop queue (never below 0). */
export function pathLatencyMs(health: PathHealth): number {
  return Math.max(0, health.p99LatencyMs - BOOKING_PATH_LOOP_TURNS * (health.loopDelayMs ?? 0));
}

/** An error-rate cut needs at least this many failures in the health window. */
const MIN_ERRORS_TO_CUT = 3;

/** What the controller remembers between refreshes. */
export interface ControllerState {
  rate: number;
  /** How many admissions may be active at once now (≤ the operator's cap). */
  activeLimit: number;
  lastCutAtMs: number | null;
  lastAtMs: number | null;
}

/** A cut never goes below this share of the people the booking path is finishing per second. */
const CUT_FLOOR_OF_FINISHED = 0.9;
/** Growth waits until people finish at least at this share of the pace they are admitted. */
const GROW_WHEN_FINISHED_SHARE = 0.9;

/**
 * Adaptive admission (AIMD, as TCP does for congestion), in time rather than in refreshes, on two
 * quantities: the rate at which places are served, and the limit on admissions active at once
 * (TCP's window). While the booking path is healthy the rate grows by (max − min) / rampSeconds per
 * second; when the admissions in use reach the limit, the limit grows instead, at its own
 * (max − min) / rampSeconds. When the path's own latency (`pathLatencyMs`: net of the node's
 * event-loop queue, which load shedding answers for) passes the target or errors appear, both are cut by
 * 30% — the limit to 70% of what is in use, if less, but never under what the path finishes in half
 * an admission's life — at most once per cooldown: one slow spell is
 * one cut, not forty. A cut limit lets no one new in until admitted people finish, so those already
 * admitted book in time instead of all waiting on a saturated path. Always within bounds.
 *
 * With the queue's measured `flow` (the waiting room always gives it), two rules from Little's law
 * keep the rate steady — people admitted reach the booking path only after choosing a clinic, so
 * its health answers for the rate of a minute ago: a cut never goes below what the path is finishing
 * (it takes that many; the backlog drains by the margin), and the rate grows only while it is in use
 * (the queue moving) and people finish nearly as fast as they are admitted (the path has answered
 * for the current rate: TCP's "one increase per round trip", and no growth before the opening).
 */
export function adaptRate(state: ControllerState, health: PathHealth, bounds: AdaptiveBounds, nowMs: number, flow?: QueueFlow): ControllerState {
  const clamp = (r: number) => Math.min(bounds.maxRate, Math.max(bounds.minRate, r));
  const clampActive = (n: number) => Math.min(bounds.maxActive, Math.max(bounds.minActive, Math.floor(n)));
  const elapsed = state.lastAtMs === null ? 0 : Math.min(5, Math.max(0, (nowMs - state.lastAtMs) / 1000));
  const next = { ...state, rate: clamp(state.rate), activeLimit: clampActive(state.activeLimit), lastAtMs: nowMs };
  const failing = health.errorRate > bounds.maxErrorRate && (health.errors ?? MIN_ERRORS_TO_CUT) >= MIN_ERRORS_TO_CUT;
  if (failing || pathLatencyMs(health) > bounds.targetLatencyMs) {
    const cooled = state.lastCutAtMs === null || nowMs - state.lastCutAtMs >= bounds.cooldownMs;
    if (!cooled) return next;
    const floor = flow ? Math.min(state.rate, CUT_FLOOR_OF_FINISHED * flow.finishedPerSecond) : 0;
    // The limit is cut to 70% of what is in use, but never under what the path finishes in half an
    // admission's life: the cut is against admissions running out unused, not a stall of the queue.
    const drainable = flow ? CUT_FLOOR_OF_FINISHED * flow.finishedPerSecond * (bounds.admissionSeconds / 2) : 0;
    const activeLimit = clampActive(Math.max(drainable, Math.min(state.activeLimit, health.activeAdmissions) * 0.7));
    return { ...next, rate: clamp(Math.max(floor, state.rate * 0.7)), activeLimit, lastCutAtMs: nowMs };
  }
  // Healthy, and the queue in use: what the path is finishing it takes, so the rate is at least
  // that. After a stall (the limit reached while the first people chose a clinic) the rate comes
  // back at once to the pace the path has shown, not by the slow ramp from wherever cuts left it.
  const shown = flow?.moving ? clamp(Math.max(next.rate, CUT_FLOOR_OF_FINISHED * flow.finishedPerSecond)) : next.rate;
  if (health.activeAdmissions >= next.activeLimit * 0.9) {
    const perSecond = (bounds.maxActive - bounds.minActive) / bounds.rampSeconds;
    return { ...next, rate: shown, activeLimit: clampActive(next.activeLimit + perSecond * elapsed) };
  }
  if (flow && (!flow.moving || flow.finishedPerSecond < GROW_WHEN_FINISHED_SHARE * flow.admittedPerSecond)) return { ...next, rate: shown };
  const perSecond = (bounds.maxRate - bounds.minRate) / bounds.rampSeconds;
  return { ...next, rate: clamp(Math.max(shown, state.rate + perSecond * elapsed)) };
}
