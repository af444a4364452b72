import { sql, type Kysely } from 'kysely';
import { up as createBookingAsBefore } from './0013-booking-in-one-statement.ts';

/**
 * A booking writes what it must (issue 21): fewer records per booking in the write-ahead log,
 * every guarantee of migration 0013 kept.
 *
 * 1. **The Idempotency-Key is written once, with its answer.** The key was claimed first by an
 *    insert (a speculative insert and its confirmation, an index entry) and its answer stored at
 *    the end by an update: now a transaction-scoped advisory lock on the key (held to the commit,
 *    never logged) serialises requests with the same key, the stored answer is read under it, and
 *    the answer is inserted once at the end. A concurrent request with the same key waits on the
 *    lock until the first ends, then reads its stored answer, as before; only successes are stored.
 *    The leftover booking takes the same lock before its claim (`claimIdempotencyKey`), so the two
 *    paths never race on a key.
 * 2. **A later dose's nearest free time without a row lock.** `SELECT … FOR UPDATE` wrote a lock
 *    record for the slot it then updated; the conditional update alone takes the slot, and when a
 *    concurrent booking filled it first, the function looks for the next nearest again.
 * 3. **No foreign key from a booking to its person.** Its check share-locked the person's row on
 *    every booking (a lock record, and after each checkpoint the page's image). It cannot fail: a
 *    booking's person is the session's, recorded at sign-in before any session names them (or by
 *    the call centre before it books), and persons are never deleted.
 */
const UP = [
  `CREATE FUNCTION idempotency_lock(p_person_key text, p_key text) RETURNS bigint
   LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT hashtextextended(p_person_key || ' ' || p_key, 20) $$`,
  `CREATE OR REPLACE FUNCTION create_booking(
    p_booking_id uuid,
    p_code text,
    p_campaign_id text,
    p_person_key text,
    p_window_id text,
    p_share_window_id text,
    p_booked_by text,
    p_at timestamptz,
    p_vaccine text,
    p_vaccine_doses smallint,
    p_institution_id text,
    p_dates date[],
    p_minute smallint,
    p_event jsonb,
    p_idempotency_key text,
    p_request_hash text,
    p_response jsonb,
    OUT taken_minutes smallint[],
    OUT prior_hash text,
    OUT prior_status smallint,
    OUT prior_response jsonb
  ) LANGUAGE plpgsql AS $$
  DECLARE
    v_minute smallint;
    v_candidate smallint;
    v_minutes smallint[] := '{}';
    v_event jsonb := p_event;
    v_response jsonb := p_response;
  BEGIN
    IF p_idempotency_key IS NOT NULL THEN
      -- The key's lock (not logged), then its stored answer if a request that committed left one.
      PERFORM pg_advisory_xact_lock(idempotency_lock(p_person_key, p_idempotency_key));
      SELECT k.request_hash, k.status_code, k.response INTO prior_hash, prior_status, prior_response
        FROM idempotency_keys k WHERE k.person_key = p_person_key AND k.key = p_idempotency_key;
      IF FOUND THEN
        RETURN;
      END IF;
    END IF;

    IF EXISTS (SELECT 1 FROM vaccination_records r
               WHERE r.person_key = p_person_key AND r.vaccine = p_vaccine AND r.dose >= p_vaccine_doses) THEN
      RAISE EXCEPTION 'already vaccinated' USING ERRCODE = 'YKV01';
    END IF;

    INSERT INTO bookings (id, code, campaign_id, person_key, window_id, share_window_id, status, booked_by, created_at, updated_at)
    VALUES (p_booking_id, p_code, p_campaign_id, p_person_key, p_window_id, p_share_window_id, 'booked', p_booked_by, p_at, p_at);

    FOR i IN 1 .. cardinality(p_dates) LOOP
      v_minute := NULL;
      UPDATE clinic_days SET booked = booked + 1
       WHERE campaign_id = p_campaign_id AND institution_id = p_institution_id AND date = p_dates[i] AND booked < capacity;
      IF FOUND AND i = 1 AND p_share_window_id IS NOT NULL THEN
        UPDATE window_shares SET booked = booked + 1
         WHERE campaign_id = p_campaign_id AND institution_id = p_institution_id AND date = p_dates[i]
           AND window_id = p_share_window_id AND booked < share;
      END IF;
      IF FOUND AND i = 1 THEN
        UPDATE capacity_slots SET booked = booked + 1
         WHERE campaign_id = p_campaign_id AND institution_id = p_institution_id AND date = p_dates[i]
           AND minute = p_minute AND booked < capacity
        RETURNING minute INTO v_minute;
      ELSIF FOUND THEN
        -- The nearest free time, taken by the same conditional update; when a concurrent taker
        -- filled it first, the next statement's snapshot sees that and looks again. Each turn
        -- follows a commit that filled a slot, so the loop ends: with a time, or with none free.
        LOOP
          SELECT s.minute INTO v_candidate FROM capacity_slots s
           WHERE s.campaign_id = p_campaign_id AND s.institution_id = p_institution_id
             AND s.date = p_dates[i] AND s.booked < s.capacity
           ORDER BY abs(s.minute - p_minute::int), s.minute LIMIT 1;
          EXIT WHEN v_candidate IS NULL;
          UPDATE capacity_slots SET booked = booked + 1
           WHERE campaign_id = p_campaign_id AND institution_id = p_institution_id AND date = p_dates[i]
             AND minute = v_candidate AND booked < capacity
          RETURNING minute INTO v_minute;
          EXIT WHEN v_minute IS NOT NULL;
        END LOOP;
      END IF;
      IF v_minute IS NULL THEN
        RAISE EXCEPTION 'sold out' USING ERRCODE = 'YKS01', DETAIL = json_build_object('dose', i, 'date', p_dates[i])::text;
      END IF;
      IF v_minute <> p_minute THEN
        v_event := jsonb_set(v_event, ARRAY['doses', (i - 1)::text, 'minute'], to_jsonb(v_minute));
        IF v_response IS NOT NULL THEN
          v_response := jsonb_set(v_response, ARRAY['booking', 'doses', (i - 1)::text, 'time'],
                                  to_jsonb(to_char(make_interval(mins => v_minute), 'HH24:MI')));
        END IF;
      END IF;
      v_minutes := v_minutes || v_minute;
    END LOOP;

    INSERT INTO booking_doses (booking_id, dose, institution_id, date, minute)
    SELECT p_booking_id, d.n, p_institution_id, d.day, v_minutes[d.n::int]
      FROM unnest(p_dates) WITH ORDINALITY AS d (day, n);
    INSERT INTO outbox (topic, aggregate_id, payload, created_at)
    VALUES ('booking.created', p_booking_id::text, v_event, p_at);
    IF p_idempotency_key IS NOT NULL THEN
      INSERT INTO idempotency_keys (person_key, key, request_hash, status_code, response, created_at)
      VALUES (p_person_key, p_idempotency_key, p_request_hash, 201, v_response, p_at);
    END IF;
    taken_minutes := v_minutes;
  END $$`,
  `ALTER TABLE bookings DROP CONSTRAINT bookings_person_key_fkey`,
];

const DOWN = [
  `ALTER TABLE bookings ADD CONSTRAINT bookings_person_key_fkey FOREIGN KEY (person_key) REFERENCES persons (person_key)`,
  `DROP FUNCTION create_booking`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
  // The function as migration 0013 created it, then the lock's helper it no longer calls.
  await createBookingAsBefore(db);
  await sql`DROP FUNCTION idempotency_lock`.execute(db);
}

/** `create_booking` as this migration wrote it: migration 0025's `down` restores it. */
export const CREATE_BOOKING_0020 = UP[1]!;
