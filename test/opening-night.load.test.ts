/**
 * The CI version of `npm run load:opening-night`: 5,000 people with 1–3 devices each against the
 * real app in its own process(es) — the embedded default, or PostgreSQL + Redis with two app
 * processes when DATABASE_URL and REDIS_URL are set — over real HTTP, the night compressed into
 * about a minute. Asserts the invariants only (checked in the database at the end, and the queue's
 * public log audited), never a rate.
 */
import { describe, expect, it } from 'vitest';
import { defaultShape } from '../load/lib/crowd-plan.ts';
import { runOpeningNight } from '../load/lib/opening-night-run.ts';

const scaleOut = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

describe(`opening night, short version (5,000 people, ${scaleOut ? 'PostgreSQL + Redis, 2 app processes' : 'embedded'})`, () => {
  it('sells no dose twice, books nobody twice, bounces nobody, admits in order, and answers no 5xx but deliberate 503s', async () => {
    const lines: string[] = [];
    const result = await runOpeningNight({
      people: 5_000,
      workers: 1,
      connections: 128,
      apps: scaleOut ? 2 : 1,
      scaleOut,
      shape: { ...defaultShape(), prequeueSeconds: 10, spikeMeanSeconds: 4, tailMeanSeconds: 15 },
      admission: { mode: 'adaptive', ratePerSecond: 400, maxActive: 5_000 },
      doseShare: 0.8,
      minPollSeconds: 0.5,
      maxPollSeconds: 3,
      soldOutPatienceSeconds: 30,
      // A safety net, not the expected end: journeys finish by themselves well before it on a quiet machine.
      maxSecondsAfterOpening: 150,
      log: (line) => lines.push(line),
    });
    const detail = JSON.stringify({ bounces: result.bounceReasons, anomalies: result.anomalyReasons, unexpected: result.unexpectedAnswers, log: lines.slice(-5) });
    expect(result.invariants, detail).toEqual({ oversoldSlots: 0, counterDrift: 0, doubleBookings: 0, lostBookings: 0, bounces: 0, fairnessInversions: 0, unexpected5xx: 0, networkErrors: 0, anomalies: 0 });
    // The night happened: people queued and were admitted, the ineligible were refused, and every
    // 201 is a booking in the database. (How many booked within the time is a rate: not asserted.)
    const outcomes = JSON.stringify({ outcomes: result.outcomes, booked: result.booked201, log: lines.slice(-3) });
    expect(result.statuses['admission']?.['201'], outcomes).toBeGreaterThan(0);
    // Each citizen signs in from an address of their own (X-Forwarded-For through the trusted
    // generator), so the per-address abuse limit, at its default, refuses none of them.
    expect(result.statuses['identity']?.['429 YEYAK_ERR_RATE_LIMITED'], outcomes).toBeUndefined();
    expect(result.statuses['join']?.['403 YEYAK_ERR_NOT_ELIGIBLE'], outcomes).toBeGreaterThan(0);
    expect(result.database.liveBookings + result.database.cancelledBookings, outcomes).toBeGreaterThanOrEqual(result.booked201);
    // The apps' outbox relay sent confirmations during the night, and none went to the dead letters.
    expect(result.database.messages.sent, JSON.stringify(result.database.messages)).toBeGreaterThan(0);
    expect(result.database.messages.dead, JSON.stringify(result.database.messages)).toBe(0);
    // The queue's public log (kept by default; the bench apps carry a log key): audited after the
    // night as anyone could, then against the admissions the database granted: clean (every
    // granted admission is in the log, for a place served in order).
    const queueLog = JSON.stringify({ ...result.queueLog, violations: result.queueLog?.violations.slice(0, 5) });
    expect(result.queueLog?.violations, queueLog).toEqual([]);
    expect(result.queueLog?.crossChecked, queueLog).toBe(true);
    expect(result.queueLog?.admitted, queueLog).toBeGreaterThan(0);
    expect(result.queueLog?.counts['place'], queueLog).toBeGreaterThan(0);
    // The report's controller charts have data: one node's /metrics was read during the night.
    expect(result.controllerPoints.some((p) => p.targetRate !== null && p.activeLimit !== null && p.bookingP99Ms !== null), outcomes).toBe(true);
  }, 360_000);
});
