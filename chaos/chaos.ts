/**
 * `npm run chaos` — faults under load through the balancer (docs/reliability.md). Brings up the
 * topology of `npm run cluster` in its own directory (or uses one already running in
 * YEYAK_CLUSTER_DIR with --use-running), drives a steady opening-night crowd through nginx, and
 * injects one fault at a time (chaos/lib/faults.ts), each after a steady minute and followed by a
 * recovery minute. Writes bench/results/chaos-latest.md with a chart per fault; exits 1 when an
 * invariant broke (lost, double, oversold, moved back, refused after granted), 2 when the run failed.
 *
 *   npm run chaos -- [--people 30000] [--faults node-kill,redis-failover,…] [--steady 60] [--recovery 60] [--use-running] [--out file]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { installSignalHandlers, onCleanup, runAsEntryPoint } from '../bench/lib/processes.ts';
import { revision, writeResult } from '../bench/lib/report.ts';
import { clusterDown } from '../deploy/cluster/down.ts';
import { clusterDir } from '../deploy/cluster/layout.ts';
import { alive, readState, type ClusterState } from '../deploy/cluster/processes.ts';
import { clusterUp } from '../deploy/cluster/up.ts';
import { runOpeningNight } from '../load/lib/opening-night-run.ts';
import { brokenChaosInvariants, brokenOutreach, chaosReport, writeChaosCharts } from './lib/chaos-report.ts';
import { outreachFigures } from './lib/outreach-check.ts';
import { faultFigures, injectFaults, type FaultWindow } from './lib/chaos-run.ts';
import { steadyCrowd } from './lib/steady-crowd.ts';
import { FAULTS } from './lib/faults.ts';

const root = resolve(import.meta.dirname, '..');

/** Rough length of each fault's injection (s), to size the steady crowd. */
const EXPECTED_SECONDS: Record<string, number> = {
  'node-kill': 25,
  'rolling-restart': 40,
  'redis-failover': 45,
  'redis-restart': 15,
  'redis-flushall': 1,
  'postgres-failover': 70,
  'postgres-pause': 10,
  'postgres-stall': 60,
  'registry-down': 120,
  'registry-slow': 120,
  'gateway-failing': 120,
  'clock-skew': 120,
  'cpu-starvation': 60,
};

export interface ChaosOptions {
  people: number;
  faults: string[];
  steadySeconds: number;
  recoverySeconds: number;
  useRunning: boolean;
  log: (line: string) => void;
}

/** One chaos run: the topology (started here unless running), the crowd, the faults; the result and per-fault figures. */
export async function runChaos(o: ChaosOptions) {
  const faults = o.faults.map((name) => {
    const fault = FAULTS.find((f) => f.name === name);
    if (!fault) throw new Error(`unknown fault ${name}; known: ${FAULTS.map((f) => f.name).join(', ')}`);
    return fault;
  });
  let dir: string;
  let state: ClusterState;
  let ours = false;
  if (o.useRunning) {
    dir = clusterDir();
    const running = readState(dir);
    if (!running || !running.parts.every((p) => alive(p.pid))) throw new Error(`no healthy topology in ${dir} (npm run cluster -- up)`);
    state = running;
  } else {
    dir = mkdtempSync(join(tmpdir(), 'yeyak-chaos-'));
    ours = true;
    onCleanup(`the chaos topology in ${dir}`, () => clusterDown(dir).then(() => {}));
    o.log(`bringing the topology up in ${dir}…`);
    state = await clusterUp(dir);
  }
  try {
    const span = o.steadySeconds + faults.reduce((s, f) => s + (EXPECTED_SECONDS[f.name] ?? 60) + o.recoverySeconds, 0);
    let windows: FaultWindow[] = [];
    const result = await runOpeningNight({
      ...steadyCrowd({ people: o.people, spanSeconds: span, state, workers: 2, connections: 256, addresses: 64, minAdmitRate: 10 }),
      during: async ({ openingMs }) => {
        windows = await injectFaults({ dir, state, log: o.log }, faults, openingMs, o.steadySeconds, o.recoverySeconds);
      },
      log: o.log,
    });
    // Messages and registry events, once the outbox has drained (or 5 minutes), against what the stand-ins received.
    const outreach = await outreachFigures(300, o.log);
    return { result, figures: windows.map((w) => faultFigures(result, w)), outreach };
  } finally {
    if (ours) await clusterDown(dir);
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      people: { type: 'string', default: '30000' },
      faults: { type: 'string', default: FAULTS.map((f) => f.name).join(',') },
      steady: { type: 'string', default: '60' },
      recovery: { type: 'string', default: '60' },
      'use-running': { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  installSignalHandlers();
  const out = resolve(root, values.out ?? 'bench/results/chaos-latest.md');
  const { result, figures, outreach } = await runChaos({
    people: Number(values.people),
    faults: values.faults.split(',').filter(Boolean),
    steadySeconds: Number(values.steady),
    recoverySeconds: Number(values.recovery),
    useRunning: values['use-running'],
    log: (line) => console.log(line),
  });
  const charts = writeChaosCharts(result, figures, out);
  const command = `npm run chaos${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const markdown = chaosReport(result, figures, outreach, charts, command, revision(root));
  writeResult(out, markdown);
  console.log(markdown);
  const broken = [...brokenChaosInvariants(result), ...brokenOutreach(outreach)];
  if (broken.length) console.error(`invariants broken: ${broken.join(', ')}`);
  return broken.length ? 1 : 0;
}

runAsEntryPoint(import.meta.url, main, 'chaos');
