/**
 * The national opening night as a discrete-event simulation over the REAL waiting-room code: the
 * in-process queue store (`MemoryQueueStore`: joins, the pre-queue shuffle, ticks, admissions,
 * extensions, releases) and `WaitingRoom` itself (its refresh every 250 ms performs the opening,
 * runs the adaptive AIMD controller fed by `BookingPathHealth`, and ticks the queue), all under a
 * `ManualClock`. Only what lies outside the waiting room is modelled: the crowd (arrays, not
 * objects), the clients' polling (counted per second, not simulated one by one) and the booking
 * path (capacity, latency, failures). Time advances one refresh (250 ms) at a time; events fall
 * into the refresh they happen in.
 */
import { ManualClock } from '../../src/lib/clock.ts';
import { mulberry32 } from '../../src/modules/institutions/reference/prng.ts';
import { MemoryQueueStore } from '../../src/modules/waiting-room/memory-queue-store.ts';
import { scheduleOf } from '../../src/modules/waiting-room/campaign-schedule.ts';
import { WaitingRoom } from '../../src/modules/waiting-room/waiting-room.ts';
import { BookingPathModel, DoseLedger } from './booking-path-model.ts';
import { drawCrowd, pollIntervalSeconds } from './crowd.ts';
import { nightEvents, type NightProgress } from './night-events.ts';
import { campaignFor, countOutcomes, Ev, firstMinute, newSeries, OPENING_MS, State, TICK_SECONDS } from './night-setup.ts';
import { PollCounter } from './poll-counter.ts';
import type { SimulationConfig } from './simulation-config.ts';
import { countInversions, etaAccuracy, type Invariants, type SimulationResult } from './simulation-result.ts';

/** Runs the night; `onProgress` hears about every simulated minute. */
export async function simulateNight(config: SimulationConfig, onProgress?: (line: string) => void): Promise<SimulationResult> {
  const wallStart = performance.now();
  const crowd = drawCrowd(config.crowd);
  const P = crowd.size;
  const rng = mulberry32(config.crowd.seed ^ 0x51a1);
  const campaign = campaignFor(config);
  const schedule = scheduleOf(campaign);
  const clock = new ManualClock(campaign.queueOpensAt);
  const store = new MemoryQueueStore();
  const room = new WaitingRoom(store, { list: async () => [campaign] }, clock);
  const path = new BookingPathModel(config.bookingPath, mulberry32(config.crowd.seed ^ 0xb00c));
  const ledger = new DoseLedger(config.doses, P);

  const prequeueSeconds = config.crowd.prequeueSeconds;
  const totalSeconds = Math.ceil(prequeueSeconds + config.maxSecondsAfterOpening);
  const totalTicks = Math.ceil(totalSeconds / TICK_SECONDS);
  const startSecond = -prequeueSeconds;
  const secondIndex = (t: number) => Math.min(totalSeconds - 1, Math.max(0, Math.floor(t - startSecond)));
  const tickOf = (t: number) => Math.max(0, Math.ceil((t - startSecond) / TICK_SECONDS - 1e-9));

  const position = new Int32Array(P);
  const posToPerson = new Int32Array(P + 2);
  const state = new Uint8Array(P);
  const attempts = new Uint8Array(P);
  const servedAt = new Float64Array(P).fill(NaN);
  const expiresAt = new Float64Array(P);
  const firstPlaceAt = new Float64Array(P);
  const admissionOrder = new Int32Array(P);

  const series = newSeries(totalSeconds, startSecond);

  const ticks = { tickSeconds: TICK_SECONDS, startSecond, serving: new Float64Array(totalTicks), rate: new Float64Array(totalTicks), deviation: new Float64Array(totalTicks) };
  const inv: Invariants = { oversold: 0, doubleBookings: 0, bounces: 0, fairnessInversions: 0, orderViolations: 0, splitAdmissions: 0 };
  const statuses: Record<string, number> = {};
  const bounceReasons: Record<string, number> = {};
  const polls = new PollCounter(totalSeconds);
  const events: (number[] | undefined)[] = new Array(totalTicks + 1);
  const at = (t: number, person: number, ev: Ev) => {
    const k = tickOf(t);
    if (k >= totalTicks) return;
    (events[k] ??= []).push(person * 8 + ev);
  };

  const progress: NightProgress = { servingUpTo: 0, opened: false, resolved: 0, admittedCount: 0, maxLatencyMs: 0 };
  let peakHeap = 0;
  const { arrive, handle, serveBookings, placePrequeue, bounce } = nightEvents({ config, crowd, rng, schedule, clock, store, room, path, ledger, position, state, attempts, expiresAt, firstPlaceAt, posToPerson, admissionOrder, series, inv, statuses, bounceReasons, polls, secondIndex, at, progress });

  let next = 0;
  let k = 0;
  for (; k < totalTicks; k++) {
    const t = startSecond + k * TICK_SECONDS;
    const nowMs = OPENING_MS + t * 1000;
    clock.set(new Date(nowMs));
    while (next < P && crowd.arrival[next]! < t + TICK_SECONDS) await arrive(next++, t, nowMs);
    const due = events[k];
    events[k] = undefined;
    if (due) for (const code of due) await handle(Math.floor(code / 8), (code % 8) as Ev, t, nowMs);
    await serveBookings(t, nowMs);

    await room.refresh();
    // The app writes this journal to its database after every refresh; here there is none, but it
    // is drained the same way so it does not grow with the crowd.
    store.drainJournal();
    const board = await room.board(campaign);
    if (!progress.opened && board.snapshot.opened) await placePrequeue();
    const serving = board.status.servingUpTo;
    if (serving < progress.servingUpTo) bounce('servingUpTo moved back');
    for (let place = progress.servingUpTo + 1; place <= serving; place++) {
      const i = posToPerson[place]! - 1;
      if (i < 0) continue;
      servedAt[i] = t;
      if (state[i] !== State.Waiting) continue;
      // The client sees its turn on a status document up to a second old, at its next poll.
      const lag = rng() + rng() * pollIntervalSeconds(t - firstPlaceAt[i]!);
      at(t + lag, i, Ev.Admit);
    }
    progress.servingUpTo = Math.max(progress.servingUpTo, serving);
    ticks.serving[k] = serving;
    // What the estimate divides by (0 while the pace is still being measured: no estimate shown).
    ticks.rate[k] = board.status.etaRatePerSecond ?? 0;
    ticks.deviation[k] = board.status.etaRateDeviation;

    if (k % (1 / TICK_SECONDS) === (1 / TICK_SECONDS) - 1) {
      const s = secondIndex(t);
      const snap = board.snapshot;
      const polled = polls.pollsIn(s);
      series.requests[s]! += polled;
      series.polls[s] = polled;
      series.queueLength[s] = snap.issuedUpTo - snap.servingUpTo + snap.prequeueSize;
      series.admitRate[s] = snap.admitRatePerSecond;
      series.targetRate[s] = snap.targetRatePerSecond;
      series.activeAdmissions[s] = snap.activeAdmissions;
      series.bookingBacklog[s] = path.backlog;
      if (s % 60 === 59) {
        peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
        if (s % 300 === 299) onProgress?.(`t=${Math.round(t)} s: joined ${next.toLocaleString('en-US')}, serving ${serving.toLocaleString('en-US')}, admit rate ${snap.admitRatePerSecond.toFixed(0)}/s, booked ${ledger.booked.toLocaleString('en-US')}, backlog ${path.backlog}`);
      }
    }
    if (next === P && progress.resolved === P && t > 0) break;
  }
  const simulatedSeconds = Math.min(totalSeconds, (k + 1) * TICK_SECONDS);
  inv.oversold = ledger.oversold + Math.max(0, -ledger.remaining);
  inv.doubleBookings = ledger.doubleBooked;

  const minute = firstMinute(series, secondIndex(0));
  const used = Math.ceil(simulatedSeconds);
  const trim = <T extends Float64Array>(a: T) => a.subarray(0, used) as T;
  return {
    invariants: inv,
    bounceReasons,
    people: P,
    prequeuePeople: crowd.prequeueCount,
    meanDevices: crowd.meanDevices,
    eligible: config.crowd.eligible,
    outcomes: countOutcomes(state),
    requestsFirstMinute: minute.requests,
    pollsFirstMinute: minute.polls,
    requestsTotal: series.requests.reduce((a, b) => a + b, 0),
    statuses,
    clientOrderInversions: countInversions(admissionOrder, progress.admittedCount, P + 1),
    eta: etaAccuracy({ ...ticks, serving: ticks.serving.subarray(0, k), rate: ticks.rate.subarray(0, k), deviation: ticks.deviation.subarray(0, k) }, firstPlaceAt, position, servedAt),
    simulatedSeconds,
    secondsToDrain: progress.resolved === P ? simulatedSeconds - prequeueSeconds : null,
    series: { startSecond, requests: trim(series.requests), admissions: trim(series.admissions), bookings: trim(series.bookings), queueLength: trim(series.queueLength), admitRate: trim(series.admitRate), targetRate: trim(series.targetRate), activeAdmissions: trim(series.activeAdmissions), bookingBacklog: trim(series.bookingBacklog) },
    doses: { onSale: config.doses, booked: ledger.booked, cancelled: ledger.cancelled, remaining: ledger.remaining },
    maxBookingLatencyMs: progress.maxLatencyMs,
    wallSeconds: (performance.now() - wallStart) / 1000,
    peakHeapMb: Math.max(peakHeap, process.memoryUsage().heapUsed) / 1e6,
  };
}
