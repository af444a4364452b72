import { sql, type Kysely } from 'kysely';

/**
 * The booking transaction as one server-side function (issue 6, BRIEF §6: a booking may cost at
 * most two TPC-B transactions). Called once per booking as a single statement, it is its own
 * transaction: one round trip instead of eight (BEGIN, key claim, booking row, two conditional
 * takes, doses and outbox, key response, COMMIT), and its statements' plans are cached by PL/pgSQL
 * for the connection's life instead of being parsed and planned on every call.
 *
 * Every guarantee of the statements it replaces holds here, in the same order:
 * 1. the Idempotency-Key is claimed first (a concurrent request with the same key waits on the
 *    primary key until the first ends, then reads its stored answer; only successes are stored);
 * 2. the registry's local copy is asked again inside the transaction (already vaccinated → YKV01);
 * 3. the booking row: the partial unique index refuses a second live booking (23505) before any
 *    capacity row is locked;
 * 4. each dose: its clinic-day, then (dose 1 in a rotation window) the window's share, then its
 *    slot, each a conditional `booked + 1 … WHERE booked < limit` — the lock order of every booking
 *    transaction (a clinic-day before its shares and slots, clinic-days in date order); a later
 *    dose takes its wanted time if free, else the nearest free one (ties to the earlier time);
 *    anything full → YKS01 with `{dose, date}` as DETAIL, and the exception rolls back the whole
 *    statement — doses already taken, the booking row and the key claim: both doses or neither;
 * 5. the doses, the `booking.created` outbox event and the key's stored response, in the same
 *    transaction. The event payload and the stored response come rendered by the caller for the
 *    wanted time; where a later dose moved, its `doses[i].minute` (event) and
 *    `booking.doses[i].time` (response, `HH:MM`) are set to the time taken.
 * Plain PL/pgSQL that PostgreSQL 15 and PGlite (PostgreSQL 17/18) both run.
 */
const UP = [
  `CREATE FUNCTION create_booking(
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
    v_minutes smallint[] := '{}';
    v_event jsonb := p_event;
    v_response jsonb := p_response;
  BEGIN
    IF p_idempotency_key IS NOT NULL THEN
      INSERT INTO idempotency_keys (person_key, key, request_hash, status_code, response, created_at)
      VALUES (p_person_key, p_idempotency_key, p_request_hash, 0, '{}', p_at)
      ON CONFLICT (person_key, key) DO NOTHING;
      IF NOT FOUND THEN
        -- Claimed before, by a request that committed (we waited for it): its answer, as stored.
        SELECT k.request_hash, k.status_code, k.response INTO prior_hash, prior_status, prior_response
          FROM idempotency_keys k WHERE k.person_key = p_person_key AND k.key = p_idempotency_key;
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
        -- FOR UPDATE re-checks booked < capacity after waiting for a concurrent taker, and the
        -- outer condition refuses a slot that filled meanwhile: then the dose is sold out.
        UPDATE capacity_slots SET booked = booked + 1
         WHERE campaign_id = p_campaign_id AND institution_id = p_institution_id AND date = p_dates[i]
           AND minute = (SELECT s.minute FROM capacity_slots s
                          WHERE s.campaign_id = p_campaign_id AND s.institution_id = p_institution_id
                            AND s.date = p_dates[i] AND s.booked < s.capacity
                          ORDER BY abs(s.minute - p_minute::int), s.minute LIMIT 1 FOR UPDATE)
           AND booked < capacity
        RETURNING minute INTO v_minute;
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
      UPDATE idempotency_keys SET status_code = 201, response = v_response
       WHERE person_key = p_person_key AND key = p_idempotency_key;
    END IF;
    taken_minutes := v_minutes;
  END $$`,
];

const DOWN = ['DROP FUNCTION create_booking'];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
}
