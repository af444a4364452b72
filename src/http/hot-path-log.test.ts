import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { createMetrics } from '../infra/metrics.ts';
import { HOT_ROUTES, HotPathLog } from './hot-path-log.ts';

const lines = (log: HotPathLog, route: (typeof HOT_ROUTES)[keyof typeof HOT_ROUTES], statuses: number[]) => statuses.map((status) => log.answered(route, status));

describe('HotPathLog', () => {
  it('logs the N-th, 2N-th … request of each route, each route on its own count', () => {
    const log = new HotPathLog(createMetrics(), 100);
    const polls = lines(log, HOT_ROUTES.status, Array(1000).fill(200));
    expect(polls.filter((l) => l === 'sampled')).toHaveLength(10);
    expect(polls[99]).toBe('sampled');
    expect(polls[100]).toBe('none');
    // The polls did not use up the join's sample.
    expect(lines(log, HOT_ROUTES.join, Array(99).fill(201)).every((l) => l === 'none')).toBe(true);
    expect(log.answered(HOT_ROUTES.join, 200)).toBe('sampled');
  });

  it('logs every server error, at any sample, and samples client errors like the rest', () => {
    for (const sample of [0, 1, 1000]) {
      const log = new HotPathLog(createMetrics(), sample);
      expect(lines(log, HOT_ROUTES.admission, [500, 503, 503])).toEqual(['always', 'always', 'always']);
    }
    expect(lines(new HotPathLog(createMetrics(), 0), HOT_ROUTES.ticket, [200, 401, 425, 404])).toEqual(['none', 'none', 'none', 'none']);
    expect(lines(new HotPathLog(createMetrics(), 1), HOT_ROUTES.ticket, [200, 401, 425])).toEqual(['sampled', 'sampled', 'sampled']);
  });

  it('counts every request by route and status, logged or not', async () => {
    const metrics = createMetrics();
    const log = new HotPathLog(metrics, 0);
    const counted = async () => (await metrics.hotPathRequests.get()).values.map((v) => [v.labels.route, v.labels.status, v.value]).sort();
    lines(log, HOT_ROUTES.admission, [201, 201, 425, 503]);
    lines(log, HOT_ROUTES.status, [200]);
    expect(await counted()).toEqual([
      [HOT_ROUTES.admission, '201', 2],
      [HOT_ROUTES.admission, '425', 1],
      [HOT_ROUTES.admission, '503', 1],
      [HOT_ROUTES.status, '200', 1],
    ]);
    // Each read adds what was answered since the one before, once: the exposition is the same.
    lines(log, HOT_ROUTES.status, [200, 200]);
    expect(await counted()).toEqual([
      [HOT_ROUTES.admission, '201', 2],
      [HOT_ROUTES.admission, '425', 1],
      [HOT_ROUTES.admission, '503', 1],
      [HOT_ROUTES.status, '200', 3],
    ]);
    expect(await metrics.registry.getSingleMetricAsString('yeyak_hot_path_requests_total')).toContain(`yeyak_hot_path_requests_total{route="${HOT_ROUTES.status}",status="200"} 3`);
  });

  it('knows the hot routes by their Fastify pattern only', () => {
    const log = new HotPathLog(createMetrics(), 1000);
    expect(Object.values(HOT_ROUTES).every((route) => log.isHot(route))).toBe(true);
    expect(log.isHot('/api/v1/campaigns')).toBe(false);
    expect(log.isHot(undefined)).toBe(false);
  });
});

describe('YEYAK_HOT_PATH_LOG_SAMPLE', () => {
  const secrets = {
    YEYAK_SIGNING_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    YEYAK_PERSON_PEPPER: randomBytes(32).toString('base64'),
    YEYAK_ENCRYPTION_KEYS: `e1:${randomBytes(32).toString('base64')}`,
  };

  it('is 1 in 1,000 by default; 0 (server errors only) to 1,000,000, 1 for every request', () => {
    expect(loadConfig(secrets).hotPathLogSample).toBe(1000);
    for (const value of [0, 1, 50, 1_000_000]) expect(loadConfig({ ...secrets, YEYAK_HOT_PATH_LOG_SAMPLE: String(value) }).hotPathLogSample).toBe(value);
  });

  it('stops the start on anything else (configuration error)', () => {
    for (const bad of ['-1', '1.5', 'all', '1000001']) {
      expect(() => loadConfig({ ...secrets, YEYAK_HOT_PATH_LOG_SAMPLE: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ ...secrets, YEYAK_HOT_PATH_LOG_SAMPLE: bad }), bad).toThrow(/YEYAK_HOT_PATH_LOG_SAMPLE/);
    }
  });
});
