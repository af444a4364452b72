import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The steps of a journey, in order (each a `step` label). */
export const STEPS = ['sign-in', 'me', 'cleanup', 'join', 'admission', 'search', 'slots', 'book', 'read-back', 'cancel', 'canary'] as const;
export type Step = (typeof STEPS)[number];

/** The rules the canary compares (each a `rule` label, present at 0 from the start so an alert sees the first one). */
const RULES = ['cohort', 'window', 'digit', 'me'] as const;
export type Rule = (typeof RULES)[number];

/** The probe's metrics, with the names the alert rules read (`docs/monitoring/alerts.yml`). */
export function probeMetrics() {
  const registry = new Registry();
  const metrics = {
    registry,
    up: new Gauge({ name: 'yeyak_probe_up', help: '1 while the last journey fully succeeded, else 0', registers: [registry] }),
    lastSuccess: new Gauge({ name: 'yeyak_probe_last_success_timestamp_seconds', help: 'When the last fully successful journey ended (epoch seconds)', registers: [registry] }),
    stepSeconds: new Histogram({
      name: 'yeyak_probe_step_duration_seconds',
      help: 'Each step of the journey, successful or not',
      labelNames: ['step'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    failures: new Counter({ name: 'yeyak_probe_failures_total', help: 'Journeys that failed, by the step that failed and why', labelNames: ['step', 'reason'] as const, registers: [registry] }),
    violations: new Counter({ name: 'yeyak_probe_rule_violations_total', help: "The server's eligibility answers that disagree with the probe's own computation, by rule", labelNames: ['rule'] as const, registers: [registry] }),
    journeys: new Counter({ name: 'yeyak_probe_journeys_total', help: 'Journeys run, by outcome', labelNames: ['outcome'] as const, registers: [registry] }),
  };
  for (const rule of RULES) metrics.violations.inc({ rule }, 0);
  for (const outcome of ['ok', 'failed']) metrics.journeys.inc({ outcome }, 0);
  metrics.up.set(0);
  return metrics;
}

export type ProbeMetrics = ReturnType<typeof probeMetrics>;
