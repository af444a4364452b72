import { randomUUID } from 'node:crypto';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { inTransaction } from '../../infra/db/transaction.ts';
import { formatSeoul, seoulDate, timeFromMinutes } from '../../lib/seoul-time.ts';
import { type OperatorPrincipal, recordAudit } from '../operator/index.ts';
import { recordOutboxEvent } from '../outbox/index.ts';
import {
  appointmentsOf,
  barFromLeftovers,
  insertDoseOutcome,
  lockBookedDose,
  lockLeftoverBooking,
  nextDoseNumber,
  publishLeftoverOffer,
  recordVaccination,
  setLeftoverOutcome,
  stockOf,
  upsertClinicStock,
} from './clinic.repository.ts';
import { appointmentId, parseAppointmentId } from './domain/appointment-id.ts';

/** The clinic a staff member works at (the token binds it; nothing in the request can change it). */
function clinicOf(staff: OperatorPrincipal): string {
  if (!staff.institutionId) throw new YeyakError('YEYAK_ERR_FORBIDDEN');
  return staff.institutionId;
}

/** The clinic's appointments on a date (default today in Seoul), by time, leftovers last. */
export async function listAppointments(ctx: Pick<Ctx, 'clock' | 'db'>, staff: OperatorPrincipal, date?: string) {
  const institutionId = clinicOf(staff);
  const day = date ?? seoulDate(ctx.clock.now());
  const rows = await appointmentsOf(ctx.db, institutionId, day);
  return {
    institutionId,
    date: day,
    appointments: rows.map((r) => ({
      id: appointmentId(r.kind, r.bookingId, r.dose),
      kind: r.kind,
      time: r.minute === null ? null : timeFromMinutes(r.minute),
      dose: r.dose,
      code: r.code,
      campaignId: r.campaignId,
      vaccine: r.vaccine,
      personMaskedName: r.maskedName,
      birthYear: r.birthYear,
      status: r.status,
    })),
  };
}

/**
 * Records what happened at an appointment, in one transaction with its audit entry and — for a
 * dose given — the local registry copy and the outbox event that reports it to the registry. A
 * no-show bars the person from leftover booking. Only on or after the appointment's day.
 */
export async function recordOutcome(ctx: Pick<Ctx, 'clock' | 'db'>, staff: OperatorPrincipal, id: string, outcome: 'given' | 'no_show') {
  const institutionId = clinicOf(staff);
  const ref = parseAppointmentId(id);
  if (!ref) throw new YeyakError('YEYAK_ERR_APPOINTMENT_NOT_FOUND');
  const now = ctx.clock.now();
  const today = seoulDate(now);
  const by = `operator:${staff.id}`;
  return inTransaction(ctx.db, async (trx) => {
    let personKey: string;
    let vaccine: string;
    let dose: number;
    if (ref.kind === 'booking') {
      const row = await lockBookedDose(trx, ref.bookingId, ref.dose, institutionId);
      if (!row) throw new YeyakError('YEYAK_ERR_APPOINTMENT_NOT_FOUND');
      if (row.status !== 'booked' || row.date > today) throw new YeyakError('YEYAK_ERR_APPOINTMENT_NOT_DUE');
      if (!(await insertDoseOutcome(trx, row.id, row.dose, outcome, now, by))) throw new YeyakError('YEYAK_ERR_APPOINTMENT_ALREADY_RECORDED');
      ({ person_key: personKey, vaccine_name: vaccine, dose } = row);
    } else {
      const row = await lockLeftoverBooking(trx, ref.bookingId, institutionId);
      if (!row) throw new YeyakError('YEYAK_ERR_APPOINTMENT_NOT_FOUND');
      if (row.date > today) throw new YeyakError('YEYAK_ERR_APPOINTMENT_NOT_DUE');
      if (row.status !== 'booked') throw new YeyakError('YEYAK_ERR_APPOINTMENT_ALREADY_RECORDED');
      await setLeftoverOutcome(trx, row.id, outcome, now, by);
      ({ person_key: personKey, vaccine } = row);
      dose = await nextDoseNumber(trx, personKey, vaccine);
    }
    if (outcome === 'given') {
      await recordVaccination(trx, personKey, vaccine, dose, today);
      // Aggregate = the booking, so the registry hears of the dose only after the booking itself.
      const aggregate = ref.kind === 'booking' ? ref.bookingId : `leftover:${ref.bookingId}`;
      await recordOutboxEvent(trx, 'dose.administered', aggregate, { bookingId: ref.bookingId, kind: ref.kind, personKey, vaccine, dose, clinicId: institutionId, administeredOn: today }, now);
    } else {
      await barFromLeftovers(trx, personKey, 'no_show', now);
    }
    await recordAudit(trx, now, staff, { action: `clinic.dose.${outcome}`, target: id, details: { institutionId, dose } });
    return { id, status: outcome, recordedAt: formatSeoul(now) };
  });
}

/** The clinic reports its stock of a vaccine: stored, audited, and reported to the registry through the outbox. */
export async function reportStock(ctx: Pick<Ctx, 'clock' | 'db'>, staff: OperatorPrincipal, vaccine: string, doses: number) {
  const institutionId = clinicOf(staff);
  const now = ctx.clock.now();
  await inTransaction(ctx.db, async (trx) => {
    await upsertClinicStock(trx, institutionId, vaccine, doses, now);
    await recordOutboxEvent(trx, 'stock.reported', `stock:${institutionId}`, { clinicId: institutionId, vaccine, doses }, now);
    await recordAudit(trx, now, staff, { action: 'clinic.stock.reported', target: institutionId, details: { vaccine, doses } });
  });
  return stockView(ctx, institutionId);
}

export async function stockView(ctx: Pick<Ctx, 'db'>, institutionId: string) {
  const rows = await stockOf(ctx.db, institutionId);
  return { institutionId, stock: rows.map((r) => ({ vaccine: r.vaccine, doses: r.doses, source: r.source, reportedAt: formatSeoul(r.reported_at) })) };
}

/**
 * Publishes today's leftover doses of a vaccine (sets the number offered; never below the ones
 * already booked). Subscribers are alerted through the outbox, after the commit.
 */
export async function publishLeftovers(ctx: Pick<Ctx, 'clock' | 'db'>, staff: OperatorPrincipal, vaccine: string, doses: number) {
  const institutionId = clinicOf(staff);
  const now = ctx.clock.now();
  const date = seoulDate(now);
  return inTransaction(ctx.db, async (trx) => {
    const offer = await publishLeftoverOffer(trx, { id: randomUUID(), institutionId, date, vaccine, doses, at: now });
    if (!offer) throw new YeyakError('YEYAK_ERR_LEFTOVER_BELOW_BOOKED');
    const remaining = offer.doses - offer.booked;
    if (remaining > 0) await recordOutboxEvent(trx, 'leftover.published', `leftover-offer:${offer.id}`, { offerId: offer.id, clinicId: institutionId, vaccine, doses: remaining, date }, now);
    await recordAudit(trx, now, staff, { action: 'clinic.leftovers.published', target: offer.id, details: { institutionId, vaccine, doses } });
    return { offerId: offer.id, institutionId, date, vaccine, doses: offer.doses, booked: offer.booked, remaining };
  });
}
