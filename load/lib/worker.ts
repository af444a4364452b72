/**
 * A load worker process (forked by load/lib/opening-night-run.ts with an IPC channel, never run by
 * hand): runs the citizens whose index ≡ `worker` (mod `workers`), all at once — each mostly
 * asleep between polls — over one keep-alive client, reports progress every two seconds and its
 * tallies at the end.
 */
import { LoadClient } from './client.ts';
import { planCitizen, type CrowdShape } from './crowd-plan.ts';
import { citizen, type Journey, type JourneySettings } from './journey.ts';
import { newRecord, type JourneyRecord } from './journey-record.ts';
import type { Counts, Histogram } from './tallies.ts';

export interface WorkerStart {
  type: 'start';
  worker: number;
  workers: number;
  people: number;
  origins: string[];
  /** Source addresses for the pools (see `LoadClient`); none: the system's default. */
  localAddresses?: string[];
  connections: number;
  shape: CrowdShape;
  settings: JourneySettings;
}

/** What a worker sends back: its citizens' record (per-second series as plain arrays) and its HTTP figures. */
export interface WorkerResult extends Omit<JourneyRecord, 'admissionsPerSecond' | 'bookingsPerSecond'> {
  type: 'result';
  worker: number;
  latency: Record<string, Histogram>;
  statuses: Record<string, Counts>;
  shed: Record<string, Counts>;
  clientWait: Histogram;
  requestsPerSecond: number[];
  failuresPerSecond: number[];
  deliberatePerSecond: number[];
  admissionsPerSecond: number[];
  bookingsPerSecond: number[];
}

export type WorkerMessage = WorkerResult | { type: 'progress'; worker: number; done: number; admitted: number; booked: number } | { type: 'failed'; worker: number; error: string };

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolveSend) => (process.send ? process.send(message, undefined, {}, () => resolveSend()) : resolveSend()));
}

async function run(start: WorkerStart): Promise<void> {
  const offsetSeconds = Math.ceil(start.shape.prequeueSeconds) + 5;
  const client = new LoadClient(start.origins, start.connections, start.settings.openingMs, offsetSeconds, start.localAddresses);
  const j: Journey = { client, settings: start.settings, record: newRecord(offsetSeconds) };
  let done = 0;
  const progress = setInterval(() => void send({ type: 'progress', worker: start.worker, done, admitted: j.record.admissions.length / 2, booked: j.record.booked201 }), 2000);
  try {
    const journeys: Promise<void>[] = [];
    for (let i = start.worker; i < start.people; i += start.workers) {
      journeys.push(
        citizen(j, planCitizen(start.shape, i)).finally(() => {
          done++;
        }),
      );
    }
    await Promise.all(journeys);
  } finally {
    clearInterval(progress);
    await client.close();
  }
  const r = j.record;
  await send({
    type: 'result',
    worker: start.worker,
    latency: client.latency,
    statuses: client.statuses,
    shed: client.shed,
    clientWait: client.clientWait,
    requestsPerSecond: client.requests.values,
    failuresPerSecond: client.failures.values,
    deliberatePerSecond: client.deliberate.values,
    admissionsPerSecond: r.admissionsPerSecond.values,
    bookingsPerSecond: r.bookingsPerSecond.values,
    outcomes: r.outcomes,
    bounces: r.bounces,
    anomalies: r.anomalies,
    bounceTimes: r.bounceTimes,
    anomalyTimes: r.anomalyTimes,
    admissions: r.admissions,
    refusals: r.refusals,
    eta: r.eta,
    estimates: r.estimates,
    waitersPlacedAt: r.waitersPlacedAt,
    booked201: r.booked201,
    cancelled: r.cancelled,
    changed: r.changed,
  });
}

process.once('message', (message: WorkerStart) => {
  run(message)
    .catch((error: unknown) => send({ type: 'failed', worker: message.worker, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }))
    .finally(() => process.disconnect?.());
});
process.on('disconnect', () => process.exit(0));
