import { timeFromMinutes } from '../../lib/seoul-time.ts';
import type { BookingRecord } from './bookings.repository.ts';

/** The public shape of a booking (API.md); the person appears only as a masked name. */
export function bookingView(b: BookingRecord, personMaskedName: string) {
  return {
    id: b.id,
    code: b.code,
    status: b.status,
    campaignId: b.campaignId,
    personMaskedName,
    doses: b.doses.map((d) => ({ dose: d.dose, institutionId: d.institutionId, date: d.date, time: timeFromMinutes(d.minute) })),
  };
}
