import { sql, type Kysely } from 'kysely';
import { createBooking0028, STORED_OR_COMPACT } from './0028-idempotent-booking-answer.ts';

/**
 * A booking keeps its own Idempotency-Key (issue 21: a booking writes what it must). The row in
 * `idempotency_keys` and its primary key's entry cost a booking 462 bytes of WAL (0.96 + 0.99
 * records): 344 for a row that repeated the booking, 118 for its index entry. The key is now a
 * column of the booking (`bookings.idempotency_key`, no index: it is found from the person's one
 * live booking of the campaign, or their cancelled ones, by the partial indexes every booking
 * already enters), and the answer a replay gives is rendered from the booking and its doses, as
 * 0028's compact answer was: `{"booked": {id, code, dates, minutes}}`.
 *
 * The request's hash is not stored either: the booking is what the request asked for. A replay is
 * the same request when dose 1 is at the asked clinic, date and time (dose 1 is always taken at
 * the time asked; the campaign is the lookup's): the answer's `prior_hash` is then the hash the
 * caller gave, and '' otherwise, which matches no request (422). A booking changed since (a new
 * clinic, date or time) no longer says what its first request was: the change keeps its first
 * answer in `idempotency_keys` as 0028 stored it (`keepFirstAnswer`), which is looked up first.
 *
 * `idempotency_keys` still holds what was stored before this migration (until those keys age
 * out), a changed booking's first answer, and leftover bookings' keys; `REPLAY_UNDER_KEY` reads it
 * before the bookings. A key is now unique per person and campaign for a campaign's bookings (it
 * was per person): the same key sent to another campaign books there.
 *
 * The text is written once and used twice, as the dose ledger's is (0025): in `create_booking`, and
 * as `booking_answer_under_key`, which a booking refused before its statement (a window since
 * closed) asks, so that a replay still answers as the first time did.
 *
 * A rolling deploy: nodes since 0028 call `create_booking` with the same arguments and read its
 * answer the same way. A node before this migration still reads only `idempotency_keys` when a
 * booking is refused before its statement, so it answers that refusal, not the replay, for a key
 * a new node kept in the booking; and its change does not keep the first answer, so a replay of a
 * booking it changed is a 422. The new column changes what `select * from bookings` returns: the
 * old nodes must be at least the release that discards a connection whose prepared statement it
 * made stale (`isStalePlan`), or they answer 500 on their prepared reads of bookings until restarted.
 */
export const REPLAY_UNDER_KEY = `
    SELECT k.request_hash, k.status_code, k.response INTO prior_hash, prior_status, prior_response
      FROM idempotency_keys k WHERE k.person_key = p_person_key AND k.key = p_idempotency_key;
    IF NOT FOUND THEN
      SELECT CASE WHEN bool_or(d.dose = 1 AND d.institution_id = p_institution_id AND d.date = p_dates[1] AND d.minute = p_minute)
                  THEN p_request_hash ELSE '' END,
             201,
             jsonb_build_object('booked', jsonb_build_object('id', b.id, 'code', b.code,
               'dates', jsonb_agg(d.date ORDER BY d.dose), 'minutes', jsonb_agg(d.minute ORDER BY d.dose)))
        INTO prior_hash, prior_status, prior_response
        FROM (SELECT id, code FROM bookings
               WHERE campaign_id = p_campaign_id AND person_key = p_person_key AND status = 'booked' AND idempotency_key = p_idempotency_key
              UNION ALL
              SELECT id, code FROM bookings
               WHERE campaign_id = p_campaign_id AND person_key = p_person_key AND status = 'cancelled' AND idempotency_key = p_idempotency_key
              LIMIT 1) b
        JOIN booking_doses d ON d.booking_id = b.id
       GROUP BY b.id, b.code;
    END IF;
`;

const BOOKING_ANSWER_UNDER_KEY = `CREATE FUNCTION booking_answer_under_key(
    p_campaign_id text, p_person_key text, p_idempotency_key text, p_request_hash text,
    p_institution_id text, p_dates date[], p_minute smallint,
    OUT prior_hash text, OUT prior_status smallint, OUT prior_response jsonb
  ) LANGUAGE plpgsql STABLE AS $$
  BEGIN${REPLAY_UNDER_KEY}
  END $$`;

/** Each change this migration makes to `create_booking` as 0028 left it: the text it replaces, and the new text. */
const CHANGES: [string, string][] = [
  [
    `      -- The key's lock (not logged), then its stored answer if a request that committed left one.
      PERFORM pg_advisory_xact_lock(idempotency_lock(p_person_key, p_idempotency_key));
      SELECT k.request_hash, k.status_code, k.response INTO prior_hash, prior_status, prior_response
        FROM idempotency_keys k WHERE k.person_key = p_person_key AND k.key = p_idempotency_key;
`,
    `      -- The key's lock (not logged), then the answer of a request under it that committed.
      PERFORM pg_advisory_xact_lock(idempotency_lock(p_person_key, p_idempotency_key));${REPLAY_UNDER_KEY}`,
  ],
  [
    `status, booked_by, created_at, updated_at)
    VALUES (p_booking_id, p_code, p_campaign_id, p_person_key, p_window_id, p_share_window_id, 'booked', p_booked_by, p_at, p_at);`,
    `status, booked_by, created_at, updated_at, idempotency_key)
    VALUES (p_booking_id, p_code, p_campaign_id, p_person_key, p_window_id, p_share_window_id, 'booked', p_booked_by, p_at, p_at, p_idempotency_key);`,
  ],
  // The key's own row: the booking's holds the key now.
  [
    `    IF p_idempotency_key IS NOT NULL THEN
      INSERT INTO idempotency_keys (person_key, key, request_hash, status_code, response, created_at)
      ${STORED_OR_COMPACT}
    END IF;
`,
    '',
  ],
];

/** `create_booking` as this migration writes it: `CREATE OR REPLACE FUNCTION create_booking` as 0028 wrote it, with `CHANGES`. */
function createBooking0030(): string {
  return CHANGES.reduce((text, [before, after]) => {
    if (!text.includes(before)) throw new Error(`0030: create_booking 0028 no longer reads ${before.trim().split('\n')[0]}`);
    return text.replace(before, after);
  }, createBooking0028());
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE bookings ADD COLUMN idempotency_key text`.execute(db);
  for (const statement of [BOOKING_ANSWER_UNDER_KEY, createBooking0030()]) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(createBooking0028()).execute(db);
  await sql`DROP FUNCTION booking_answer_under_key`.execute(db);
  await sql`ALTER TABLE bookings DROP COLUMN idempotency_key`.execute(db);
}
