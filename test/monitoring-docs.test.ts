import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.ts';

// The example alert rules and Grafana dashboard in docs/monitoring/ name only metrics that /metrics exports.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const docs = ['docs/monitoring/alerts.yml', 'docs/monitoring/grafana-dashboard.json'];

describe('docs/monitoring', () => {
  it.each(docs)('%s names only exported metrics', async (file) => {
    const exported = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const families = new Set([...exported.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    const named = new Set([...readFileSync(file, 'utf8').matchAll(/\byeyak_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, '')));
    expect(named.size).toBeGreaterThan(5);
    expect([...named].filter((name) => !families.has(name))).toEqual([]);
  });

  it('the dashboard is valid JSON with a panel per figure', () => {
    const dashboard = JSON.parse(readFileSync('docs/monitoring/grafana-dashboard.json', 'utf8'));
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
  });
});
