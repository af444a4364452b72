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
import { joinsPrequeue } from '../../src/modules/waiting-room/domain/queue-state.ts';
import { MemoryQueueStore } from '../../src/modules/waiting-room/memory-queue-store.ts';
import { REFRESH_MS, scheduleOf, WaitingRoom } from '../../src/modules/waiting-room/waiting-room.ts';
import { BookingPathModel, DoseLedger } from './booking-path-model.ts';
import { drawCrowd, pollIntervalSeconds } from './crowd.ts';
import { campaignFor, CAMPAIGN_ID, countOutcomes, Ev, firstMinute, newSeries, OPENING_MS, State } from './night-setup.ts';
import { PollCounter } from './poll-counter.ts';
import type { SimulationConfig } from './simulation-config.ts';
import { countInversions, etaAccuracy, type Invariants, type SimulationResult } from './simulation-result.ts';

const TICK_SECONDS = REFRESH_MS / 1000;

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
  const ttlMs = config.admissionTtlSeconds * 1000;

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
  let admittedCount = 0;
  const key = (i: number) => `p${i.toString(36)}`;

  const series = newSeries(totalSeconds, startSecond);

  const ticks = { tickSeconds: TICK_SECONDS, startSecond, serving: new Float64Array(totalTicks), rate: new Float64Array(totalTicks), deviation: new Float64Array(totalTicks) };
  const inv: Invariants = { oversold: 0, doubleBookings: 0, bounces: 0, fairnessInversions: 0, orderViolations: 0, splitAdmissions: 0 };
  const statuses: Record<string, number> = {};
  const bounceReasons: Record<string, number> = {};
  const bounce = (reason: string) => {
    inv.bounces++;
    bounceReasons[reason] = (bounceReasons[reason] ?? 0) + 1;
  };
  const count = (status: string, n = 1) => (statuses[status] = (statuses[status] ?? 0) + n);
  const request = (t: number, n = 1) => (series.requests[secondIndex(t)]! += n);
  const polls = new PollCounter(totalSeconds);
  const events: (number[] | undefined)[] = new Array(totalTicks + 1);
  const at = (t: number, person: number, ev: Ev) => {
    const k = tickOf(t);
    if (k >= totalTicks) return;
    (events[k] ??= []).push(person * 8 + ev);
  };

  let servingUpTo = 0;
  let lastFcfsPlace = 0;
  let maxAdmittedPlace = 0;
  let resolved = 0;
  let maxLatencyMs = 0;
  let opened = false;
  let peakHeap = 0;
  const resolve = (i: number, s: State) => {
    state[i] = s;
    resolved++;
  };
  const stopPolling = (i: number) => polls.remove(secondIndex(crowd.arrival[i]!), crowd.devices[i]!);

  const admitted = (i: number, t: number, expiresAtMs: number) => {
    state[i] = State.Admitted;
    expiresAt[i] = expiresAtMs;
    admissionOrder[admittedCount++] = position[i]!;
    maxAdmittedPlace = Math.max(maxAdmittedPlace, position[i]!);
    series.admissions[secondIndex(t)]! += 1;
    stopPolling(i);
    const think = config.thinkSeconds[0] + rng() * (config.thinkSeconds[1] - config.thinkSeconds[0]);
    request(t + think / 2, config.searchesPerPerson);
    count('200 clinic search', config.searchesPerPerson);
    at(t + think, i, Ev.Book);
  };

  /** One device asks for an admission the way the route does: the board first, then the store. */
  const askAdmission = async (i: number, nowMs: number, t: number): Promise<string | null> => {
    request(t);
    const place = position[i]!;
    const record = place <= servingUpTo ? await store.admit(CAMPAIGN_ID, key(i), place, nowMs, ttlMs) : null;
    if (record) {
      count(record.created ? '201 admission' : '201 admission (same again)');
      return record.id;
    }
    count('425 not yet');
    if (maxAdmittedPlace > place) inv.fairnessInversions++;
    return null;
  };

  // One window, one round: before its opening a join waits in round 0's pre-queue.
  const prequeueRound = () => (joinsPrequeue(schedule, clock.now()) ? 0 : null);

  const arrive = async (i: number, t: number, nowMs: number) => {
    const devices = crowd.devices[i]!;
    request(t, 2); // the identity check and the join of the first device
    count('201 identity');
    if (rng() < config.crowd.ineligibleShare) {
      request(t, 2);
      count('403 not eligible');
    }
    const joined = await store.join(CAMPAIGN_ID, key(i), nowMs, prequeueRound());
    count(joined.created ? '201 ticket' : '200 ticket (same place)');
    // A first-come join performs the opening in the store if no refresh has yet.
    if (joined.position !== null && !opened) await placePrequeue();
    if (!joined.created) bounce('a first join found a place already taken');
    firstPlaceAt[i] = Math.max(t, 0);
    if (joined.position !== null) {
      position[i] = joined.position;
      posToPerson[joined.position] = i + 1;
      if (joined.position <= lastFcfsPlace) inv.orderViolations++;
      lastFcfsPlace = joined.position;
    }
    polls.add(secondIndex(t), devices);
    for (let d = 1; d < devices; d++) at(t + 1 + rng() * 119, i, Ev.ExtraDevice);
    if (rng() < config.earlyProbeShare) at(Math.max(t, 0) + rng() * 300, i, Ev.EarlyProbe);
    if (Number.isFinite(crowd.abandonAt[i]!)) at(crowd.abandonAt[i]!, i, Ev.Abandon);
  };

  const handle = async (i: number, ev: Ev, t: number, nowMs: number) => {
    switch (ev) {
      case Ev.ExtraDevice: {
        request(t, 2);
        count('201 identity');
        const joined = await store.join(CAMPAIGN_ID, key(i), nowMs, prequeueRound());
        count(joined.created ? '201 ticket' : '200 ticket (same place)');
        if (joined.position !== null && !opened) await placePrequeue();
        // Another device must get the same place (or the same pending pre-queue place): else a bounce.
        if (joined.created || (joined.position ?? 0) !== position[i]) bounce('another device got another place');
        return;
      }
      case Ev.EarlyProbe:
        if (state[i] === State.Waiting && position[i]! > 0 && position[i]! > servingUpTo) {
          const id = await askAdmission(i, nowMs, t);
          if (id !== null) admitted(i, t, nowMs + ttlMs);
        }
        return;
      case Ev.Abandon:
        if (state[i] === State.Waiting) {
          stopPolling(i);
          resolve(i, State.Abandoned);
        }
        return;
      case Ev.Admit: {
        if (state[i] !== State.Waiting) return;
        // Every device sees its turn on the shared status and asks: one admission for all of them.
        let first: string | null = null;
        for (let d = 0; d < crowd.devices[i]!; d++) {
          const id = await askAdmission(i, nowMs, t);
          if (id === null) bounce('refused admission after the turn came');
          else if (first === null) first = id;
          else if (id !== first) inv.splitAdmissions++;
        }
        if (first !== null) admitted(i, t, nowMs + ttlMs);
        return;
      }
      case Ev.Book: {
        request(t);
        // The booking gate: an expired admission is refused (the person would have to queue again).
        if (nowMs >= expiresAt[i]!) {
          bounce('admission expired before the booking');
          count('401 admission expired');
          resolve(i, State.Bounced);
          return;
        }
        if (expiresAt[i]! - nowMs <= ttlMs / 2) {
          const extended = await store.extend(CAMPAIGN_ID, key(i), nowMs, ttlMs);
          if (extended === null) bounce('admission could not be extended');
          else expiresAt[i] = extended;
        }
        path.enqueue(i, t);
        return;
      }
      case Ev.Cancel:
        if (state[i] === State.Booked) {
          request(t);
          count('200 cancel');
          ledger.cancel(i);
          state[i] = State.Cancelled;
        }
        return;
    }
  };

  const serveBookings = async (t: number, nowMs: number) => {
    for (const call of path.serve(t, TICK_SECONDS)) {
      const i = call.person;
      maxLatencyMs = Math.max(maxLatencyMs, call.latencyMs);
      room.bookingPath.record(nowMs, call.latencyMs, call.failed);
      if (call.failed) {
        count('503 booking failed');
        attempts[i]!++;
        if (attempts[i]! < config.maxBookingAttempts) at(t + config.retryDelaySeconds, i, Ev.Book);
        else resolve(i, State.GaveUp);
        continue;
      }
      if (ledger.book(i)) {
        count('201 booking');
        series.bookings[secondIndex(t)]! += 1;
        resolve(i, State.Booked);
        if (rng() < config.crowd.cancelShare) at(t + 60 + rng() * 1800, i, Ev.Cancel);
      } else {
        count('409 sold out');
        resolve(i, State.SoldOut);
      }
      await store.release(CAMPAIGN_ID, key(i));
    }
  };

  /** The opening happened in this refresh: every pre-queue person learns their drawn place. */
  const placePrequeue = async () => {
    opened = true;
    const seen = new Uint8Array(crowd.prequeueCount + 1);
    for (let i = 0; i < crowd.prequeueCount; i++) {
      const place = (await store.positionOf(CAMPAIGN_ID, key(i))) ?? 0;
      if (place < 1 || place > crowd.prequeueCount || seen[place]) inv.orderViolations++;
      else seen[place] = 1;
      position[i] = place;
      if (place > 0) posToPerson[place] = i + 1;
    }
  };

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
    if (!opened && board.snapshot.opened) await placePrequeue();
    const serving = board.status.servingUpTo;
    if (serving < servingUpTo) bounce('servingUpTo moved back');
    for (let place = servingUpTo + 1; place <= serving; place++) {
      const i = posToPerson[place]! - 1;
      if (i < 0) continue;
      servedAt[i] = t;
      if (state[i] !== State.Waiting) continue;
      // The client sees its turn on a status document up to a second old, at its next poll.
      const lag = rng() + rng() * pollIntervalSeconds(t - firstPlaceAt[i]!);
      at(t + lag, i, Ev.Admit);
    }
    servingUpTo = Math.max(servingUpTo, serving);
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
    if (next === P && resolved === P && t > 0) break;
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
    clientOrderInversions: countInversions(admissionOrder, admittedCount, P + 1),
    eta: etaAccuracy({ ...ticks, serving: ticks.serving.subarray(0, k), rate: ticks.rate.subarray(0, k), deviation: ticks.deviation.subarray(0, k) }, firstPlaceAt, position, servedAt),
    simulatedSeconds,
    secondsToDrain: resolved === P ? simulatedSeconds - prequeueSeconds : null,
    series: { startSecond, requests: trim(series.requests), admissions: trim(series.admissions), bookings: trim(series.bookings), queueLength: trim(series.queueLength), admitRate: trim(series.admitRate), targetRate: trim(series.targetRate), activeAdmissions: trim(series.activeAdmissions), bookingBacklog: trim(series.bookingBacklog) },
    doses: { onSale: config.doses, booked: ledger.booked, cancelled: ledger.cancelled, remaining: ledger.remaining },
    maxBookingLatencyMs: maxLatencyMs,
    wallSeconds: (performance.now() - wallStart) / 1000,
    peakHeapMb: Math.max(peakHeap, process.memoryUsage().heapUsed) / 1e6,
  };
}
