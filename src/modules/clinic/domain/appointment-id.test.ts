import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appointmentId, parseAppointmentId } from './appointment-id.ts';

describe('appointment ids', () => {
  it('round-trips booking doses and leftover bookings', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.integer({ min: 1, max: 9 }), (uuid, dose) => {
        expect(parseAppointmentId(appointmentId('booking', uuid, dose))).toEqual({ kind: 'booking', bookingId: uuid, dose });
        expect(parseAppointmentId(appointmentId('leftover', uuid, null))).toEqual({ kind: 'leftover', bookingId: uuid });
      }),
    );
  });

  it('refuses anything else', () => {
    for (const bad of ['', 'leftover.', '00000000-0000-0000-0000-000000000000.0', 'x.1', '00000000-0000-0000-0000-000000000000.1; drop']) {
      expect(parseAppointmentId(bad)).toBeNull();
    }
  });
});
