/**
 * The registry stand-in as its own process (`npm run registry:stand-in`). Flags (or env):
 *
 *   --port 4500 (REGISTRY_PORT)                 0 picks a free port; the port is printed
 *   --latency-ms 50-500 (REGISTRY_LATENCY_MS)   each answer takes between these
 *   --concurrency 8 (REGISTRY_CONCURRENCY)      requests served at once; more get 503
 *   --failure-rate 0.01 (REGISTRY_FAILURE_RATE) share answered 500
 *   --outage-every 0 --outage-duration 0        seconds (REGISTRY_OUTAGE_EVERY_S, REGISTRY_OUTAGE_DURATION_S)
 *   --ack-loss-rate 0 (REGISTRY_ACK_LOSS_RATE)  share of events recorded but answered 500 (a lost reply)
 *   --clinics 0 (REGISTRY_CLINICS)              demo clinics to hold (the same generator as Yeyak's demo)
 *
 * Prints one line `registry stand-in listening on <url>` when ready; stops on SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { generateClinics } from '../../modules/institutions/index.ts';
import { startRegistryStandIn } from './registry-server.ts';

const env = process.env;
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: env.REGISTRY_PORT ?? '4500' },
    'latency-ms': { type: 'string', default: env.REGISTRY_LATENCY_MS ?? '50-500' },
    concurrency: { type: 'string', default: env.REGISTRY_CONCURRENCY ?? '8' },
    'failure-rate': { type: 'string', default: env.REGISTRY_FAILURE_RATE ?? '0.01' },
    'outage-every': { type: 'string', default: env.REGISTRY_OUTAGE_EVERY_S ?? '0' },
    'outage-duration': { type: 'string', default: env.REGISTRY_OUTAGE_DURATION_S ?? '0' },
    clinics: { type: 'string', default: env.REGISTRY_CLINICS ?? '0' },
    'ack-loss-rate': { type: 'string', default: env.REGISTRY_ACK_LOSS_RATE ?? '0' },
  },
});

function number(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    console.error(`--${name} must be a number between ${min} and ${max}, got "${raw}"`);
    process.exit(2);
  }
  return n;
}

const latency = values['latency-ms'].split('-').map((part) => number('latency-ms', part, 0, 600_000));
const minLatency = latency[0] ?? 0;
const maxLatency = latency[1] ?? minLatency;
const standIn = await startRegistryStandIn({
  port: number('port', values.port, 0, 65535),
  clinics: generateClinics(number('clinics', values.clinics, 0, 100_000)),
  behaviour: {
    latencyMs: [minLatency, maxLatency],
    concurrency: number('concurrency', values.concurrency, 1, 10_000),
    failureRate: number('failure-rate', values['failure-rate'], 0, 1),
    ackLossRate: number('ack-loss-rate', values['ack-loss-rate'], 0, 1),
    outage: { everyS: number('outage-every', values['outage-every'], 0, 86_400), durationS: number('outage-duration', values['outage-duration'], 0, 86_400) },
  },
});
process.stdout.write(`registry stand-in listening on ${standIn.url}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void standIn.close().then(() => process.exit(0)));
