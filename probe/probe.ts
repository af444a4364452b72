import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { checkCanaries, type CanaryResult } from './canary.ts';
import { ProbeClient, StepFailure } from './client.ts';
import { runJourney, type JourneyResult } from './journey.ts';
import { probeMetrics, STEPS, type ProbeMetrics } from './metrics.ts';

/**
 * The synthetic probe (BRIEF §4.8), its own process: every interval a whole citizen's journey
 * through the public API as a synthetic person, then the canary of the eligibility rules; metrics on
 * its own port for Prometheus, one line per journey on standard output.
 *
 *   YEYAK_PROBE_KEY=… npm run probe -- --target http://127.0.0.1:3000 [--interval 10] [--metrics-port 9465]
 */
const USAGE = `usage: YEYAK_PROBE_KEY=… npm run probe -- --target <url> [--interval 10] [--metrics-port 9465] [--metrics-host 127.0.0.1]
  [--campaign probe] [--labels probe-0,…,probe-9] [--step-deadline 5] [--admission-deadline 30] [--days-ahead 4] [--once]`;

export interface ProbeOptions {
  target: string;
  probeKey: string;
  intervalSeconds: number;
  metricsPort: number;
  metricsHost: string;
  campaignId: string;
  labels: string[];
  stepDeadlineMs: number;
  admissionDeadlineMs: number;
  daysAhead: number;
  once: boolean;
}

function number(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${name} must be a number from ${min} to ${max}`);
  return value;
}

/** The command line and `YEYAK_PROBE_KEY` (a secret: never an argument, which `ps` would show). */
export function probeOptions(argv: string[], env: NodeJS.ProcessEnv): ProbeOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: 'string' },
      interval: { type: 'string', default: '10' },
      'metrics-port': { type: 'string', default: '9465' },
      'metrics-host': { type: 'string', default: '127.0.0.1' },
      campaign: { type: 'string', default: 'probe' },
      labels: { type: 'string', default: Array.from({ length: 10 }, (_, i) => `probe-${i}`).join(',') },
      'step-deadline': { type: 'string', default: '5' },
      'admission-deadline': { type: 'string', default: '30' },
      'days-ahead': { type: 'string', default: '4' },
      once: { type: 'boolean', default: false },
    },
  });
  if (!values.target) throw new Error('--target is required');
  const probeKey = env.YEYAK_PROBE_KEY;
  if (!probeKey) throw new Error('YEYAK_PROBE_KEY is not set');
  return {
    target: new URL(values.target).toString(),
    probeKey,
    intervalSeconds: number('interval', values.interval, 1, 3600),
    metricsPort: number('metrics-port', values['metrics-port'], 0, 65535),
    metricsHost: values['metrics-host'],
    campaignId: values.campaign,
    labels: values.labels.split(',').filter(Boolean),
    stepDeadlineMs: number('step-deadline', values['step-deadline'], 0.1, 120) * 1000,
    admissionDeadlineMs: number('admission-deadline', values['admission-deadline'], 1, 600) * 1000,
    daysAhead: number('days-ahead', values['days-ahead'], 3, 300),
    once: values.once,
  };
}

/** What one round (a journey and the canary) came to. */
export interface Round {
  journey: JourneyResult | null;
  failure: StepFailure | null;
  canary: CanaryResult | null;
  canaryFailure: StepFailure | null;
  label: string;
  seconds: number;
}

/** A journey as the synthetic person `label`, then the canary; every outcome into the metrics. */
export async function runRound(options: ProbeOptions, client: ProbeClient, metrics: ProbeMetrics, label: string): Promise<Round> {
  const started = performance.now();
  const seen = { session: null as string | null };
  let journey: JourneyResult | null = null;
  let failure: StepFailure | null = null;
  try {
    journey = await runJourney({ client, metrics, probeKey: options.probeKey, campaignId: options.campaignId, label, stepDeadlineMs: options.stepDeadlineMs, admissionDeadlineMs: options.admissionDeadlineMs, daysAhead: options.daysAhead, seen });
  } catch (error) {
    failure = error instanceof StepFailure ? error : new StepFailure('sign-in', 'probe_error', error instanceof Error ? error.message : String(error));
  }
  const seconds = (performance.now() - started) / 1000;
  if (journey) {
    metrics.up.set(1);
    metrics.lastSuccess.set(Date.now() / 1000);
    metrics.journeys.inc({ outcome: 'ok' });
  } else {
    metrics.up.set(0);
    metrics.journeys.inc({ outcome: 'failed' });
    metrics.failures.inc({ step: failure!.step, reason: failure!.reason });
  }
  let canary: CanaryResult | null = null;
  let canaryFailure: StepFailure | null = null;
  const canaryStarted = performance.now();
  try {
    canary = await checkCanaries(client, seen.session, options.stepDeadlineMs);
    for (const v of canary.violations) metrics.violations.inc({ rule: v.rule });
  } catch (error) {
    canaryFailure = error instanceof StepFailure ? error : new StepFailure('canary', 'probe_error', String(error));
    metrics.failures.inc({ step: 'canary', reason: canaryFailure.reason });
  } finally {
    metrics.stepSeconds.observe({ step: 'canary' }, (performance.now() - canaryStarted) / 1000);
  }
  return { journey, failure, canary, canaryFailure, label, seconds };
}

/** The round as one line: `… ok probe-3 1.23 s (sign-in 12 ms, …) canary 86 checked, 0 violations`. */
export function statusLine(round: Round, at: Date): string {
  const steps = round.journey
    ? `(${STEPS.filter((s) => round.journey!.stepMs[s] !== undefined)
        .map((s) => `${s} ${Math.round(round.journey!.stepMs[s]!)} ms`)
        .join(', ')})`
    : `FAILED at ${round.failure!.step}: ${round.failure!.message}`;
  const canary = round.canary
    ? `canary ${round.canary.checked} checked, ${round.canary.atBoundary} at a boundary, ${round.canary.violations.length} violations${round.canary.violations
        .slice(0, 3)
        .map((v) => ` [${v.rule} ${v.campaignId} ${v.birthDate}: expected ${v.expected}, got ${v.actual}]`)
        .join('')}`
    : `canary FAILED: ${round.canaryFailure!.message}`;
  return `${at.toISOString()} ${round.journey ? 'ok' : 'FAIL'} ${round.label} ${round.seconds.toFixed(2)} s ${steps} ${canary}`;
}

async function main(): Promise<void> {
  let options: ProbeOptions;
  try {
    options = probeOptions(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
  const metrics = probeMetrics();
  const client = new ProbeClient(options.target);
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') return void response.writeHead(404).end();
    metrics.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  if (!options.once) {
    await new Promise<void>((resolve) => server.listen(options.metricsPort, options.metricsHost, resolve));
    const address = server.address();
    process.stdout.write(`probe of ${options.target}: metrics on http://${options.metricsHost}:${typeof address === 'object' && address ? address.port : options.metricsPort}/metrics, a journey every ${options.intervalSeconds} s\n`);
  }
  let stopping = false;
  let wake = () => {};
  const stop = () => {
    stopping = true;
    server.close();
    wake();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  for (let round = 0; !stopping; round += 1) {
    const started = Date.now();
    const result = await runRound(options, client, metrics, options.labels[round % options.labels.length]!);
    process.stdout.write(`${statusLine(result, new Date())}\n`);
    if (options.once) process.exit(result.journey && result.canary && result.canary.violations.length === 0 ? 0 : 1);
    const wait = started + options.intervalSeconds * 1000 - Date.now();
    if (wait > 0 && !stopping) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
  process.exit(0);
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
