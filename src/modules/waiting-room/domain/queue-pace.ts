/**
 * The pace of a queue, measured over a window of time rather than tick by tick: places passed per
 * second while the queue could move, and the flow through the booking path (people admitted and
 * people finished per second). The wait estimate divides by the first; the adaptive controller
 * reads the flow (Little's law: while people finish as fast as they are admitted, the current rate
 * is one the booking path takes). Pure: fed one sample per refresh, no clock of its own.
 */

/** One refresh's view of the queue, from the store's snapshot. */
export interface PaceSample {
  atMs: number;
  servingUpTo: number;
  /** Admissions ever issued, and those still active: their difference counts who finished. */
  admitted: number;
  activeAdmissions: number;
  /**
   * The queue could move over the interval that ends here: opened, not paused or closed, and people
   * still waiting after the tick. A step that emptied the queue says nothing of its pace.
   */
  moving: boolean;
}

export interface PaceOptions {
  /** How far back the pace looks: long enough to hold several of the controller's steps. */
  windowSeconds: number;
  /** Width of the slices whose spread gives the deviation. */
  sliceSeconds: number;
  /**
   * Moving time measured before a pace is given at all: just after an opening the rate is the
   * controller's first guess, not yet what the booking path lets through.
   */
  settleSeconds: number;
  /** How far back the flow through admissions looks (the controller's evidence). */
  flowSeconds: number;
  /** Largest spread of the slices' rates, as a share of their mean, for which a pace is given. */
  maxVariation: number;
  /**
   * Over the window, people must finish (book, or their admission end) at least at this share of
   * the pace they were admitted, for a pace to be given: until the booking path has answered for a
   * rate, the rate is a promise the path may not keep (at the opening the first admitted are still
   * choosing a clinic; when they book slower than they are let in, the limit on active admissions
   * soon holds the queue to the pace they book at).
   */
  minFinishedShare: number;
}

export const PACE: PaceOptions = { windowSeconds: 60, sliceSeconds: 5, settleSeconds: 10, flowSeconds: 10, maxVariation: 0.25, minFinishedShare: 0.75 };

interface Slice {
  /** Elapsed seconds, and of them seconds in which the queue could move. */
  span: number;
  moving: number;
  places: number;
  admitted: number;
  finished: number;
}

const emptySlice = (): Slice => ({ span: 0, moving: 0, places: 0, admitted: 0, finished: 0 });

/** The flow through the admissions, per second over the window (the controller's evidence). */
export interface QueueFlow {
  /** The queue was moving at the last refresh (the rate is in use). */
  moving: boolean;
  admittedPerSecond: number;
  finishedPerSecond: number;
}

/** Measures a queue's pace over a sliding window of slices (O(window / slice) memory). */
export class QueuePace {
  private last: PaceSample | null = null;
  private readonly slices: Slice[] = [];
  private current = emptySlice();
  private settledRate: number | null = null;
  private settledDeviation = 0;
  private movingSinceStart = 0;

  constructor(private readonly options: PaceOptions = PACE) {}

  /** Records one refresh. Samples out of order (a clock stepping back) are ignored. */
  observe(sample: PaceSample): void {
    const last = this.last;
    if (last !== null && sample.atMs <= last.atMs) return;
    this.last = sample;
    if (last === null) return;
    const seconds = (sample.atMs - last.atMs) / 1000;
    const slice = this.current;
    slice.span += seconds;
    slice.admitted += Math.max(0, sample.admitted - last.admitted);
    slice.finished += Math.max(0, sample.admitted - last.admitted - (sample.activeAdmissions - last.activeAdmissions));
    if (sample.moving) {
      slice.moving += seconds;
      slice.places += Math.max(0, sample.servingUpTo - last.servingUpTo);
      this.movingSinceStart += seconds;
    }
    if (slice.span >= this.options.sliceSeconds) {
      this.slices.push(slice);
      this.current = emptySlice();
      let span = this.slices.reduce((sum, s) => sum + s.span, 0);
      while (this.slices.length > 1 && span - this.slices[0]!.span >= this.options.windowSeconds) span -= this.slices.shift()!.span;
    }
    this.settle();
  }

  /**
   * Recomputes the published pace when the window holds enough moving time; else keeps the last one.
   * A window whose older and newer halves disagree (a burst and then a stall, a rate that doubled
   * within the minute) gives no pace at all: its mean would promise a wait the queue is not moving
   * at now (better no number). Noise from slice to slice is not a trend: the halves average it out.
   */
  private settle(): void {
    const { settleSeconds, sliceSeconds, maxVariation } = this.options;
    if (this.movingSinceStart < settleSeconds) return;
    const all = [...this.slices, this.current];
    const moving = all.reduce((sum, s) => sum + s.moving, 0);
    // A window spent (almost) all with the queue run empty or paused keeps the pace it last measured.
    if (moving <= 0 || moving < Math.min(sliceSeconds, settleSeconds)) return;
    const rate = all.reduce((sum, s) => sum + s.places, 0) / moving;
    const rates = this.slices.filter((s) => s.moving >= s.span / 2).map((s) => s.places / s.moving);
    const mean = rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : rate;
    const variance = rates.length > 1 ? rates.reduce((sum, r) => sum + (r - mean) ** 2, 0) / (rates.length - 1) : 0;
    const steady = this.halvesAgree(all, maxVariation) && this.pathKeepsUp();
    this.settledRate = steady ? rate : null;
    this.settledDeviation = steady ? Math.sqrt(variance) : 0;
  }

  /**
   * The pace of the window's older half against its newer half (by moving time): within
   * `maxVariation` of the faster, plus two places of counting noise (a queue admitting one person
   * every few seconds moves in whole places).
   */
  private halvesAgree(all: Slice[], maxVariation: number): boolean {
    const half = all.reduce((sum, s) => sum + s.moving, 0) / 2;
    const older = { moving: 0, places: 0 };
    const newer = { moving: 0, places: 0 };
    for (const s of all) {
      const into = older.moving < half ? older : newer;
      into.moving += s.moving;
      into.places += s.places;
    }
    if (older.moving <= 0 || newer.moving <= 0) return true;
    const a = older.places / older.moving;
    const b = newer.places / newer.moving;
    return Math.abs(a - b) <= maxVariation * Math.max(a, b) + 2 / Math.min(older.moving, newer.moving);
  }

  /**
   * People finished over the window at least `minFinishedShare` of those admitted in it (two
   * people of counting noise allowed): the booking path has answered for the pace.
   */
  private pathKeepsUp(): boolean {
    const { admittedPerSecond, finishedPerSecond } = this.flow(this.options.flowSeconds);
    return (finishedPerSecond + 2 / this.options.flowSeconds) >= this.options.minFinishedShare * admittedPerSecond;
  }

  /** Places passed per second while moving, over the window; null until the pace has settled. */
  get ratePerSecond(): number | null {
    return this.settledRate;
  }

  /** Spread of the pace between slices of the window (the p90 widens with it). */
  get deviation(): number {
    return this.settledDeviation;
  }

  /**
   * Admissions and finished admissions per second over the last `seconds` (whole slices and the
   * current one): shorter than the pace's window, so the controller sees a step it took soon.
   */
  flow(seconds = this.options.flowSeconds): QueueFlow {
    const recent = [this.current];
    let span = this.current.span;
    for (let i = this.slices.length - 1; i >= 0 && span < seconds; i--) {
      recent.push(this.slices[i]!);
      span += this.slices[i]!.span;
    }
    const per = (n: number) => (span > 0 ? n / span : 0);
    return {
      moving: this.last?.moving ?? false,
      admittedPerSecond: per(recent.reduce((sum, s) => sum + s.admitted, 0)),
      finishedPerSecond: per(recent.reduce((sum, s) => sum + s.finished, 0)),
    };
  }
}
