/**
 * The load run reads the admission controller's figures from one node's /metrics: the parser must
 * find each series of the app's own registry, by campaign where it has one.
 */
import { describe, expect, it } from 'vitest';
import { HistogramMean, metricValue } from '../load/lib/controller-sampler.ts';
import { createMetrics } from '../src/infra/metrics.ts';

describe('reading the controller from /metrics', () => {
  it('finds each gauge, per campaign, and nothing for a campaign or metric it does not have', async () => {
    const metrics = createMetrics();
    metrics.queueTargetRate.set({ campaign: 'c-2026.1' }, 87.5);
    metrics.queueTargetRate.set({ campaign: 'other' }, 3);
    metrics.queueActiveLimit.set({ campaign: 'c-2026.1' }, 12_000);
    metrics.bookingPathP99.set(1.25);
    metrics.eventLoopDelayP99.set(0.4);
    const text = await metrics.registry.metrics();
    expect(metricValue(text, 'yeyak_queue_target_rate_per_second', 'c-2026.1')).toBe(87.5);
    expect(metricValue(text, 'yeyak_queue_target_rate_per_second', 'other')).toBe(3);
    expect(metricValue(text, 'yeyak_queue_target_rate_per_second', 'c-2026X1')).toBeNull();
    expect(metricValue(text, 'yeyak_queue_active_limit', 'c-2026.1')).toBe(12_000);
    expect(metricValue(text, 'yeyak_booking_path_window_p99_seconds')).toBe(1.25);
    expect(metricValue(text, 'yeyak_event_loop_delay_window_p99_seconds')).toBe(0.4);
    expect(metricValue(text, 'yeyak_no_such_metric')).toBeNull();
  });

  it('turns a histogram’s sum and count into the mean of each interval, in milliseconds', async () => {
    const metrics = createMetrics();
    const mean = new HistogramMean('yeyak_db_statement_seconds');
    expect(mean.next(await metrics.registry.metrics())).toBeNull(); // the first reading has no interval
    metrics.dbStatement.observe({ pool: 'main' }, 0.01);
    metrics.dbStatement.observe({ pool: 'booking' }, 0.03);
    expect(mean.next(await metrics.registry.metrics())).toBeCloseTo(20, 6);
    expect(mean.next(await metrics.registry.metrics())).toBeNull(); // nothing observed since
    metrics.dbStatement.observe({ pool: 'main' }, 0.5);
    expect(mean.next(await metrics.registry.metrics())).toBeCloseTo(500, 6);
    expect(new HistogramMean('yeyak_no_such_histogram').next(await metrics.registry.metrics())).toBeNull();
  });

  it('reads one pool’s series apart from the others', async () => {
    const metrics = createMetrics();
    const main = new HistogramMean('yeyak_db_pool_wait_seconds', 'pool="main"');
    const background = new HistogramMean('yeyak_db_pool_wait_seconds', 'pool="background"');
    main.next(await metrics.registry.metrics());
    background.next(await metrics.registry.metrics());
    metrics.dbPoolWait.observe({ pool: 'main' }, 0.3);
    metrics.dbPoolWait.observe({ pool: 'main' }, 0.1);
    metrics.dbPoolWait.observe({ pool: 'background' }, 2);
    const text = await metrics.registry.metrics();
    expect(main.next(text)).toBeCloseTo(200, 6);
    expect(background.next(text)).toBeCloseTo(2000, 6);
  });
});
