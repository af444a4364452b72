/**
 * One opening-night load run, start to finish: the system up (system.ts), the night seeded through
 * the operator API (seed.ts), the crowd driven by load worker processes (worker.ts) while the
 * samplers watch, then the apps stopped and the database checked (db-check.ts). Used by
 * `npm run load:opening-night` and by the CI short version (test/opening-night.load.test.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { forkTs, onCleanup, stopChild } from '../../bench/lib/processes.ts';
import type { AdmissionPolicy } from '../../src/modules/campaigns/campaign.ts';
import type { CrowdShape } from './crowd-plan.ts';
import { auditPublicLog, crossCheckLog } from './log-audit.ts';
import { checkDatabase } from './db-check.ts';
import { ControllerSampler } from './controller-sampler.ts';
import { ProcessSampler, StatusSampler } from './samplers.ts';
import { seedNight, SIGUNGUS } from './seed.ts';
import { startSystem, type RunningSystem } from './system.ts';
import { mergeRuns, type OpeningNightResult } from './run-result.ts';
import type { WorkerMessage, WorkerResult, WorkerStart } from './worker.ts';

const root = resolve(import.meta.dirname, '../..');

export interface OpeningNightOptions {
  people: number;
  /** Load worker processes, and keep-alive connections per worker. */
  workers: number;
  connections: number;
  /** App processes (scale-out only) and whether to use DATABASE_URL + REDIS_URL. */
  apps: number;
  scaleOut: boolean;
  shape: CrowdShape;
  admission: AdmissionPolicy;
  /** Dose-1 doses on sale as a share of the eligible people. */
  doseShare: number;
  minPollSeconds: number;
  maxPollSeconds: number;
  /** A waiting person who has seen `soldOut` this long leaves ("told sold out while waiting"). */
  soldOutPatienceSeconds: number;
  /** Journeys stop this long after the opening (those still waiting are counted as such). */
  maxSecondsAfterOpening: number;
  appEnv?: Record<string, string>;
  log: (line: string) => void;
  /** The system under test, when not the one `startSystem` starts (the chaos suite's cluster). */
  system?: () => Promise<RunningSystem>;
  /**
   * Source addresses for the generator's connections (see `LoadClient`): each worker opens one
   * pool per address, so a balancer sees that many clients. None: one pool from 127.0.0.1.
   */
  localAddresses?: string[];
  /** Runs beside the crowd from the moment it starts (the chaos suite injects its faults here); its failure fails the run. */
  during?: (run: { system: RunningSystem; openingMs: number; campaignId: string }) => Promise<void>;
}

export async function runOpeningNight(o: OpeningNightOptions): Promise<OpeningNightResult> {
  const system = o.system ? await o.system() : await startSystem({ apps: o.apps, scaleOut: o.scaleOut, env: o.appEnv });
  const campaignId = `night-${randomBytes(4).toString('hex')}`;
  const workers: ChildProcess[] = [];
  // Once, whichever comes first: the run's end, or Ctrl-C (`installSignalHandlers` in the command).
  let cleaned: Promise<void> | null = null;
  const cleanUpRun = () =>
    (cleaned ??= (async () => {
      await Promise.all(workers.map((w) => stopChild(w, 5000)));
      await system.cleanUp(campaignId);
    })());
  onCleanup(`load run ${campaignId}: its workers, apps, database and Redis keys`, cleanUpRun);
  try {
    o.log(`${system.mode} system up at ${system.origin} (${system.processes.map(([pid, label]) => `${label} ${pid}`).join(', ')})`);
    const eligible = Math.round(o.people * (1 - o.shape.ineligibleShare));
    const doses = Math.max(1, Math.round(eligible * o.doseShare));
    const clinics = Math.max(10, Math.ceil(o.people / 100));
    // Capacity is written before the queue opens: allow about 2,000 rows a second for it.
    const setupSeconds = Math.max(10, Math.ceil((clinics * 180) / 2000));
    const queueOpensAt = new Date(Date.now() + setupSeconds * 1000);
    const opensAt = new Date(queueOpensAt.getTime() + o.shape.prequeueSeconds * 1000);
    const seeded = await seedNight({ origin: system.origin, operatorKey: system.operatorKey, campaignId, doses, clinics, queueOpensAt, opensAt, admission: o.admission });
    o.log(`seeded ${seeded.clinics} clinics, ${seeded.doses} dose-1 doses (${seeded.dosesPerSlot} a slot) in ${seeded.seconds.toFixed(1)} s; the queue opens ${queueOpensAt.toISOString()}, the opening is ${opensAt.toISOString()}`);
    const setupOverrunSeconds = Math.max(0, (Date.now() - queueOpensAt.getTime()) / 1000);

    const processes = new ProcessSampler();
    for (const [pid, label] of system.processes) processes.watch(pid, label);
    processes.watch(process.pid, 'orchestrator (this process)');
    for (const [pid, label] of await system.serverProcesses()) processes.watch(pid, label);
    const status = new StatusSampler(system.origin, campaignId, opensAt.getTime());
    const controller = new ControllerSampler(system.origin, campaignId, opensAt.getTime());
    const openingMs = opensAt.getTime();
    const settings = { runId: randomBytes(3).toString('hex'), campaignId, openingMs, deadlineMs: openingMs + o.maxSecondsAfterOpening * 1000, minPollSeconds: o.minPollSeconds, maxPollSeconds: o.maxPollSeconds, soldOutPatienceSeconds: o.soldOutPatienceSeconds, sigungus: SIGUNGUS, dates: seeded.dates };
    const results: WorkerResult[] = [];
    const progress = new Map<number, { done: number; admitted: number; booked: number }>();
    const finished = Promise.all(
      Array.from({ length: o.workers }, (_, w) => {
        const child = forkTs(resolve(root, 'load/lib/worker.ts'), { cwd: root, env: process.env, execArgv: ['--max-old-space-size=4096'] });
        workers.push(child);
        processes.watch(child.pid!, `load worker ${w + 1}`);
        const addresses = o.localAddresses ?? [];
        // One pool per source address, the connections shared among them.
        const origins = addresses.length ? addresses.map(() => system.origin) : [system.origin];
        const connections = Math.max(1, Math.round(o.connections / origins.length));
        const start: WorkerStart = { type: 'start', worker: w, workers: o.workers, people: o.people, origins, localAddresses: addresses, connections, shape: o.shape, settings };
        child.send(start);
        return new Promise<void>((done, fail) => {
          child.on('message', (m: WorkerMessage) => {
            if (m.type === 'progress') progress.set(m.worker, m);
            else if (m.type === 'result') {
              results.push(m);
              done();
            } else if (m.type === 'failed') fail(new Error(`load worker ${m.worker + 1} failed: ${m.error}`));
          });
          child.once('exit', (code) => (results.some((r) => r.worker === w) ? done() : fail(new Error(`load worker ${w + 1} exited (${code}) without a result`))));
        });
      }),
    );
    processes.start();
    // The apps' database pools open connections as the crowd grows: each new backend is watched
    // from when it is found (found once, before the run, they left most of PostgreSQL's CPU out).
    const backends = setInterval(() => {
      void system.serverProcesses().then((found) => {
        for (const [pid, label] of found) processes.watch(pid, label);
      }, () => {});
    }, 5000);
    status.start();
    controller.start();
    const ticker = setInterval(() => {
      const sum = [...progress.values()].reduce((a, p) => ({ done: a.done + p.done, admitted: a.admitted + p.admitted, booked: a.booked + p.booked }), { done: 0, admitted: 0, booked: 0 });
      const last = status.points[status.points.length - 1];
      const c = controller.points[controller.points.length - 1];
      const ms = (x: number | null | undefined) => (x == null ? '?' : x.toFixed(0));
      o.log(
        `t=${((Date.now() - openingMs) / 1000).toFixed(0)} s: ${sum.done}/${o.people} journeys done, ${sum.admitted} admitted, ${sum.booked} booked; queue ${last?.state ?? '?'} length ${last?.queueLength ?? '?'}, admit rate ${last?.admitRate ?? '?'}/s, pace ${last?.etaRate?.toFixed(0) ?? '?'}/s; ` +
          `controller ${ms(c?.targetRate)}/s, active ${ms(c?.activeAdmissions)}/${ms(c?.activeLimit)}, path p99 ${ms(c?.bookingP99Ms)} ms, loop p99 ${ms(c?.loopDelayP99Ms)} ms, db ${ms(c?.dbStatementMeanMs)} ms + pool main ${ms(c?.mainPoolWaitMeanMs)} ms, booking ${ms(c?.bookingPoolWaitMeanMs)} ms`,
      );
    }, 10_000);
    try {
      await Promise.all([finished, o.during?.({ system, openingMs, campaignId })]);
    } finally {
      clearInterval(ticker);
      clearInterval(backends);
      processes.stop();
      await status.stop();
      await controller.stop();
    }
    const publicAudit = await auditPublicLog(system.origin, campaignId);
    await system.stopApps();
    const database = await checkDatabase(system.env, campaignId);
    const queueLog = publicAudit === null ? null : await crossCheckLog(system.env, campaignId, publicAudit);
    if (queueLog) o.log(`queue log audited: ${queueLog.entries} entries, ${queueLog.violations.length} violations (${queueLog.seconds.toFixed(1)} s)`);
    const merged = mergeRuns({ options: o, mode: system.mode, seeded, campaignId, results, statusPoints: status.points, controllerPoints: controller.points, processes: processes.figures(), database, setupOverrunSeconds, openingMs });
    return { ...merged, queueLog };
  } finally {
    await cleanUpRun();
  }
}
