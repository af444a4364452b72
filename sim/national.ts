/**
 * `npm run sim:national` — the national opening night (BRIEF §6: 20 million eligible, about 10
 * million requests in the first minute) run through the real waiting-room code under a simulated
 * clock. Prints progress, writes bench/results/national-sim-latest.md and its charts, and exits 1
 * if an invariant broke. `--short` is the CI version (100,000 people).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { revision, writeResult } from '../bench/lib/report.ts';
import { simulateNight } from './lib/national-simulation.ts';
import { nationalConfig, shortConfig, type SimulationConfig } from './lib/simulation-config.ts';
import { failedInvariants, simReport, writeSimCharts } from './lib/sim-report.ts';

const root = resolve(import.meta.dirname, '..');

function configFromArgs(): { config: SimulationConfig; out: string } {
  const { values } = parseArgs({
    options: {
      short: { type: 'boolean', default: false },
      eligible: { type: 'string' },
      turnout: { type: 'string' },
      'booking-capacity': { type: 'string' },
      'booking-capacity-later': { type: 'string' },
      'booking-capacity-ramp-seconds': { type: 'string' },
      'failure-rate': { type: 'string' },
      rate: { type: 'string' },
      'max-active': { type: 'string' },
      mode: { type: 'string' },
      doses: { type: 'string' },
      hours: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const config = values.short ? shortConfig() : nationalConfig();
  const num = (v: string | undefined, name: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, not "${v}"`);
    return n;
  };
  config.crowd.eligible = num(values.eligible, 'eligible') ?? config.crowd.eligible;
  config.crowd.turnout = num(values.turnout, 'turnout') ?? config.crowd.turnout;
  config.crowd.seed = num(values.seed, 'seed') ?? config.crowd.seed;
  config.bookingPath.capacityPerSecond = num(values['booking-capacity'], 'booking-capacity') ?? config.bookingPath.capacityPerSecond;
  const later = num(values['booking-capacity-later'], 'booking-capacity-later');
  if (later !== undefined) config.bookingPath.ramp = { toPerSecond: later, overSeconds: num(values['booking-capacity-ramp-seconds'], 'booking-capacity-ramp-seconds') ?? 600 };
  config.bookingPath.failureRate = num(values['failure-rate'], 'failure-rate') ?? config.bookingPath.failureRate;
  config.admission.ratePerSecond = num(values.rate, 'rate') ?? config.admission.ratePerSecond;
  config.admission.maxActive = num(values['max-active'], 'max-active') ?? config.admission.maxActive;
  config.doses = num(values.doses, 'doses') ?? config.doses;
  config.maxSecondsAfterOpening = (num(values.hours, 'hours') ?? config.maxSecondsAfterOpening / 3600) * 3600;
  if (values.mode !== undefined) {
    if (values.mode !== 'adaptive' && values.mode !== 'fixed') throw new Error('--mode is adaptive or fixed');
    config.admission.mode = values.mode;
  }
  if (config.crowd.eligible * config.crowd.turnout > 16_000_000) throw new Error('at most 16 million people can come (a JavaScript Map holds 2^24 entries): lower --turnout');
  const out = resolve(root, values.out ?? `bench/results/national-sim${values.short ? '-short' : ''}-latest.md`);
  return { config, out };
}

async function main(): Promise<void> {
  const { config, out } = configFromArgs();
  console.log(`simulating ${(config.crowd.eligible * config.crowd.turnout).toLocaleString('en-US')} people of ${config.crowd.eligible.toLocaleString('en-US')} eligible…`);
  const result = await simulateNight(config, (line) => console.log(`  ${line}`));
  const charts = writeSimCharts(result, out);
  const command = `npm run sim:national${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const markdown = simReport(config, result, charts, command, revision(root));
  writeResult(out, markdown);
  console.log(markdown);
  console.log(`report: ${out}`);
  const failed = failedInvariants(result);
  if (failed.length > 0) {
    console.error(`invariants broken: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
