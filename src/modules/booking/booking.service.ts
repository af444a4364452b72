import type { Transaction } from 'kysely';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import type { DB } from '../../infra/db/schema.ts';
import { inTransaction } from '../../infra/db/transaction.ts';
import { type Campaign, type CampaignWindow, canSelfService, currentWindowFor, doseDates, isWindowOpen } from '../campaigns/index.ts';
import { minutesOfDay } from '../../lib/seoul-time.ts';
import { BOOKING_RULES, eligibilityOf, eligibilityView } from '../eligibility/index.ts';
import { type PersonRecord, sealedRow } from '../identity/index.ts';
import { firstBookableDate } from '../availability/index.ts';
import { recordOutboxEvent } from '../outbox/index.ts';
import { newBookingCode, newBookingId } from './booking-code.ts';
import { lockClinicDays, releaseDose, takeDose } from './capacity-ledger.ts';
import { findBooking, markCancelled, markChanged, writeDoses, type BookingRecord } from './bookings.repository.ts';
import { insertBookingWithDoses } from './create-booking.repository.ts';
import type { StoredResponse } from './idempotency.ts';
import { bookingRequest, findBookingAnswer, keepFirstAnswer } from './booking-replay.repository.ts';
import { bookingView, replayedBookingBody } from './booking.view.ts';

type Trx = Transaction<DB>;

export interface SlotChoice {
  institutionId: string;
  date: string;
  time: string;
}

/** The window the person books in now (server clock), or the coded refusal with their own window. */
async function windowForBooking(ctx: Pick<Ctx, 'campaigns' | 'clock' | 'config' | 'db' | 'registry'>, campaign: Campaign, person: PersonRecord, now: Date): Promise<CampaignWindow> {
  const eligibility = await eligibilityOf(ctx, campaign, person, BOOKING_RULES);
  if (eligibility.reason === 'NOT_IN_COHORT' || eligibility.reason === 'ALREADY_VACCINATED') {
    throw new YeyakError('YEYAK_ERR_NOT_ELIGIBLE', { details: { reason: eligibility.reason } });
  }
  const window = eligibility.eligible ? currentWindowFor(campaign.windows, person.birthDate, now) : null;
  if (!window) {
    const view = eligibilityView(campaign.id, eligibility);
    throw new YeyakError('YEYAK_ERR_OUTSIDE_WINDOW', { details: { reason: view.reason, window: view.window } });
  }
  return window;
}

/**
 * A change's new doses (a new booking takes its own inside `create_booking`, with the same
 * text as `take_dose`), in the caller's transaction: dose 1 at the chosen slot (and the
 * window's share when booked inside the rotation), later doses at the same clinic after the
 * campaign's interval, at the same time if free or else the nearest free time that day. Any dose
 * missing → SOLD_OUT, and the transaction rolls back the ones already taken: both or neither.
 */
async function takeDoses(trx: Trx, campaign: Campaign, choice: SlotChoice, shareWindowId: string | null): Promise<BookingRecord['doses']> {
  const minute = minutesOfDay(choice.time);
  const dates = doseDates(choice.date, campaign.vaccine.doses, campaign.vaccine.intervalDays);
  const doses: BookingRecord['doses'] = [];
  // Clinic-days are taken in date order: with takeDose's row order, the global lock order.
  for (const [index, date] of dates.entries()) {
    const first = index === 0;
    const request = { institutionId: choice.institutionId, date, minute, exact: first, shareWindowId: first ? shareWindowId : null };
    const taken = await takeDose(trx, campaign.id, request);
    if (taken === null) throw soldOut(index + 1, date);
    doses.push({ dose: index + 1, institutionId: choice.institutionId, date, minute: taken });
  }
  return doses;
}

function checkBookableDate(now: Date, date: string): void {
  if (date < firstBookableDate(now)) throw new YeyakError('YEYAK_ERR_OUTSIDE_WINDOW', { details: { problems: ['the first dose must be on a later day than today'] } });
}

/**
 * The window a new booking is made in. The registry's answer is the one fact these rules would read
 * from the database, and the booking statement asks it again inside its transaction anyway; so the
 * rules run first taking "not vaccinated" for granted (no read), and only a refusal is evaluated
 * again with the registry's answer, so that it carries the reason the full rules give.
 */
async function windowForNewBooking(ctx: Pick<Ctx, 'campaigns' | 'clock' | 'config' | 'db' | 'registry'>, campaign: Campaign, person: PersonRecord, now: Date): Promise<CampaignWindow> {
  const optimistic = await eligibilityOf(ctx, campaign, person, BOOKING_RULES, { vaccinated: false });
  if (optimistic.eligible && optimistic.window) return optimistic.window;
  return windowForBooking(ctx, campaign, person, now);
}

function soldOut(dose: number, date: string): YeyakError {
  return new YeyakError('YEYAK_ERR_SOLD_OUT', { details: { dose, date } });
}

/**
 * Books every dose in one transaction — one statement, `insertBookingWithDoses` — with an
 * Idempotency-Key a replay returns the first answer. `bookedBy` records who booked when it was not
 * the person ('agent:<operator id>', 'guardian:<person key>'), written in the same transaction.
 */
export async function createBooking(ctx: Pick<Ctx, 'campaigns' | 'clock' | 'config' | 'crypto' | 'db' | 'registry'>, campaign: Campaign, person: PersonRecord, choice: SlotChoice, idempotencyKey?: string, bookedBy?: string): Promise<StoredResponse> {
  const now = ctx.clock.now();
  const request = bookingRequest(campaign.id, choice);
  const minute = minutesOfDay(choice.time);
  const replayed = (prior: StoredResponse): StoredResponse => ({
    statusCode: prior.statusCode,
    body: replayedBookingBody(prior.body, { campaignId: campaign.id, institutionId: choice.institutionId, personMaskedName: person.maskedName }),
  });
  let window: CampaignWindow;
  try {
    window = await windowForNewBooking(ctx, campaign, person, now);
    checkBookableDate(now, choice.date);
  } catch (refusal) {
    // A replay answers as the first time did, even after the window or the day has moved on.
    const keyed = { campaignId: campaign.id, personKey: person.personKey, request, institutionId: choice.institutionId, date: choice.date, minute };
    const prior = idempotencyKey ? await findBookingAnswer(ctx.db, { ...keyed, key: idempotencyKey }) : null;
    if (prior) return replayed(prior);
    throw refusal;
  }
  const shareWindowId = window.kind === 'rotation' ? window.id : null;
  const dates = doseDates(choice.date, campaign.vaccine.doses, campaign.vaccine.intervalDays);
  const personRecord = sealedRow(ctx, person);
  for (let attempt = 0; ; attempt++) {
    // Rendered for the wanted time; the statement sets a later dose's time where it moved.
    const record: BookingRecord = {
      id: newBookingId(now),
      code: newBookingCode(),
      campaignId: campaign.id,
      personKey: person.personKey,
      windowId: window.id,
      shareWindowId,
      status: 'booked',
      createdAt: now,
      doses: dates.map((date, i) => ({ dose: i + 1, institutionId: choice.institutionId, date, minute })),
    };
    const respond = (r: BookingRecord) => ({ statusCode: 201, body: { booking: bookingView(r, person.maskedName) } });
    const outcome = await insertBookingWithDoses(ctx.db, {
      ...record,
      bookedBy: bookedBy ?? null,
      at: now,
      vaccine: campaign.vaccine,
      institutionId: choice.institutionId,
      dates,
      minute,
      // What the consumers read (the registry's report, the message): the booking itself is the event's aggregate, its code in its row.
      event: { campaignId: campaign.id, doses: record.doses },
      idempotency: idempotencyKey ? { key: idempotencyKey, requestHash: request.hash } : null,
      personRecord,
    });
    switch (outcome.kind) {
      case 'booked':
        return respond({ ...record, doses: record.doses.map((d, i) => ({ ...d, minute: outcome.minutes[i] ?? d.minute })) });
      case 'replay':
        if (!request.matches(outcome.requestHash)) throw new YeyakError('YEYAK_ERR_IDEMPOTENCY_MISMATCH');
        return replayed({ statusCode: outcome.statusCode, body: outcome.body });
      case 'sold-out':
        throw soldOut(outcome.dose, outcome.date);
      case 'vaccinated':
        throw new YeyakError('YEYAK_ERR_NOT_ELIGIBLE', { details: { reason: 'ALREADY_VACCINATED' } });
      case 'already-booked':
        throw new YeyakError('YEYAK_ERR_ALREADY_BOOKED');
      case 'code-taken':
        // 40 random bits: a collision is rare, two in a row rarer still.
        if (attempt < 3) continue;
        throw new Error('booking code collided 4 times in a row');
    }
  }
}

/**
 * Self-service on a booking: the person's own, still live, at least 2 days before the first
 * remaining appointment, and — inside the rotation — only in the person's own window.
 */
async function lockOwnBooking(trx: Trx, campaign: Campaign, person: PersonRecord, bookingId: string, now: Date): Promise<BookingRecord> {
  const booking = await findBooking(trx, bookingId, true);
  if (!booking || booking.personKey !== person.personKey || booking.campaignId !== campaign.id) throw new YeyakError('YEYAK_ERR_BOOKING_NOT_FOUND');
  if (booking.status !== 'booked') throw new YeyakError('YEYAK_ERR_BOOKING_NOT_ACTIVE');
  const first = booking.doses[0];
  if (first && !canSelfService(first.date, now)) throw new YeyakError('YEYAK_ERR_SELF_SERVICE_CLOSED');
  const anyOpen = campaign.windows.some((w) => isWindowOpen(w, now));
  if (anyOpen && !currentWindowFor(campaign.windows, person.birthDate, now)) throw new YeyakError('YEYAK_ERR_OUTSIDE_WINDOW');
  return booking;
}

/** Cancels a booking and gives back every dose it held. */
export async function cancelBooking(ctx: Pick<Ctx, 'clock' | 'db'>, campaign: Campaign, person: PersonRecord, bookingId: string) {
  const now = ctx.clock.now();
  return inTransaction(ctx.db, async (trx) => {
    const booking = await lockOwnBooking(trx, campaign, person, bookingId, now);
    for (const dose of booking.doses) await releaseDose(trx, campaign.id, dose, dose.dose === 1 ? booking.shareWindowId : null);
    await markCancelled(trx, booking.id, now);
    await recordOutboxEvent(trx, 'booking.cancelled', booking.id, { bookingId: booking.id, campaignId: campaign.id, code: booking.code }, now);
    return { booking: bookingView({ ...booking, status: 'cancelled' }, person.maskedName) };
  });
}

/**
 * Moves a booking to another slot atomically: the old doses are given back and the new ones taken
 * in one transaction, so if any new dose is missing the rollback restores the old ones untouched.
 */
export async function changeBooking(ctx: Pick<Ctx, 'campaigns' | 'clock' | 'config' | 'db' | 'registry'>, campaign: Campaign, person: PersonRecord, bookingId: string, choice: SlotChoice) {
  const now = ctx.clock.now();
  checkBookableDate(now, choice.date);
  const window = await windowForBooking(ctx, campaign, person, now);
  const shareWindowId = window.kind === 'rotation' ? window.id : null;
  return inTransaction(ctx.db, async (trx) => {
    const booking = await lockOwnBooking(trx, campaign, person, bookingId, now);
    // A change touches two clinics' days: lock them all first, in one global order.
    const newDays = doseDates(choice.date, campaign.vaccine.doses, campaign.vaccine.intervalDays).map((date) => ({ institutionId: choice.institutionId, date }));
    await lockClinicDays(trx, campaign.id, [...booking.doses, ...newDays]);
    for (const dose of booking.doses) await releaseDose(trx, campaign.id, dose, dose.dose === 1 ? booking.shareWindowId : null);
    await keepFirstAnswer(trx, booking);
    const doses = await takeDoses(trx, campaign, choice, shareWindowId);
    await writeDoses(trx, booking.id, doses);
    await markChanged(trx, booking.id, window.id, shareWindowId, now);
    await recordOutboxEvent(trx, 'booking.changed', booking.id, { bookingId: booking.id, campaignId: campaign.id, code: booking.code, doses }, now);
    return { booking: bookingView({ ...booking, doses }, person.maskedName) };
  });
}
