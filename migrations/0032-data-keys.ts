import { sql, type Kysely } from 'kysely';

/**
 * `data_keys`: the data keys personal data is sealed under, each wrapped by a key-encryption key
 * (`src/lib/envelope-crypto.ts`, `src/infra/db/data-keys.ts`). A process makes one as it starts
 * and seals every value under it (`d1.<id>.…`, 70 characters for a phone), where each value used
 * to carry its own wrapped data key (`v1`, 151 with a five-character KEK id): 81 bytes less WAL
 * a booking that records its person (issue 21).
 * Rotating the key-encryption key now rewraps these rows, not every person's.
 *
 * `wrapped` is `<kek id>.<iv>.<tag>.<data>` (base64url), bound to the row's id. Values sealed
 * before stay `v1` and still open. A node of an earlier release cannot open a `d1` value during a
 * rolling deploy: its message deliveries of such phones fail and are retried (with back-off, until
 * a new node takes them), and a mobile one-time code a new node issued fails to verify there (the
 * person asks for another code).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE data_keys (
    id text PRIMARY KEY,
    wrapped text NOT NULL,
    created_at timestamptz NOT NULL
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE data_keys`.execute(db);
}
