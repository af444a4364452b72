/**
 * The CI version of `npm run load:opening-night`: 5,000 people with 1–3 devices each against the
 * real app in its own process(es) — the embedded default, or PostgreSQL + Redis with two app
 * processes when DATABASE_URL and REDIS_URL are set — over real HTTP, the night compressed into
 * about a minute. Asserts the invariants only (checked in the database at the end), never a rate.
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
      maxSecondsAfterOpening: 60,
      log: (line) => lines.push(line),
    });
    const detail = JSON.stringify({ bounces: result.bounceReasons, anomalies: result.anomalyReasons, unexpected: result.unexpectedAnswers, log: lines.slice(-5) });
    expect(result.invariants, detail).toEqual({ oversoldSlots: 0, counterDrift: 0, doubleBookings: 0, lostBookings: 0, bounces: 0, fairnessInversions: 0, unexpected5xx: 0, networkErrors: 0, anomalies: 0 });
    // The night happened: people queued, were admitted and booked, the ineligible were refused.
    expect(result.booked201).toBeGreaterThan(0);
    expect(result.database.liveBookings + result.database.cancelledBookings).toBeGreaterThanOrEqual(result.booked201);
    expect(result.statuses['join']?.['403 YEYAK_ERR_NOT_ELIGIBLE']).toBeGreaterThan(0);
  }, 240_000);
});
