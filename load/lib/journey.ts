/**
 * One virtual citizen's opening night over real HTTP, on each of their devices: identity, a place
 * in the queue, polling the shared status with back-off, admission when their turn comes, then —
 * on the device that got it — clinic search, slot choice and booking (booking.ts). Along the way
 * it checks what a person would notice: a place that changes or is lost (a bounce), an admission
 * refused after the turn came. What it measures goes into the worker's `JourneyRecord`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../src/modules/waiting-room/domain/eta.ts';
import { bookAsAdmitted } from './booking.ts';
import { epochMs, type Answer, type LoadClient } from './client.ts';
import type { CitizenPlan } from './crowd-plan.ts';
import { crowdAddress } from '../../bench/lib/crowd-address.ts';
import type { JourneyRecord } from './journey-record.ts';
import { anomaly, bounced, tally } from './tallies.ts';

export interface JourneySettings {
  runId: string;
  campaignId: string;
  openingMs: number;
  /** No journey goes on past this instant (epoch ms): whoever is still waiting is counted as such. */
  deadlineMs: number;
  /** Back-off bounds of status polling, in seconds. */
  minPollSeconds: number;
  maxPollSeconds: number;
  /** A waiting person who has seen `soldOut` for this long leaves ("told sold out while waiting"). */
  soldOutPatienceSeconds: number;
  /** Clinic areas seeded for the run, and the dose-1 dates on sale (a search picks one of each). */
  sigungus: string[];
  dates: string[];
}

/** Within 5 s of joining, everyone who waits is shown an estimate (BRIEF §4.5). */
const ESTIMATE_WITHIN_MS = 5_000;

/** A person's state shared by their devices. */
interface Person {
  plan: CitizenPlan;
  position: number | null;
  admitted: boolean;
  estimate: { p50: number; p90: number; atMs: number } | null;
  /** When (epoch ms) any of their devices first learnt their place. */
  placedAtMs: number | null;
  finished: boolean;
  /** Since when (epoch ms) any of their devices has seen the status say every dose is booked, uninterrupted. */
  soldOutSinceMs: number | null;
}

export interface Journey {
  client: LoadClient;
  settings: JourneySettings;
  record: JourneyRecord;
}

const secondsFromOpening = (j: Journey) => (epochMs() - j.settings.openingMs) / 1000;
const until = (ms: number) => sleep(Math.max(0, ms - epochMs()));

/** Waits as a client does after a 429/503: its Retry-After (capped), or a second. */
const backOff = (answer: Answer) => sleep(Math.min(10, answer.retryAfterSeconds ?? 1) * 1000);
// A balancer's 502/504 (a node died under the request) is retried as a site's client does.
const retryable = (answer: Answer) => answer.status === 0 || answer.status === 429 || answer.status === 502 || answer.status === 503 || answer.status === 504;

function finish(j: Journey, p: Person, outcome: string): void {
  if (p.finished) return;
  p.finished = true;
  tally(j.record.outcomes, outcome);
}

function samePlace(j: Journey, p: Person, position: number | null, how: string): void {
  if (position === null) return;
  if (p.position === null) {
    p.position = position;
    p.placedAtMs = epochMs();
  } else if (p.position !== position) bounced(j.record, `${how}: place ${p.position} became ${position}`);
}

/** Citizen `i`'s address: 65,536 to a block from 10.16.0.0 up (bench/wrk's crowds use blocks 1 and 2). */
const citizenAddress = (i: number) => crowdAddress(i % 65_536, 16 + Math.floor(i / 65_536));

async function identity(j: Journey, p: Person, node: number): Promise<string | null> {
  const phone = `010-${String(Math.floor(p.plan.index / 10_000) % 10_000).padStart(4, '0')}-${String(p.plan.index % 10_000).padStart(4, '0')}`;
  for (let attempt = 0; attempt < 10 && epochMs() < j.settings.deadlineMs; attempt++) {
    // Each citizen from an address of their own, as the balancer names it (the app trusts the load
    // generator as its proxy): the per-address abuse limit keeps its default.
    const from = { 'x-forwarded-for': citizenAddress(p.plan.index) };
    const answer = await j.client.call('identity', node, 'POST', '/api/v1/identity/dev', from, { name: `시민${j.settings.runId}-${p.plan.index}`, birthDate: p.plan.birthDate, phone });
    if (answer.status === 201) return (answer.body as { session: string }).session;
    if (!retryable(answer)) break;
    await backOff(answer);
  }
  finish(j, p, 'no identity (refused or failing)');
  return null;
}

async function join(j: Journey, p: Person, node: number, session: string, how: string): Promise<string | null> {
  const path = `/api/v1/campaigns/${j.settings.campaignId}/queue/tickets`;
  while (epochMs() < j.settings.deadlineMs) {
    const answer = await j.client.call('join', node, 'POST', path, { authorization: `Bearer ${session}` });
    if (answer.status === 200 || answer.status === 201) {
      const body = answer.body as { ticket: string; position: number | null };
      if (how === 'reload' && answer.status === 201) bounced(j.record, 'a reload was given a new place');
      samePlace(j, p, body.position, how);
      return body.ticket;
    }
    if (answer.status === 403 && !p.plan.eligible) {
      finish(j, p, 'refused: not eligible (expected)');
      return null;
    }
    if (answer.status === 425 || retryable(answer)) {
      await backOff(answer);
      continue;
    }
    if (answer.status === 403) anomaly(j.record, `eligible person refused a place: ${answer.key}`);
    finish(j, p, `join refused ${answer.key}`);
    return null;
  }
  return null;
}

/** Where a person stands (`…/tickets/me`): their place, and a first estimate if the queue has a pace and people are ahead. */
async function whereAmI(j: Journey, p: Person, node: number, ticket: string): Promise<void> {
  const answer = await j.client.call('ticket status', node, 'GET', `/api/v1/campaigns/${j.settings.campaignId}/queue/tickets/me`, { authorization: `Bearer ${ticket}` });
  if (answer.status !== 200) {
    if (answer.status === 401 || answer.status === 403) bounced(j.record, `ticket refused ${answer.key}`);
    return;
  }
  const body = answer.body as { position: number | null; ahead: number | null; eta: { p50Seconds: number | null; p90Seconds: number | null } };
  samePlace(j, p, body.position, 'ticket status');
  if (body.position !== null) firstEstimate(j, p, body.position, { ahead: body.ahead, eta: body.eta });
}

/** The outcome of a person who gave up after the status told them every dose was booked. */
const TOLD_SOLD_OUT = 'told sold out while waiting';

/** Follows the status's `soldOut`: true once this person has seen it long enough to give up. */
function givesUpSoldOut(j: Journey, p: Person, soldOut: boolean | undefined): boolean {
  if (!soldOut) {
    p.soldOutSinceMs = null;
    return false;
  }
  p.soldOutSinceMs ??= epochMs();
  return epochMs() - p.soldOutSinceMs >= j.settings.soldOutPatienceSeconds * 1000;
}

/** Keeps the first estimate a person is shown. Someone whose place is already served is told no wait: not an estimate to measure. */
function firstEstimate(j: Journey, p: Person, position: number, figures: { ahead: number | null; eta: { p50Seconds: number | null; p90Seconds: number | null } }): void {
  const { ahead, eta } = figures;
  if (p.estimate !== null || eta.p50Seconds === null || ahead === null || ahead <= 0) return;
  p.estimate = { p50: eta.p50Seconds, p90: eta.p90Seconds ?? eta.p50Seconds, atMs: epochMs() };
  j.record.estimates.push(position, p.estimate.atMs, p.estimate.p50, p.estimate.p90, ahead);
}

function admitted(j: Journey, p: Person): void {
  const now = epochMs();
  p.admitted = true;
  j.record.admissions.push(p.position ?? 0, now);
  j.record.admissionsPerSecond.add((now - j.settings.openingMs) / 1000);
  const eta = j.record.eta;
  const withinQuarter = p.estimate !== null && Math.abs((now - p.estimate.atMs) / 1000 - p.estimate.p50) <= Math.max(1, 0.25 * p.estimate.p50);
  if (p.estimate) {
    const actual = (now - p.estimate.atMs) / 1000;
    eta.measured++;
    if (withinQuarter) eta.withinQuarter++;
    if (actual <= Math.max(1, p.estimate.p90)) eta.withinP90++;
  } else eta.unestimated++;
  if (p.placedAtMs !== null && now - p.placedAtMs > ESTIMATE_WITHIN_MS) {
    j.record.waitersPlacedAt.push(p.position ?? 0, p.placedAtMs);
    eta.waiters++;
    if (p.estimate === null || p.estimate.atMs - p.placedAtMs > ESTIMATE_WITHIN_MS) eta.waitersWithoutEstimate++;
    else if (withinQuarter) eta.waitersWithinQuarter++;
  }
}

/** Asks for an admission; returns the token on 201, null otherwise (a 425 is logged for the fairness check). */
async function askAdmission(j: Journey, p: Person, node: number, ticket: string): Promise<string | null> {
  const sent = epochMs();
  const answer = await j.client.call('admission', node, 'POST', `/api/v1/campaigns/${j.settings.campaignId}/admissions`, { authorization: `Bearer ${ticket}` });
  if (answer.status === 201) return (answer.body as { admission: string }).admission;
  if (answer.status === 425 && p.position !== null) j.record.refusals.push(p.position, sent);
  if (answer.status === 401 || answer.status === 403) bounced(j.record, `admission call refused ${answer.key}`);
  return null;
}

async function device(j: Journey, p: Person, d: number, node: number): Promise<void> {
  await until(j.settings.openingMs + (p.plan.arrivalSeconds + (d === 0 ? 0 : 1 + p.plan.random() * 9)) * 1000);
  const session = await identity(j, p, node);
  if (session === null) return;
  const ticket = await join(j, p, node, session, d === 0 ? 'join' : 'another device');
  if (ticket === null) return;
  const joinedAt = epochMs();
  let pressedEarly = false;
  let reloaded = false;
  const statusPath = `/api/v1/campaigns/${j.settings.campaignId}/queue`;
  while (!p.finished && !p.admitted) {
    if (epochMs() >= j.settings.deadlineMs) return finish(j, p, 'still waiting at the end of the run');
    if (secondsFromOpening(j) > p.plan.leaveAtSeconds) return finish(j, p, 'left while waiting');
    // Asked only until the place is known (a pre-queue place is drawn at the opening); from then on
    // the client works out its figures from the shared status, as the waiting page does.
    if (secondsFromOpening(j) >= 0 && p.position === null) await whereAmI(j, p, node, ticket);
    const status = await j.client.call('status', node, 'GET', statusPath);
    const board = status.body as { state?: string; servingUpTo?: number; etaRatePerSecond?: number | null; etaRateDeviation?: number; soldOut?: boolean } | null;
    const figures = status.status === 200 && board?.servingUpTo !== undefined ? waitFor(p.position, { servingUpTo: board.servingUpTo, etaRatePerSecond: board.etaRatePerSecond ?? null, etaRateDeviation: board.etaRateDeviation ?? 0 }) : null;
    if (figures && p.position !== null) firstEstimate(j, p, p.position, figures);
    const reached = status.status === 200 && board?.state === 'open' && p.position !== null && (board.servingUpTo ?? 0) >= p.position;
    // Told every dose is booked (the queue holding), a person waits a while for one to come back, then leaves.
    if (!reached && status.status === 200 && givesUpSoldOut(j, p, board?.soldOut)) return finish(j, p, TOLD_SOLD_OUT);
    if (reached) {
      const admission = await askAdmission(j, p, node, ticket);
      if (admission !== null && !p.admitted && !p.finished) {
        admitted(j, p);
        return bookAsAdmitted(j, p.plan, node, admission, session, (outcome) => finish(j, p, outcome));
      }
      if (admission !== null) return; // another device of theirs got there first: it books
    } else if (p.plan.earlyPress && !pressedEarly && p.position !== null && board?.state === 'open') {
      pressedEarly = true;
      await askAdmission(j, p, node, ticket);
    } else if (p.plan.reload && !reloaded && epochMs() - joinedAt > 2000) {
      reloaded = true;
      await join(j, p, node, session, 'reload');
    }
    // Back-off with the time waited; once the status gives a pace, poll about three times over the
    // remaining wait instead (the client's own ETA from its signed place, by the server's `waitFor`).
    const age = (epochMs() - joinedAt) / 1000;
    const eta = figures?.eta.p50Seconds ?? null;
    const interval = Math.min(j.settings.maxPollSeconds, Math.max(j.settings.minPollSeconds, eta !== null ? eta / 3 : age / 4));
    // A shedding node's Retry-After is honoured (never sooner than the node asks).
    if (status.status === 503 || status.status === 429) {
      await backOff(status);
      continue;
    }
    await sleep(interval * (0.75 + p.plan.random() * 0.5) * 1000);
  }
}

/** Runs one citizen: all their devices at once (each device talks to one app node). */
export async function citizen(j: Journey, plan: CitizenPlan): Promise<void> {
  const p: Person = { plan, position: null, admitted: false, estimate: null, placedAtMs: null, finished: false, soldOutSinceMs: null };
  await Promise.all(Array.from({ length: plan.devices }, (_, d) => device(j, p, d, plan.index + d)));
  if (!p.finished) finish(j, p, p.admitted ? 'admitted, journey unfinished' : 'no outcome');
}
