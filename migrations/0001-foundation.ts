import { sql, type Kysely } from 'kysely';

/**
 * The booking core. Invariants the database itself enforces (never only code):
 * - a slot, a clinic-day and a window share never go below zero or above capacity (CHECKs);
 * - one live booking per person per campaign (partial unique index);
 * - an Idempotency-Key is claimed once per person (primary key).
 * SQL stays within what PostgreSQL 15 (Debian) and PGlite (PostgreSQL 18) both run.
 */
const UP = [
  `CREATE TABLE persons (
    person_key text PRIMARY KEY,
    birth_date date NOT NULL,
    masked_name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE campaigns (
    id text PRIMARY KEY,
    name text NOT NULL,
    born_from date NOT NULL,
    born_to date NOT NULL,
    vaccine_name text NOT NULL,
    doses smallint NOT NULL CHECK (doses BETWEEN 1 AND 4),
    interval_days smallint NOT NULL CHECK (interval_days BETWEEN 0 AND 365),
    queue_opens_at timestamptz NOT NULL,
    proxy_allowed boolean NOT NULL,
    admission jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (born_from <= born_to)
  )`,
  `CREATE TABLE campaign_windows (
    campaign_id text NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('rotation', 'catchup', 'open')),
    opens_at timestamptz NOT NULL,
    closes_at timestamptz NOT NULL,
    birth_day_digits smallint[],
    born_from date,
    born_to date,
    PRIMARY KEY (campaign_id, id),
    CHECK (closes_at > opens_at)
  )`,
  `CREATE TABLE institutions (
    id text PRIMARY KEY,
    name text NOT NULL,
    address text NOT NULL,
    sido text NOT NULL,
    sigungu text NOT NULL,
    lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lng double precision NOT NULL CHECK (lng BETWEEN -180 AND 180),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX institutions_by_region ON institutions (sido, sigungu, name, id)`,
  `CREATE INDEX institutions_by_position ON institutions (lat, lng)`,
  // A clinic's half-hour: the unit a dose is booked in.
  `CREATE TABLE capacity_slots (
    campaign_id text NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    institution_id text NOT NULL REFERENCES institutions (id),
    date date NOT NULL,
    minute smallint NOT NULL CHECK (minute >= 0 AND minute < 1440 AND minute % 30 = 0),
    capacity integer NOT NULL CHECK (capacity >= 0),
    booked integer NOT NULL DEFAULT 0 CHECK (booked >= 0 AND booked <= capacity),
    PRIMARY KEY (campaign_id, institution_id, date, minute)
  )`,
  // The availability projection: remaining doses per clinic and date, kept in the booking transaction.
  `CREATE TABLE clinic_days (
    campaign_id text NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    institution_id text NOT NULL REFERENCES institutions (id),
    date date NOT NULL,
    capacity integer NOT NULL CHECK (capacity >= 0),
    booked integer NOT NULL DEFAULT 0 CHECK (booked >= 0 AND booked <= capacity),
    PRIMARY KEY (campaign_id, institution_id, date)
  )`,
  // Equal distribution: each rotation window's share of a clinic-day.
  `CREATE TABLE window_shares (
    campaign_id text NOT NULL,
    institution_id text NOT NULL,
    date date NOT NULL,
    window_id text NOT NULL,
    share integer NOT NULL CHECK (share >= 0),
    booked integer NOT NULL DEFAULT 0 CHECK (booked >= 0 AND booked <= share),
    PRIMARY KEY (campaign_id, institution_id, date, window_id),
    FOREIGN KEY (campaign_id, institution_id, date) REFERENCES clinic_days (campaign_id, institution_id, date) ON DELETE CASCADE
  )`,
  `CREATE TABLE bookings (
    id uuid PRIMARY KEY,
    code text NOT NULL UNIQUE,
    campaign_id text NOT NULL REFERENCES campaigns (id),
    person_key text NOT NULL REFERENCES persons (person_key),
    window_id text NOT NULL,
    share_window_id text,
    status text NOT NULL CHECK (status IN ('booked', 'cancelled')),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    cancelled_at timestamptz
  )`,
  `CREATE UNIQUE INDEX bookings_one_live_per_person ON bookings (campaign_id, person_key) WHERE status = 'booked'`,
  `CREATE INDEX bookings_by_person ON bookings (person_key, created_at)`,
  `CREATE INDEX bookings_by_campaign_status ON bookings (campaign_id, status)`,
  `CREATE TABLE booking_doses (
    booking_id uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    dose smallint NOT NULL CHECK (dose >= 1),
    institution_id text NOT NULL,
    date date NOT NULL,
    minute smallint NOT NULL,
    PRIMARY KEY (booking_id, dose)
  )`,
  `CREATE TABLE idempotency_keys (
    person_key text NOT NULL,
    key text NOT NULL,
    request_hash text NOT NULL,
    status_code smallint NOT NULL,
    response jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (person_key, key)
  )`,
  // Transactional outbox: events written in the same transaction as the change they announce.
  `CREATE TABLE outbox (
    id bigserial PRIMARY KEY,
    topic text NOT NULL,
    aggregate_id text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    processed_at timestamptz
  )`,
  `CREATE INDEX outbox_pending ON outbox (id) WHERE processed_at IS NULL`,
];

const DOWN = ['outbox', 'idempotency_keys', 'booking_doses', 'bookings', 'window_shares', 'clinic_days', 'capacity_slots', 'institutions', 'campaign_windows', 'campaigns', 'persons'];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of DOWN) await sql.raw(`DROP TABLE IF EXISTS ${table} CASCADE`).execute(db);
}
