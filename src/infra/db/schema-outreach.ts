import type { ColumnType, Generated } from 'kysely';

/**
 * Row types of the tables that connect Yeyak to the outside world (migrations 0010 and 0011):
 * outbox delivery, clinic outcomes and stock, leftover doses, registry sync. Part of `DB`.
 */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DateString = ColumnType<string, string, string>;

export type OutboxConsumer = 'registry' | 'messages';

export interface OutboxJobsTable {
  id: Generated<number>;
  consumer: OutboxConsumer;
  idempotency_key: string;
  outbox_id: number | null;
  topic: string;
  aggregate_id: string;
  payload: ColumnType<unknown, string, string>;
  status: Generated<'pending' | 'done' | 'dead'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  leased_until: Timestamp | null;
  last_error: string | null;
  created_at: Timestamp;
  done_at: Timestamp | null;
}

interface DoseOutcomesTable {
  booking_id: string;
  dose: number;
  outcome: 'given' | 'no_show';
  recorded_at: Timestamp;
  recorded_by: string;
}

interface ClinicStockTable {
  institution_id: string;
  vaccine: string;
  doses: number;
  source: 'clinic' | 'registry';
  reported_at: Timestamp;
}

interface LeftoverOffersTable {
  id: string;
  institution_id: string;
  date: DateString;
  vaccine: string;
  doses: number;
  booked: Generated<number>;
  published_at: Timestamp;
}

interface LeftoverBookingsTable {
  id: string;
  offer_id: string;
  person_key: string;
  date: DateString;
  status: Generated<'booked' | 'given' | 'no_show'>;
  created_at: Timestamp;
  recorded_at: Timestamp | null;
  recorded_by: string | null;
}

interface LeftoverBarsTable {
  person_key: string;
  reason: string;
  barred_at: Timestamp;
}

interface LeftoverAlertsTable {
  person_key: string;
  institution_id: string;
  created_at: Timestamp;
}

interface RegistrySyncTable {
  name: string;
  cursor: string;
  synced_at: Timestamp;
}

export interface OutreachTables {
  outbox_jobs: OutboxJobsTable;
  dose_outcomes: DoseOutcomesTable;
  clinic_stock: ClinicStockTable;
  leftover_offers: LeftoverOffersTable;
  leftover_bookings: LeftoverBookingsTable;
  leftover_bars: LeftoverBarsTable;
  leftover_alerts: LeftoverAlertsTable;
  registry_sync: RegistrySyncTable;
}
