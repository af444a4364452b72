import { sql, type Kysely } from 'kysely';

/**
 * Delivery of the transactional outbox to the outside world (issue 7): every outbox event is fanned
 * out into one job per consumer (the immunization registry, the message gateway), each job with its
 * own idempotency key, attempts, back-off and dead-letter state. Workers claim jobs with
 * `FOR UPDATE SKIP LOCKED` and a lease, so many nodes share the work and a crashed worker's jobs
 * come back when the lease runs out. No personal data: ids and person keys only; phones and names
 * are decrypted by the message worker at send time.
 */
const UP = [
  `CREATE TABLE outbox_jobs (
    id bigserial PRIMARY KEY,
    consumer text NOT NULL CHECK (consumer IN ('registry', 'messages')),
    idempotency_key text NOT NULL UNIQUE,
    outbox_id bigint REFERENCES outbox (id),
    topic text NOT NULL,
    aggregate_id text NOT NULL,
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL,
    leased_until timestamptz,
    last_error text,
    created_at timestamptz NOT NULL,
    done_at timestamptz
  )`,
  // The claim query: due pending jobs of one consumer, oldest first.
  `CREATE INDEX outbox_jobs_due ON outbox_jobs (consumer, next_attempt_at, id) WHERE status = 'pending'`,
  // Per-aggregate order: a job waits while an older pending job of the same aggregate exists.
  `CREATE INDEX outbox_jobs_by_aggregate ON outbox_jobs (consumer, aggregate_id, id) WHERE status = 'pending'`,
  `CREATE INDEX outbox_jobs_dead ON outbox_jobs (id) WHERE status = 'dead'`,
];

const DOWN = ['DROP TABLE outbox_jobs'];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
}
