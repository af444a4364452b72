/**
 * `npm run detection` — the seconds from a breakage to its alert firing in Prometheus
 * (docs/monitoring.md, "Detection"). Brings up the topology of `npm run cluster` (the synthetic probe
 * and Prometheus with docs/monitoring/alerts.yml included), drives a steady crowd through nginx, and
 * injects each fault of chaos/lib/detection-faults.ts in turn: once every fault's alerts are quiet
 * and the probe succeeds, the fault is injected and Prometheus's /api/v1/alerts read every
 * second until one of them fires (at most `--limit` s); then the fault is mended. Writes
 * bench/results/detection-latest.md; exits 1 when an alert took 60 s or more, or never fired.
 *
 *   npm run detection -- [--faults bookings-locked,…] [--people 6000] [--limit 120] [--out file]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { installSignalHandlers, onCleanup, runAsEntryPoint } from '../bench/lib/processes.ts';
import { revision, writeResult } from '../bench/lib/report.ts';
import { clusterDown } from '../deploy/cluster/down.ts';
import { sleep } from '../deploy/cluster/processes.ts';
import { clusterUp } from '../deploy/cluster/up.ts';
import { runOpeningNight } from '../load/lib/opening-night-run.ts';
import { steadyCrowd } from './lib/steady-crowd.ts';
import { DETECTION_FAULTS, firingAlerts, quiet, type DetectionFault } from './lib/detection-faults.ts';

const root = resolve(import.meta.dirname, '..');
const GOAL_SECONDS = 60;

export interface Detection {
  fault: DetectionFault;
  /** Seconds from the injection to the first of its alerts seen firing; null if none did within the limit. */
  seconds: number | null;
  /** Which of its alerts fired first. */
  firstAlert: string | null;
  /** Every alert seen firing while the fault lasted. */
  seen: string[];
}

async function detect(fault: DetectionFault, limitSeconds: number, log: (line: string) => void, inject: () => Promise<() => Promise<void>>): Promise<Detection> {
  // Every fault starts from a quiet system: none of the alerts any of them raises is firing.
  await quiet([...new Set(DETECTION_FAULTS.flatMap((f) => f.alerts))], 300_000);
  log(`detection: ${fault.name} — ${fault.description}`);
  const started = performance.now();
  const mend = await inject();
  const seen = new Set<string>();
  let seconds: number | null = null;
  let firstAlert: string | null = null;
  try {
    while ((performance.now() - started) / 1000 < limitSeconds) {
      const firing = await firingAlerts();
      for (const a of firing) seen.add(a);
      firstAlert = fault.alerts.find((a) => firing.has(a)) ?? null;
      if (firstAlert) {
        seconds = (performance.now() - started) / 1000;
        break;
      }
      await sleep(1000);
    }
  } finally {
    await mend();
  }
  log(`detection: ${fault.name} → ${firstAlert ? `${firstAlert} after ${seconds!.toFixed(1)} s` : `nothing within ${limitSeconds} s`} (firing: ${[...seen].join(', ') || 'none'})`);
  return { fault, seconds, firstAlert, seen: [...seen].sort() };
}

export function detectionReport(detections: Detection[], command: string, rev: string): string {
  const rows = detections.map(
    (d) => `| ${d.fault.name} | ${d.fault.description} | ${d.fault.alerts.join(', ')} | ${d.seconds === null ? '**none**' : `${d.seconds.toFixed(1)}${d.seconds < GOAL_SECONDS ? '' : ' **(≥ 60)**'}`} | ${d.firstAlert ?? '–'} | ${d.seen.join(', ') || '–'} |`,
  );
  return [
    `# Detection: seconds from a breakage to its alert (goal: under ${GOAL_SECONDS} s)`,
    '',
    `\`${command}\` at ${rev}: the topology of \`npm run cluster\` with the synthetic probe (a journey every 10 s) and Prometheus (scrape and evaluation every 5 s, docs/monitoring/alerts.yml), a steady crowd through nginx. Seconds from the injection to the first of the expected alerts seen firing in \`/api/v1/alerts\` (read every second).`,
    '',
    '| fault | what | expected alerts | seconds | fired first | every alert firing meanwhile |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      faults: { type: 'string', default: DETECTION_FAULTS.map((f) => f.name).join(',') },
      people: { type: 'string', default: '6000' },
      limit: { type: 'string', default: '120' },
      out: { type: 'string' },
    },
  });
  installSignalHandlers();
  const log = (line: string) => console.log(line);
  const faults = values.faults.split(',').map((name) => {
    const fault = DETECTION_FAULTS.find((f) => f.name === name);
    if (!fault) throw new Error(`unknown fault ${name}; known: ${DETECTION_FAULTS.map((f) => f.name).join(', ')}`);
    return fault;
  });
  const limit = Number(values.limit);
  const dir = mkdtempSync(join(tmpdir(), 'yeyak-detection-'));
  onCleanup(`the detection topology in ${dir}`, () => clusterDown(dir).then(() => {}));
  log(`bringing the topology up in ${dir}…`);
  const state = await clusterUp(dir);
  const detections: Detection[] = [];
  try {
    // A crowd that keeps arriving for the whole run: people waiting, bookings and registry reports
    // flowing. Each fault takes about a minute to detect and one or two to mend and quieten.
    const span = 60 + faults.length * 180;
    await runOpeningNight({
      ...steadyCrowd({ people: Number(values.people), spanSeconds: span, state, workers: 1, connections: 128, addresses: 32, minAdmitRate: 5 }),
      during: async ({ openingMs, campaignId, system }) => {
        await sleep(Math.max(0, openingMs + 60_000 - Date.now()));
        const topology = { dir, state, log };
        for (const fault of faults) {
          detections.push(await detect(fault, limit, log, () => fault.inject(topology, { origin: system.origin, operatorKey: system.operatorKey, campaignId })));
        }
      },
      log,
    });
  } finally {
    await clusterDown(dir);
  }
  const command = `npm run detection${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const markdown = detectionReport(detections, command, revision(root));
  writeResult(resolve(root, values.out ?? 'bench/results/detection-latest.md'), markdown);
  console.log(markdown);
  return detections.every((d) => d.seconds !== null && d.seconds < GOAL_SECONDS) ? 0 : 1;
}

runAsEntryPoint(import.meta.url, main, 'detection');
