import { describe, expect, it } from 'vitest';
import { newBookingCode, newBookingId } from './booking-code.ts';

describe('booking identifiers', () => {
  it('reads out as XXXX-XXXX in an alphabet without I, L, O, U', () => {
    for (let i = 0; i < 200; i++) expect(newBookingCode()).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  });

  it('gives a UUIDv7 carrying the clock\'s millisecond, ordered by it, and never the same twice', () => {
    const at = new Date('2026-08-09T11:00:00.123Z');
    const id = newBookingId(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(at.getTime());
    const later = newBookingId(new Date(at.getTime() + 1));
    expect(later > id).toBe(true);
    const sameMs = new Set(Array.from({ length: 1000 }, () => newBookingId(at)));
    expect(sameMs.size).toBe(1000);
  });
});
