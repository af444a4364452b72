import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import type { PersonRecord } from '../identity/index.ts';
import { bookingsOfPerson, countBookings, findBooking } from './bookings.repository.ts';
import { bookingView } from './booking.view.ts';

/** A person's bookings as they see them (the public view, API.md), newest first: their own page, or an agent reading it to them. */
export async function bookingsOf(ctx: Pick<Ctx, 'db'>, person: PersonRecord) {
  const bookings = await bookingsOfPerson(ctx.db, person.personKey);
  return bookings.map((b) => bookingView(b, person.maskedName));
}

/** Whose booking this is, and in which campaign: for someone acting on it for its holder (an agent); 404 when there is none. */
export async function bookingHolder(ctx: Pick<Ctx, 'db'>, bookingId: string): Promise<{ personKey: string; campaignId: string }> {
  const booking = await findBooking(ctx.db, bookingId);
  if (!booking) throw new YeyakError('YEYAK_ERR_BOOKING_NOT_FOUND');
  return { personKey: booking.personKey, campaignId: booking.campaignId };
}

/** A campaign's live and cancelled bookings, counted: the operator statistics (the citizen path never counts). */
export async function bookingFigures(ctx: Pick<Ctx, 'db'>, campaignId: string): Promise<{ booked: number; cancelled: number }> {
  return countBookings(ctx.db, campaignId);
}
