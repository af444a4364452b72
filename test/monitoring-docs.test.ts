import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { probeMetrics } from '../probe/metrics.ts';
import { useTestApp } from './support/test-app.ts';

// The example alert rules and Grafana dashboard in docs/monitoring/ name only metrics that /metrics
// exports, or the synthetic probe's own /metrics (probe/metrics.ts).
const t = useTestApp();

const docs = ['docs/monitoring/alerts.yml', 'docs/monitoring/grafana-dashboard.json', 'docs/monitoring/alerts.test.yml'];

// Debian's prometheus package ships promtool; CI installs it (.ci/run). Elsewhere these two are skipped.
const promtool = spawnSync('sh', ['-c', 'command -v promtool'], { stdio: 'ignore' }).status === 0;
const runPromtool = (...args: string[]) => spawnSync('promtool', args, { cwd: 'docs/monitoring', encoding: 'utf8' });

describe('docs/monitoring', () => {
  it.each(docs)('%s names only exported metrics', async (file) => {
    const exported = (await t.app.inject({ method: 'GET', url: '/metrics' })).body + (await probeMetrics().registry.metrics());
    const families = new Set([...exported.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    const named = new Set([...readFileSync(file, 'utf8').matchAll(/\byeyak_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, '')));
    expect(named.size).toBeGreaterThan(5);
    expect([...named].filter((name) => !families.has(name))).toEqual([]);
  });

  it.skipIf(!promtool)('the alert rules pass promtool check rules', () => {
    const checked = runPromtool('check', 'rules', 'alerts.yml');
    expect(checked.stdout + checked.stderr).toContain('SUCCESS');
    expect(checked.status).toBe(0);
  });

  it.skipIf(!promtool)('every alert fires on its unit test and stays quiet on the near misses (promtool test rules)', () => {
    const tested = runPromtool('test', 'rules', 'alerts.test.yml');
    expect(tested.stdout + tested.stderr).toContain('SUCCESS');
    expect(tested.status).toBe(0);
    // Every alert of alerts.yml has a test.
    const alerts = [...readFileSync('docs/monitoring/alerts.yml', 'utf8').matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    const tests = readFileSync('docs/monitoring/alerts.test.yml', 'utf8');
    expect(alerts.filter((name) => !tests.includes(`alertname: ${name}`))).toEqual([]);
  });

  it('the dashboard is valid JSON with a panel per figure', () => {
    const dashboard = JSON.parse(readFileSync('docs/monitoring/grafana-dashboard.json', 'utf8'));
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
  });
});
