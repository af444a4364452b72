import { timeFromMinutes } from '../../lib/seoul-time.ts';
import type { BookingRecord } from './bookings.repository.ts';

/** The public shape of a booking (API.md); the person appears only as a masked name. */
export function bookingView(b: Pick<BookingRecord, 'id' | 'code' | 'status' | 'campaignId' | 'doses'>, personMaskedName: string) {
  return {
    id: b.id,
    code: b.code,
    status: b.status,
    campaignId: b.campaignId,
    personMaskedName,
    doses: b.doses.map((d) => ({ dose: d.dose, institutionId: d.institutionId, date: d.date, time: timeFromMinutes(d.minute) })),
  };
}

/** A replay's answer, what the request cannot say: as migration 0028 kept it under the key, and as `create_booking` reads it from the booking since 0030. */
interface StoredBooking {
  booked: { id: string; code: string; dates: string[]; minutes: number[] };
}

function isStoredBooking(body: unknown): body is StoredBooking {
  const booked = (body as Partial<StoredBooking> | null)?.booked;
  return typeof booked?.id === 'string' && typeof booked.code === 'string' && Array.isArray(booked.dates) && Array.isArray(booked.minutes) && booked.dates.length === booked.minutes.length;
}

/**
 * The body a replayed booking answers: the first 201 rendered again from what its key kept and from
 * the request (the same request: its hash matched), so it reads as the first did, whatever became of
 * the booking since. A body kept whole (a node before migration 0028, or another kind of request) is
 * answered as kept.
 */
export function replayedBookingBody(body: unknown, request: { campaignId: string; institutionId: string; personMaskedName: string }): unknown {
  if (!isStoredBooking(body)) return body;
  const { id, code, dates, minutes } = body.booked;
  const doses = dates.map((date, i) => ({ dose: i + 1, institutionId: request.institutionId, date, minute: Number(minutes[i]) }));
  return { booking: bookingView({ id, code, status: 'booked', campaignId: request.campaignId, doses }, request.personMaskedName) };
}
