import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageSender } from '../src/modules/notifications/index.ts';
import { OutboxWorker } from '../src/modules/outbox/index.ts';
import { admitted, person, seedCampaign } from './support/fixtures.ts';
import { jobCounts } from './support/outbox-helpers.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The relay reads what a claimed batch needs for the whole batch at once: a round runs the same
 * statements whether it sends three confirmations or twelve (before, each message cost four
 * round trips of its own on the pool the booking path uses).
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await seedCampaign(t.app, { id: 'batch', institutions: ['B1'], dates: ['2026-08-20', '2026-09-10'], times: ['09:00', '09:30'], doses: 20 });
});
afterAll(() => t.close());

describe('a relay round', () => {
  it('runs as many statements for a batch of twelve messages as for a batch of three', async () => {
    let statements = 0;
    const counting: KyselyPlugin = {
      transformQuery: (args) => {
        statements++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const ctx = { ...t.ctx, db: t.ctx.db.withPlugin(counting) };
    const worker = new OutboxWorker(ctx, [messageSender(ctx)]);
    const roundAfterBooking = async (people: number) => {
      for (let i = 0; i < people; i++) {
        const who = await person(t.app);
        const booked = await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/batch/bookings', headers: await admitted(t, who, 'batch'), payload: { institutionId: 'B1', date: '2026-08-20', time: i % 2 ? '09:30' : '09:00' } });
        expect(booked.statusCode).toBe(201);
      }
      statements = 0;
      const round = await worker.runOnce();
      return { ...round, statements };
    };

    const three = await roundAfterBooking(3);
    const twelve = await roundAfterBooking(12);
    // Fan-out, claim, the bookings, their recipients, and marking the batch done.
    expect(three).toEqual({ fannedOut: 3, delivered: 3, failed: 0, statements: 5 });
    expect(twelve).toEqual({ fannedOut: 12, delivered: 12, failed: 0, statements: 5 });
    expect(await jobCounts(t, 'messages')).toEqual({ done: 15 });
  });
});
