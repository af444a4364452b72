import { sql, type Kysely } from 'kysely';

/**
 * Identity, eligibility and personal data (issue 3). No CI or resident registration number is ever
 * stored: persons are keyed by HMAC(pepper, CI); name and phone are envelope-encrypted; a
 * `contact_hash` (HMAC of name, birth date and phone) matches people to uploaded priority lists.
 */
const UP = [
  `ALTER TABLE persons ADD COLUMN name_enc text`,
  `ALTER TABLE persons ADD COLUMN phone_enc text`,
  `ALTER TABLE persons ADD COLUMN contact_hash text`,
  `CREATE INDEX persons_by_contact_hash ON persons (contact_hash)`,
  // A verified adult books for a dependent (proxy); the booking is the dependent's.
  `CREATE TABLE dependents (
    guardian_key text NOT NULL REFERENCES persons (person_key),
    person_key text NOT NULL REFERENCES persons (person_key),
    relationship text NOT NULL CHECK (relationship IN ('parent', 'grandparent', 'spouse', 'child', 'sibling', 'other')),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (guardian_key, person_key),
    CHECK (guardian_key <> person_key)
  )`,
  `CREATE INDEX dependents_by_person ON dependents (person_key)`,
  // Mobile one-time codes: only a hash of the code; the claimed identity is encrypted.
  `CREATE TABLE otp_challenges (
    id uuid PRIMARY KEY,
    code_hash text NOT NULL,
    identity_enc text NOT NULL,
    phone_hash text NOT NULL,
    attempts smallint NOT NULL DEFAULT 0,
    expires_at timestamptz NOT NULL,
    consumed_at timestamptz,
    created_at timestamptz NOT NULL
  )`,
  `CREATE INDEX otp_challenges_by_phone ON otp_challenges (phone_hash, created_at)`,
  // Priority groups, uploaded by operators; identifiers are hashed at upload.
  `CREATE TABLE priority_entries (
    campaign_id text NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    contact_hash text NOT NULL,
    group_name text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (campaign_id, contact_hash)
  )`,
  // The local copy of the national immunization registry (issue 7 keeps it in sync).
  `CREATE TABLE vaccination_records (
    person_key text NOT NULL,
    vaccine text NOT NULL,
    dose smallint NOT NULL,
    administered_on date NOT NULL,
    PRIMARY KEY (person_key, vaccine, dose)
  )`,
  `CREATE TABLE operators (
    id uuid PRIMARY KEY,
    username text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    role text NOT NULL CHECK (role IN ('operator', 'clinic_staff', 'agent')),
    institution_id text REFERENCES institutions (id),
    failed_logins smallint NOT NULL DEFAULT 0,
    locked_until timestamptz,
    created_at timestamptz NOT NULL,
    CHECK ((role = 'clinic_staff') = (institution_id IS NOT NULL))
  )`,
  `CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL,
    actor text NOT NULL,
    role text NOT NULL,
    action text NOT NULL,
    target text,
    details jsonb NOT NULL DEFAULT '{}'
  )`,
  `CREATE INDEX audit_log_by_time ON audit_log (at)`,
  // Append-only, enforced by the database: no UPDATE or DELETE of an audit entry, ever.
  `CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`,
  `CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,
  `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`,
  // Who made a booking when it was not the person: 'guardian:<person key>' or 'agent:<operator id>'.
  `ALTER TABLE bookings ADD COLUMN booked_by text`,
];

const DOWN = [
  'ALTER TABLE bookings DROP COLUMN booked_by',
  'DROP TABLE audit_log',
  'DROP FUNCTION audit_log_append_only',
  'DROP TABLE operators',
  'DROP TABLE vaccination_records',
  'DROP TABLE priority_entries',
  'DROP TABLE otp_challenges',
  'DROP TABLE dependents',
  'ALTER TABLE persons DROP COLUMN contact_hash, DROP COLUMN phone_enc, DROP COLUMN name_enc',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
}
