import { sql, type Selectable, type Transaction } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import type { DB } from '../../infra/db/schema.ts';
import type { DosePlace } from './capacity-ledger.ts';

type Trx = Transaction<DB>;

export interface BookingRecord {
  id: string;
  code: string;
  campaignId: string;
  personKey: string;
  windowId: string;
  shareWindowId: string | null;
  status: 'booked' | 'cancelled';
  createdAt: Date;
  doses: (DosePlace & { dose: number })[];
  /** The Idempotency-Key it was made under, if any (migration 0030); never shown. */
  idempotencyKey?: string | null;
}

/** Replaces a booking's doses (creation and change). */
export async function writeDoses(trx: Trx, bookingId: string, doses: BookingRecord['doses']): Promise<void> {
  await trx.deleteFrom('booking_doses').where('booking_id', '=', bookingId).execute();
  await trx
    .insertInto('booking_doses')
    .values(doses.map((d) => ({ booking_id: bookingId, dose: d.dose, institution_id: d.institutionId, date: d.date, minute: d.minute })))
    .execute();
}

async function dosesOf(db: Db | Trx, bookingIds: string[]): Promise<Map<string, BookingRecord['doses']>> {
  const byBooking = new Map<string, BookingRecord['doses']>();
  if (bookingIds.length === 0) return byBooking;
  const rows = await db.selectFrom('booking_doses').selectAll().where('booking_id', 'in', bookingIds).orderBy('booking_id').orderBy('dose').execute();
  for (const r of rows) {
    const list = byBooking.get(r.booking_id) ?? [];
    list.push({ dose: r.dose, institutionId: r.institution_id, date: r.date, minute: r.minute });
    byBooking.set(r.booking_id, list);
  }
  return byBooking;
}

function toRecord(row: Selectable<DB['bookings']>, doses: BookingRecord['doses']): BookingRecord {
  return {
    id: row.id,
    code: row.code,
    campaignId: row.campaign_id,
    personKey: row.person_key,
    windowId: row.window_id,
    shareWindowId: row.share_window_id,
    status: row.status,
    createdAt: row.created_at,
    doses,
    idempotencyKey: row.idempotency_key,
  };
}

/** A booking with its doses; `forUpdate` locks the row until the transaction ends. */
export async function findBooking(db: Db | Trx, id: string, forUpdate = false): Promise<BookingRecord | undefined> {
  let query = db.selectFrom('bookings').selectAll().where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  const doses = await dosesOf(db, [id]);
  return toRecord(row, doses.get(id) ?? []);
}

/** Every booking of a person, newest first. */
export async function bookingsOfPerson(db: Db, personKey: string): Promise<BookingRecord[]> {
  return bookingsOfPersons(db, [personKey]);
}

/**
 * Every booking of these people (a guardian and their dependents), newest first: from the partial
 * index of each state, campaign by campaign (migration 0029), as no index by person alone is kept
 * for a booking to write.
 */
export async function bookingsOfPersons(db: Db, personKeys: string[]): Promise<BookingRecord[]> {
  const inState = (status: 'booked' | 'cancelled') =>
    db
      .selectFrom('bookings')
      .selectAll()
      .where('campaign_id', 'in', db.selectFrom('campaigns').select('id'))
      .where('person_key', 'in', personKeys)
      .where('status', '=', status);
  const rows = await inState('booked').unionAll(inState('cancelled')).orderBy('created_at', 'desc').execute();
  const doses = await dosesOf(db, rows.map((r) => r.id));
  return rows.map((r) => toRecord(r, doses.get(r.id) ?? []));
}

export async function markCancelled(trx: Trx, id: string, at: Date): Promise<void> {
  await trx.updateTable('bookings').set({ status: 'cancelled', cancelled_at: at, updated_at: at }).where('id', '=', id).execute();
}

export async function markChanged(trx: Trx, id: string, windowId: string, shareWindowId: string | null, at: Date): Promise<void> {
  await trx.updateTable('bookings').set({ window_id: windowId, share_window_id: shareWindowId, updated_at: at }).where('id', '=', id).execute();
}

/** Live and cancelled bookings of a campaign, each counted from its partial index by its campaign prefix (migrations 0018, 0029). Operator statistics only. */
export async function countBookings(db: Db, campaignId: string): Promise<{ booked: number; cancelled: number }> {
  const { rows } = await sql<{ booked: number; cancelled: number }>`
    SELECT (SELECT count(*) FROM bookings WHERE campaign_id = ${campaignId} AND status = 'booked')::int AS booked,
           (SELECT count(*) FROM bookings WHERE campaign_id = ${campaignId} AND status = 'cancelled')::int AS cancelled`.execute(db);
  return rows[0]!;
}
