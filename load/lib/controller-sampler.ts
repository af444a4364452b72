/**
 * What the adaptive admission controller saw and decided, once a second, from one node's
 * `/metrics` (the sampler keeps one keep-alive connection, which node:cluster gives to one app
 * process for its whole life): the target rate, the limit on active admissions beside those
 * active, the booking path's p99 over the health window and the event loop's own p99 delay; and,
 * on PostgreSQL, the node's mean statement round trip and each request pool's wait for a
 * connection since the last sample (from the `yeyak_db_*` histograms' sums and counts).
 */
import { OncePerSecondSampler } from './samplers.ts';

export interface ControllerPoint {
  secondsFromOpening: number;
  targetRate: number | null;
  activeLimit: number | null;
  activeAdmissions: number | null;
  bookingP99Ms: number | null;
  loopDelayP99Ms: number | null;
  /** Mean over the last second; null without statements (or on PGlite). */
  dbStatementMeanMs: number | null;
  /** The main pool's wait (sign-ins and other requests; sustained over 250 ms it sheds them). */
  mainPoolWaitMeanMs: number | null;
  /** The booking path's own pool's wait. */
  bookingPoolWaitMeanMs: number | null;
}

/** The sum of every series of one metric name whose labels include `label` (e.g. `pool="main"`; any when empty); null when it has none. */
function metricTotal(text: string, name: string, label = ''): number | null {
  let total: number | null = null;
  for (const match of text.matchAll(new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm'))) {
    if (label && !(match[1] ?? '').split(',').includes(label)) continue;
    const value = Number(match[2]);
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

/** Mean of a histogram (its label sets that include `label`, or all) over the interval between two readings of its `_sum` and `_count`. */
export class HistogramMean {
  private last: { sum: number; count: number } | null = null;

  constructor(
    private readonly name: string,
    private readonly label = '',
  ) {}

  /** Milliseconds (the histogram is in seconds). */
  next(text: string): number | null {
    // A labelled histogram shows no series before its first observation: known but empty is zero.
    const known = text.includes(`# TYPE ${this.name} histogram`) ? 0 : null;
    const sum = metricTotal(text, `${this.name}_sum`, this.label) ?? known;
    const count = metricTotal(text, `${this.name}_count`, this.label) ?? known;
    if (sum === null || count === null) return null;
    const last = this.last;
    this.last = { sum, count };
    if (last === null || count <= last.count) return null;
    return ((sum - last.sum) / (count - last.count)) * 1000;
  }
}

/** The value of one series in Prometheus text, by metric name and (optionally) its campaign label. */
export function metricValue(text: string, name: string, campaignId?: string): number | null {
  const label = campaignId === undefined ? '' : `\\{campaign="${campaignId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\}`;
  const match = new RegExp(`^${name}${label} (\\S+)$`, 'm').exec(text);
  if (!match) return null;
  const value = Number(match[1]);
  return Number.isFinite(value) ? value : null;
}

export class ControllerSampler extends OncePerSecondSampler<ControllerPoint> {
  private readonly statement = new HistogramMean('yeyak_db_statement_seconds');
  private readonly mainPoolWait = new HistogramMean('yeyak_db_pool_wait_seconds', 'pool="main"');
  private readonly bookingPoolWait = new HistogramMean('yeyak_db_pool_wait_seconds', 'pool="booking"');

  constructor(
    origin: string,
    private readonly campaignId: string,
    openingMs: number,
  ) {
    super(origin, '/metrics', openingMs);
  }

  protected record(text: string, secondsFromOpening: number): ControllerPoint {
    const c = this.campaignId;
    const ms = (seconds: number | null) => (seconds === null ? null : seconds * 1000);
    return {
      secondsFromOpening,
      targetRate: metricValue(text, 'yeyak_queue_target_rate_per_second', c),
      activeLimit: metricValue(text, 'yeyak_queue_active_limit', c),
      activeAdmissions: metricValue(text, 'yeyak_queue_active_admissions', c),
      bookingP99Ms: ms(metricValue(text, 'yeyak_booking_path_window_p99_seconds')),
      loopDelayP99Ms: ms(metricValue(text, 'yeyak_event_loop_delay_window_p99_seconds')),
      dbStatementMeanMs: this.statement.next(text),
      mainPoolWaitMeanMs: this.mainPoolWait.next(text),
      bookingPoolWaitMeanMs: this.bookingPoolWait.next(text),
    };
  }
}
