/** The booking module's public surface: what the rest of the server may use (the other files are private). */
export { newBookingId } from './booking-code.ts';
export { bookingFigures, bookingHolder, bookingsOf } from './booking-reads.ts';
export { bookingRoutes } from './booking.routes.ts';
export { BookingEnvelope, BookingView, IdempotencyHeaders } from './booking.schemas.ts';
export { cancelBooking, createBooking, type SlotChoice } from './booking.service.ts';
export { idempotentRequest } from './idempotent-request.ts';
export type { StoredResponse } from './idempotency.ts';
