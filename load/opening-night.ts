/**
 * `npm run load:opening-night` — the real Yeyak under the shape of an opening-night crowd over real
 * HTTP (load/README.md). Writes bench/results/opening-night-latest.md and its charts; exits 1 when
 * an invariant broke, 2 when the run itself failed.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { installSignalHandlers } from '../bench/lib/processes.ts';
import { revision, writeResult } from '../bench/lib/report.ts';
import { defaultShape } from './lib/crowd-plan.ts';
import { failedLoadInvariants, loadReport, writeLoadCharts } from './lib/load-report.ts';
import { runOpeningNight, type OpeningNightOptions } from './lib/opening-night-run.ts';

const root = resolve(import.meta.dirname, '..');

function options(): { run: OpeningNightOptions; out: string } {
  const { values } = parseArgs({
    options: {
      people: { type: 'string', default: '200000' },
      workers: { type: 'string', default: '2' },
      connections: { type: 'string', default: '512' },
      apps: { type: 'string', default: '2' },
      'prequeue-seconds': { type: 'string' },
      'spike-seconds': { type: 'string' },
      'tail-seconds': { type: 'string' },
      rate: { type: 'string', default: '1000' },
      'max-active': { type: 'string', default: '20000' },
      mode: { type: 'string', default: 'adaptive' },
      'dose-share': { type: 'string', default: '0.8' },
      'max-poll-seconds': { type: 'string', default: '10' },
      'sold-out-patience': { type: 'string', default: '30' },
      minutes: { type: 'string', default: '30' },
      'db-pool': { type: 'string' },
      'booking-pool': { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const num = (name: keyof typeof values): number => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`);
    return n;
  };
  const shape = defaultShape();
  if (values['prequeue-seconds'] !== undefined) shape.prequeueSeconds = num('prequeue-seconds');
  if (values['spike-seconds'] !== undefined) shape.spikeMeanSeconds = num('spike-seconds');
  if (values['tail-seconds'] !== undefined) shape.tailMeanSeconds = num('tail-seconds');
  if (values.seed !== undefined) shape.seed = num('seed');
  if (values.mode !== 'adaptive' && values.mode !== 'fixed') throw new Error('--mode is adaptive or fixed');
  const scaleOut = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
  return {
    run: {
      people: num('people'),
      workers: Math.max(1, num('workers')),
      connections: Math.max(1, num('connections')),
      apps: scaleOut ? Math.max(1, num('apps')) : 1,
      scaleOut,
      shape,
      admission: { mode: values.mode, ratePerSecond: num('rate'), maxActive: num('max-active') },
      doseShare: num('dose-share'),
      minPollSeconds: 0.5,
      maxPollSeconds: num('max-poll-seconds'),
      soldOutPatienceSeconds: num('sold-out-patience'),
      maxSecondsAfterOpening: num('minutes') * 60,
      // Each app process's database pools (YEYAK_DB_POOL_SIZE, YEYAK_DB_BOOKING_POOL_SIZE); the app's defaults when not given.
      appEnv: {
        ...(values['db-pool'] === undefined ? {} : { YEYAK_DB_POOL_SIZE: String(Math.max(1, num('db-pool'))) }),
        ...(values['booking-pool'] === undefined ? {} : { YEYAK_DB_BOOKING_POOL_SIZE: String(num('booking-pool')) }),
      },
      log: (line) => console.log(line),
    },
    out: resolve(root, values.out ?? 'bench/results/opening-night-latest.md'),
  };
}

async function main(): Promise<number> {
  const { run, out } = options();
  // Ctrl-C stops the workers and apps and drops the run's database and Redis keys before exiting.
  installSignalHandlers();
  if (!run.scaleOut && (process.env.DATABASE_URL || process.env.REDIS_URL)) console.log('only one of DATABASE_URL / REDIS_URL is set: running the embedded default');
  const result = await runOpeningNight(run);
  const charts = writeLoadCharts(result, out);
  const command = `npm run load:opening-night${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const markdown = loadReport(result, charts, command, revision(root));
  writeResult(out, markdown);
  console.log(markdown);
  console.log(`report: ${out}`);
  const failed = failedLoadInvariants(result);
  if (failed.length) console.error(`invariants broken: ${failed.join(', ')}`);
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('load:opening-night failed:', error);
    process.exit(2);
  },
);
