import { sql } from 'kysely';
import { Migrator, type MigrationProvider } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/infra/db/migrate.ts';
import { admitted, ok, operator, person, seedCampaign } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Migrations 0018 and 0029 leave a booking fewer index entries to write; the operator's statistics
 * count from the partial indexes that remain, and a person's list of bookings is read from them,
 * before and after the migrations are undone.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ now: '2026-08-10T02:00:00Z' });
  for (const id of ['ixa', 'ixb']) {
    await seedCampaign(t.app, { id, institutions: [`${id}-1`], dates: ['2026-08-20', '2026-09-10'], times: ['09:00', '09:30'], doses: 4 });
  }
});
afterAll(() => t.close());

async function indexes(): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT indexname AS name FROM pg_indexes WHERE tablename IN ('bookings', 'booking_doses') ORDER BY indexname
  `.execute(t.ctx.db);
  return rows.map((r) => r.name);
}

async function book(campaignId: string, time: string): Promise<{ id: string; who: { authorization: string } }> {
  const who = await person(t.app);
  const { booking } = await ok(t.app, 'POST', `/api/v1/campaigns/${campaignId}/bookings`, { institutionId: `${campaignId}-1`, date: '2026-08-20', time }, await admitted(t, who, campaignId));
  return { id: booking.id as string, who };
}

const stats = async (campaignId: string) => ok(t.app, 'GET', `/api/v1/admin/campaigns/${campaignId}/stats`, undefined, operator);

/** The person's list of bookings: [campaign, status] newest first. */
async function listed(who: { authorization: string }): Promise<string[][]> {
  const list = (await ok(t.app, 'GET', '/api/v1/bookings', undefined, who)) as { campaignId: string; status: string }[];
  return list.map((b) => [b.campaignId, b.status]);
}

describe('migrations 0018 and 0029: fewer index entries per booking', () => {
  it('counts live and cancelled bookings per campaign from the partial indexes, lists a person\'s bookings from them, and survives being undone', async () => {
    const first = await book('ixa', '09:00');
    t.clock.advance(1_000);
    await book('ixa', '09:30');
    await book('ixa', '09:00');
    await book('ixb', '09:00');
    await ok(t.app, 'POST', `/api/v1/bookings/${first.id}/cancel`, undefined, first.who);
    t.clock.advance(1_000);
    await ok(t.app, 'POST', `/api/v1/campaigns/ixb/bookings`, { institutionId: 'ixb-1', date: '2026-08-20', time: '09:30' }, await admitted(t, first.who, 'ixb'));
    expect(await stats('ixa')).toMatchObject({ booked: 2, cancelled: 1 });
    expect(await stats('ixb')).toMatchObject({ booked: 2, cancelled: 0 });
    // Live and cancelled, across campaigns, newest first; nobody else's.
    const firstList = [['ixb', 'booked'], ['ixa', 'cancelled']];
    expect(await listed(first.who)).toEqual(firstList);
    expect(await indexes()).toEqual([
      'booking_doses_by_day_clinic',
      'booking_doses_pkey',
      'bookings_cancelled',
      'bookings_code_key',
      'bookings_one_live_per_person',
      'bookings_pkey',
    ]);

    const migrator = new Migrator({ db: t.ctx.db, provider: { getMigrations: async () => MIGRATIONS } satisfies MigrationProvider });
    const down = await migrator.migrateTo('0017-clinic-days-by-date');
    expect(down.error).toBeUndefined();
    expect(await indexes()).toEqual([
      'booking_doses_by_clinic_day',
      'booking_doses_by_date',
      'booking_doses_pkey',
      'bookings_by_campaign_status',
      'bookings_by_person',
      'bookings_code_key',
      'bookings_one_live_per_person',
      'bookings_pkey',
    ]);
    expect(await stats('ixa')).toMatchObject({ booked: 2, cancelled: 1 });
    expect(await listed(first.who)).toEqual(firstList);
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect(await indexes()).toContain('bookings_cancelled');
    expect(await stats('ixa')).toMatchObject({ booked: 2, cancelled: 1 });
    expect(await listed(first.who)).toEqual(firstList);
  });
});
