/**
 * An appointment on a clinic's list is either one dose of a booking (`<booking uuid>.<dose>`) or a
 * leftover booking (`leftover.<uuid>`): one opaque id the portal passes back to record an outcome.
 */
export type AppointmentRef = { kind: 'booking'; bookingId: string; dose: number } | { kind: 'leftover'; bookingId: string };

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const BOOKING = new RegExp(`^(${UUID})\\.([1-9])$`);
const LEFTOVER = new RegExp(`^leftover\\.(${UUID})$`);

export function appointmentId(kind: 'booking' | 'leftover', bookingId: string, dose: number | null): string {
  return kind === 'leftover' ? `leftover.${bookingId}` : `${bookingId}.${dose}`;
}

/** The reference behind an id, or null for anything that is not one. */
export function parseAppointmentId(id: string): AppointmentRef | null {
  const booking = BOOKING.exec(id);
  if (booking) return { kind: 'booking', bookingId: booking[1]!, dose: Number(booking[2]) };
  const leftover = LEFTOVER.exec(id);
  return leftover ? { kind: 'leftover', bookingId: leftover[1]! } : null;
}
