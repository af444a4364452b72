import { sql } from 'kysely';
import { Migrator, type MigrationProvider } from 'kysely/migration';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/infra/db/migrate.ts';
import { useTestApp } from './support/test-app.ts';

/**
 * Migrations 0016 and 0020 drop the three foreign keys whose checks share-locked a booking's parent
 * rows, and their `down` puts them back (on whichever store the suite runs: PGlite, or PostgreSQL
 * in CI).
 */
const t = useTestApp({ now: '2026-08-10T02:00:00Z' });

async function foreignKeys(): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT conname AS name FROM pg_constraint
    WHERE contype = 'f' AND conrelid IN ('bookings'::regclass, 'booking_doses'::regclass)
    ORDER BY conname
  `.execute(t.ctx.db);
  return rows.map((r) => r.name);
}

describe('migrations 0016 and 0020: the booking without its parent locks', () => {
  it('keeps no foreign key on a booking, and puts each back when undone', async () => {
    expect(await foreignKeys()).toEqual([]);
    const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };
    const migrator = new Migrator({ db: t.ctx.db, provider });
    expect((await migrator.migrateTo('0019-synthetic-probe')).error).toBeUndefined();
    expect(await foreignKeys()).toEqual(['bookings_person_key_fkey']);
    const down = await migrator.migrateTo('0015-capacity-fillfactor');
    expect(down.error).toBeUndefined();
    expect(down.results?.map((r) => r.migrationName)).toContain('0016-booking-without-parent-locks');
    expect(await foreignKeys()).toEqual(['booking_doses_booking_id_fkey', 'bookings_campaign_id_fkey', 'bookings_person_key_fkey']);
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect(await foreignKeys()).toEqual([]);
  });
});
