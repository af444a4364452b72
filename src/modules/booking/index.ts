/** The booking module's public surface: what the rest of the server may use (the other files are private). */
export { newBookingId } from './booking-code.ts';
export { bookingRoutes } from './booking.routes.ts';
export { BookingEnvelope, BookingView, IdempotencyHeaders } from './booking.schemas.ts';
export { cancelBooking, createBooking, type SlotChoice } from './booking.service.ts';
export { bookingView } from './booking.view.ts';
export { addOutboxEvent, bookingsOfPerson, countBookings, findBooking } from './bookings.repository.ts';
export { claimIdempotencyKey, findIdempotentResponse, storeIdempotentResponse } from './idempotency.repository.ts';
export { requestFingerprint, type StoredResponse } from './idempotency.ts';
