/**
 * What the adaptive admission controller saw and decided, once a second, from one node's
 * `/metrics` (the sampler keeps one keep-alive connection, which node:cluster gives to one app
 * process for its whole life): the target rate, the limit on active admissions beside those
 * active, the booking path's p99 over the health window and the event loop's own p99 delay.
 */
import { OncePerSecondSampler } from './samplers.ts';

export interface ControllerPoint {
  secondsFromOpening: number;
  targetRate: number | null;
  activeLimit: number | null;
  activeAdmissions: number | null;
  bookingP99Ms: number | null;
  loopDelayP99Ms: number | null;
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
    };
  }
}
