import { sql, type Kysely } from 'kysely';

/**
 * The clinic side (issue 7): what happened at each appointment (dose given or no-show), stock as
 * reported by clinics or imported from the registry, leftover doses published for today, leftover
 * bookings, the clinics a person wants to be alerted about, and the registry import's cursors.
 */
const UP = [
  // One outcome per booked dose: given (reported to the registry) or no-show.
  `CREATE TABLE dose_outcomes (
    booking_id uuid NOT NULL,
    dose smallint NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('given', 'no_show')),
    recorded_at timestamptz NOT NULL,
    recorded_by text NOT NULL,
    PRIMARY KEY (booking_id, dose),
    FOREIGN KEY (booking_id, dose) REFERENCES booking_doses (booking_id, dose) ON DELETE CASCADE
  )`,
  // The clinic's appointment list of a day reads doses by clinic and date.
  `CREATE INDEX booking_doses_by_clinic_day ON booking_doses (institution_id, date, minute)`,
  // The day-before reminder reads doses by date.
  `CREATE INDEX booking_doses_by_date ON booking_doses (date)`,
  `CREATE TABLE clinic_stock (
    institution_id text NOT NULL REFERENCES institutions (id),
    vaccine text NOT NULL,
    doses integer NOT NULL CHECK (doses >= 0),
    source text NOT NULL CHECK (source IN ('clinic', 'registry')),
    reported_at timestamptz NOT NULL,
    PRIMARY KEY (institution_id, vaccine)
  )`,
  // Leftover doses a clinic offers today; booked <= doses is the no-oversell invariant.
  `CREATE TABLE leftover_offers (
    id uuid PRIMARY KEY,
    institution_id text NOT NULL REFERENCES institutions (id),
    date date NOT NULL,
    vaccine text NOT NULL,
    doses integer NOT NULL CHECK (doses >= 0),
    booked integer NOT NULL DEFAULT 0 CHECK (booked >= 0 AND booked <= doses),
    published_at timestamptz NOT NULL,
    UNIQUE (institution_id, date, vaccine)
  )`,
  `CREATE INDEX leftover_offers_by_date ON leftover_offers (date)`,
  `CREATE TABLE leftover_bookings (
    id uuid PRIMARY KEY,
    offer_id uuid NOT NULL REFERENCES leftover_offers (id),
    person_key text NOT NULL REFERENCES persons (person_key),
    date date NOT NULL,
    status text NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'given', 'no_show')),
    created_at timestamptz NOT NULL,
    recorded_at timestamptz,
    recorded_by text
  )`,
  // One leftover dose per person per day.
  `CREATE UNIQUE INDEX leftover_bookings_one_per_day ON leftover_bookings (person_key, date)`,
  `CREATE INDEX leftover_bookings_by_offer ON leftover_bookings (offer_id)`,
  // A no-show without cancelling bars the person from leftover booking (BRIEF §3).
  `CREATE TABLE leftover_bars (
    person_key text PRIMARY KEY,
    reason text NOT NULL,
    barred_at timestamptz NOT NULL
  )`,
  `CREATE TABLE leftover_alerts (
    person_key text NOT NULL REFERENCES persons (person_key),
    institution_id text NOT NULL REFERENCES institutions (id),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (person_key, institution_id)
  )`,
  `CREATE INDEX leftover_alerts_by_clinic ON leftover_alerts (institution_id)`,
  // The language of a person's messages (Korean first; English on request).
  `ALTER TABLE persons ADD COLUMN locale text NOT NULL DEFAULT 'ko' CHECK (locale IN ('ko', 'en'))`,
  `CREATE TABLE registry_sync (
    name text PRIMARY KEY,
    cursor text NOT NULL,
    synced_at timestamptz NOT NULL
  )`,
];

const DOWN = ['registry_sync', 'leftover_alerts', 'leftover_bars', 'leftover_bookings', 'leftover_offers', 'clinic_stock', 'dose_outcomes'].map((t) => `DROP TABLE ${t}`);

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('DROP INDEX IF EXISTS booking_doses_by_date').execute(db);
  await sql.raw('DROP INDEX IF EXISTS booking_doses_by_clinic_day').execute(db);
  for (const statement of DOWN) await sql.raw(statement).execute(db);
  await sql.raw('ALTER TABLE persons DROP COLUMN locale').execute(db);
}
