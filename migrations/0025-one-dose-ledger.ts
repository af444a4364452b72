import { sql, type Kysely } from 'kysely';
import { CREATE_BOOKING_0020 } from './0020-booking-writes-what-it-must.ts';

/**
 * One dose ledger (issue 24): taking a dose is written once, as the text `TAKE_ONE_DOSE` below,
 * and giving one back once, as `release_dose`. The same text is the body of `take_dose`, which a
 * change (`src/modules/booking/capacity-ledger.ts`) calls, and is written inline in
 * `create_booking`'s loop over a new booking's doses: a PL/pgSQL call per dose there cost the
 * booking 10–25% more of PostgreSQL's CPU (two alternated `bench:booking` pairs, docs/performance.md),
 * so the booking keeps the statements in its own body, from the same text. `test/dose-ledger.test.ts`
 * checks that both functions in the database hold it, so a later migration cannot replace one
 * without the other.
 *
 * A take is the clinic-day projection, then the rotation window's share (if any), then the slot,
 * each a conditional `booked + 1 … WHERE booked < limit` gated on the one before (`FOUND`) — the
 * lock order of every booking (a clinic-day before its shares and slots), so no two can deadlock,
 * and no two can take the last dose. The slot is the wanted time exactly (`d_exact`, dose 1), or
 * (a later dose) the free one nearest to it, ties to the earlier, taken by the same conditional
 * update: when a concurrent taker filled it first, the next statement's snapshot sees that and
 * looks again (each turn follows a commit that filled a slot, so the loop ends). It leaves
 * `v_minute` the slot's minute, or null when anything was full; the caller then aborts, and the
 * rollback undoes the partial increments. `release_dose` gives one back in the same order and
 * says whether it did.
 *
 * The text reads `p_campaign_id`, `p_institution_id`, `p_minute`, `d_date`, `d_exact` and `d_share`,
 * and writes `v_minute` (and `v_candidate`): each function declares them.
 */
export const TAKE_ONE_DOSE = `
    v_minute := NULL;
    UPDATE clinic_days SET booked = booked + 1
     WHERE campaign_id = p_campaign_id AND institution_id = p_institution_id AND date = d_date AND booked < capacity;
    IF FOUND AND d_share IS NOT NULL THEN
      UPDATE window_shares SET booked = booked + 1
       WHERE campaign_id = p_campaign_id AND institution_id = p_institution_id AND date = d_date
         AND window_id = d_share AND booked < share;
    END IF;
    IF FOUND AND d_exact THEN
      UPDATE capacity_slots SET booked = booked + 1
       WHERE campaign_id = p_campaign_id AND institution_id = p_institution_id AND date = d_date
         AND minute = p_minute AND booked < capacity
      RETURNING minute INTO v_minute;
    ELSIF FOUND THEN
      LOOP
        SELECT s.minute INTO v_candidate FROM capacity_slots s
         WHERE s.campaign_id = p_campaign_id AND s.institution_id = p_institution_id
           AND s.date = d_date AND s.booked < s.capacity
         ORDER BY abs(s.minute - p_minute::int), s.minute LIMIT 1;
        EXIT WHEN v_candidate IS NULL;
        UPDATE capacity_slots SET booked = booked + 1
         WHERE campaign_id = p_campaign_id AND institution_id = p_institution_id AND date = d_date
           AND minute = v_candidate AND booked < capacity
        RETURNING minute INTO v_minute;
        EXIT WHEN v_minute IS NOT NULL;
      END LOOP;
    END IF;
`;

const TAKE_DOSE = `CREATE FUNCTION take_dose(
    p_campaign_id text, p_institution_id text, d_date date, p_minute smallint, d_exact boolean, d_share text
  ) RETURNS smallint LANGUAGE plpgsql AS $$
  DECLARE
    v_minute smallint;
    v_candidate smallint;
  BEGIN${TAKE_ONE_DOSE}
    RETURN v_minute;
  END $$`;

const RELEASE_DOSE = `CREATE FUNCTION release_dose(
    p_campaign_id text, p_institution_id text, p_date date, p_minute smallint, p_share_window_id text
  ) RETURNS boolean LANGUAGE plpgsql AS $$
  BEGIN
    UPDATE clinic_days SET booked = booked - 1
     WHERE campaign_id = p_campaign_id AND institution_id = p_institution_id AND date = p_date AND booked > 0;
    IF NOT FOUND THEN
      RETURN false;
    END IF;
    IF p_share_window_id IS NOT NULL THEN
      UPDATE window_shares SET booked = booked - 1
       WHERE campaign_id = p_campaign_id AND institution_id = p_institution_id AND date = p_date
         AND window_id = p_share_window_id AND booked > 0;
      IF NOT FOUND THEN
        RETURN false;
      END IF;
    END IF;
    UPDATE capacity_slots SET booked = booked - 1
     WHERE campaign_id = p_campaign_id AND institution_id = p_institution_id AND date = p_date
       AND minute = p_minute AND booked > 0;
    RETURN FOUND;
  END $$`;

export const CREATE_BOOKING_0025 = `CREATE OR REPLACE FUNCTION create_booking(
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
    d_date date;
    d_exact boolean;
    d_share text;
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
      -- Dose 1 at the chosen time, drawing on the window's share; a later dose at the nearest free time.
      d_date := p_dates[i];
      d_exact := i = 1;
      d_share := CASE WHEN i = 1 THEN p_share_window_id END;${TAKE_ONE_DOSE}      IF v_minute IS NULL THEN
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
  END $$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of [TAKE_DOSE, RELEASE_DOSE, CREATE_BOOKING_0025]) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(CREATE_BOOKING_0020).execute(db);
  await sql`DROP FUNCTION release_dose`.execute(db);
  await sql`DROP FUNCTION take_dose`.execute(db);
}
