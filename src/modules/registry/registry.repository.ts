import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import type { RegistryClinicRow, RegistryStockRow, RegistryVaccinationRow } from './registry-client.ts';

/** What the registry is told about a booking: its person (key only) and vaccine. */
export interface BookingFacts {
  personKey: string;
  vaccine: string;
  campaignId: string;
}

/** The facts of each of `bookingIds` that exists, by id, in one statement. */
export async function bookingFacts(db: Db, bookingIds: readonly string[]): Promise<Map<string, BookingFacts>> {
  if (bookingIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('bookings as b')
    .innerJoin('campaigns as c', 'c.id', 'b.campaign_id')
    .select(['b.id', 'b.person_key as personKey', 'c.vaccine_name as vaccine', 'b.campaign_id as campaignId'])
    .where('b.id', 'in', [...new Set(bookingIds)])
    .execute();
  return new Map(rows.map(({ id, ...facts }) => [id, facts]));
}

/** Upserts the registry's clinics into `institutions` (the registry is their source). */
export async function upsertRegistryClinics(db: Db, clinics: RegistryClinicRow[], now: Date): Promise<number> {
  if (clinics.length === 0) return 0;
  let written = 0;
  // Chunks keep each statement's parameter count well under PostgreSQL's limit.
  for (let i = 0; i < clinics.length; i += 1000) {
    const chunk = clinics.slice(i, i + 1000);
    const result = await db
      .insertInto('institutions')
      .values(chunk.map((c) => ({ id: c.id, name: c.name, address: c.address, sido: c.sido, sigungu: c.sigungu, lat: c.lat, lng: c.lng, updated_at: now })))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), address: eb.ref('excluded.address'), sido: eb.ref('excluded.sido'), sigungu: eb.ref('excluded.sigungu'), lat: eb.ref('excluded.lat'), lng: eb.ref('excluded.lng'), updated_at: eb.ref('excluded.updated_at') })),
      )
      .executeTakeFirst();
    written += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return written;
}

/**
 * Upserts the registry's stock figures; a clinic's own report newer than the registry's import is
 * kept (the clinic knows its fridge better than a nightly feed).
 */
export async function upsertRegistryStock(db: Db, stock: RegistryStockRow[], now: Date): Promise<number> {
  const known = await db.selectFrom('institutions').select('id').where('id', 'in', stock.length ? stock.map((s) => s.clinicId) : ['']).execute();
  const ids = new Set(known.map((k) => k.id));
  const rows = stock.filter((s) => ids.has(s.clinicId) && Number.isInteger(s.doses) && s.doses >= 0);
  if (rows.length === 0) return 0;
  await db
    .insertInto('clinic_stock')
    .values(rows.map((s) => ({ institution_id: s.clinicId, vaccine: s.vaccine, doses: s.doses, source: 'registry' as const, reported_at: now })))
    .onConflict((oc) =>
      oc
        .columns(['institution_id', 'vaccine'])
        .doUpdateSet((eb) => ({ doses: eb.ref('excluded.doses'), source: eb.ref('excluded.source'), reported_at: eb.ref('excluded.reported_at') }))
        .where(sql<boolean>`clinic_stock.source = 'registry'`),
    )
    .execute();
  return rows.length;
}

/** Adds vaccination history to the local copy the hot path reads (a record already known is a no-op). */
export async function addVaccinationRecords(db: Db, records: Pick<RegistryVaccinationRow, 'personKey' | 'vaccine' | 'dose' | 'administeredOn'>[]): Promise<void> {
  if (records.length === 0) return;
  await db
    .insertInto('vaccination_records')
    .values(records.map((r) => ({ person_key: r.personKey, vaccine: r.vaccine, dose: r.dose, administered_on: r.administeredOn })))
    .onConflict((oc) => oc.columns(['person_key', 'vaccine', 'dose']).doNothing())
    .execute();
}

export async function syncCursor(db: Db, name: string): Promise<string | null> {
  const row = await db.selectFrom('registry_sync').select('cursor').where('name', '=', name).executeTakeFirst();
  return row?.cursor ?? null;
}

export async function saveSyncCursor(db: Db, name: string, cursor: string, now: Date): Promise<void> {
  await db
    .insertInto('registry_sync')
    .values({ name, cursor, synced_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ cursor, synced_at: now }))
    .execute();
}
