/**
 * What happens to the simulated crowd between two refreshes of `simulateNight`
 * (national-simulation.ts): arrivals and their joins, the events each person schedules (another
 * device, an early press, leaving, their turn, a booking, a cancellation), the booking path's
 * answers and the opening's pre-queue draw — each calling the real queue store as the app's routes
 * do, and counting every request, answer and bounce.
 */
import type { ManualClock } from '../../src/lib/clock.ts';
import { joinsPrequeue, type QueueSchedule } from '../../src/modules/waiting-room/domain/queue-state.ts';
import type { MemoryQueueStore } from '../../src/modules/waiting-room/memory-queue-store.ts';
import type { WaitingRoom } from '../../src/modules/waiting-room/waiting-room.ts';
import type { BookingPathModel, DoseLedger } from './booking-path-model.ts';
import type { Crowd } from './crowd.ts';
import { CAMPAIGN_ID, Ev, State, TICK_SECONDS } from './night-setup.ts';
import type { PollCounter } from './poll-counter.ts';
import type { SimulationConfig } from './simulation-config.ts';
import type { Invariants, SeriesPerSecond } from './simulation-result.ts';

/** What changes as the night goes, written and read by both the refresh loop and the event handlers. */
export interface NightProgress {
  /** The highest place the status has served so far. */
  servingUpTo: number;
  /** The opening has happened: every pre-queue person knows their drawn place. */
  opened: boolean;
  /** People whose night has ended (booked, sold out, left, gave up, bounced). */
  resolved: number;
  /** How many places `admissionOrder` holds. */
  admittedCount: number;
  maxLatencyMs: number;
}

/** What the event handlers share with the refresh loop of `simulateNight`. */
export interface Night {
  config: SimulationConfig;
  crowd: Crowd;
  rng: () => number;
  schedule: QueueSchedule;
  clock: ManualClock;
  store: MemoryQueueStore;
  room: WaitingRoom;
  path: BookingPathModel;
  ledger: DoseLedger;
  /** Per person (by index): place, `State`, failed booking calls, admission expiry (epoch ms), when they first had a place (s). */
  position: Int32Array;
  state: Uint8Array;
  attempts: Uint8Array;
  expiresAt: Float64Array;
  firstPlaceAt: Float64Array;
  /** Person index + 1 at each place, and the places in the order they were admitted. */
  posToPerson: Int32Array;
  admissionOrder: Int32Array;
  series: SeriesPerSecond;
  inv: Invariants;
  statuses: Record<string, number>;
  bounceReasons: Record<string, number>;
  polls: PollCounter;
  /** Index in the per-second series of second `t` from the opening. */
  secondIndex: (t: number) => number;
  /** Schedules event `ev` of `person` in the refresh that holds second `t`. */
  at: (t: number, person: number, ev: Ev) => void;
  progress: NightProgress;
}

/** The handlers of a night's events, over `night`'s people, tallies and progress. */
export function nightEvents(night: Night) {
  const { config, crowd, rng, schedule, clock, store, room, path, ledger, position, posToPerson, state, attempts, expiresAt, firstPlaceAt, admissionOrder, series, inv, statuses, bounceReasons, polls, secondIndex, at, progress } = night;

  const ttlMs = config.admissionTtlSeconds * 1000;
  const key = (i: number) => `p${i.toString(36)}`;
  let lastFcfsPlace = 0;
  let maxAdmittedPlace = 0;
  const bounce = (reason: string) => {
    inv.bounces++;
    bounceReasons[reason] = (bounceReasons[reason] ?? 0) + 1;
  };
  const count = (status: string, n = 1) => (statuses[status] = (statuses[status] ?? 0) + n);
  const request = (t: number, n = 1) => (series.requests[secondIndex(t)]! += n);
  const resolve = (i: number, s: State) => {
    state[i] = s;
    progress.resolved++;
  };
  const stopPolling = (i: number) => polls.remove(secondIndex(crowd.arrival[i]!), crowd.devices[i]!);

  const admitted = (i: number, t: number, expiresAtMs: number) => {
    state[i] = State.Admitted;
    expiresAt[i] = expiresAtMs;
    admissionOrder[progress.admittedCount++] = position[i]!;
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
    const record = place <= progress.servingUpTo ? await store.admit(CAMPAIGN_ID, key(i), place, nowMs, ttlMs) : null;
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
    if (joined.position !== null && !progress.opened) await placePrequeue();
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
        if (joined.position !== null && !progress.opened) await placePrequeue();
        // Another device must get the same place (or the same pending pre-queue place): else a bounce.
        if (joined.created || (joined.position ?? 0) !== position[i]) bounce('another device got another place');
        return;
      }
      case Ev.EarlyProbe:
        if (state[i] === State.Waiting && position[i]! > 0 && position[i]! > progress.servingUpTo) {
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
      progress.maxLatencyMs = Math.max(progress.maxLatencyMs, call.latencyMs);
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
    progress.opened = true;
    const seen = new Uint8Array(crowd.prequeueCount + 1);
    for (let i = 0; i < crowd.prequeueCount; i++) {
      const place = (await store.positionOf(CAMPAIGN_ID, key(i))) ?? 0;
      if (place < 1 || place > crowd.prequeueCount || seen[place]) inv.orderViolations++;
      else seen[place] = 1;
      position[i] = place;
      if (place > 0) posToPerson[place] = i + 1;
    }
  };

  return { arrive, handle, serveBookings, placePrequeue, bounce };
}
