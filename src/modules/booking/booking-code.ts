import { randomInt } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { pooledRandomBytes } from '../../lib/random-pool.ts';

// Crockford's base 32 without I, L, O, U: nothing to misread over the phone.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A booking code people can read out: `XXXX-XXXX` (40 random bits; uniqueness is the database's). */
export function newBookingCode(): string {
  let code = '';
  for (let i = 0; i < 8; i++) {
    if (i === 4) code += '-';
    code += ALPHABET[randomInt(ALPHABET.length)];
  }
  return code;
}

/**
 * A booking's id: a UUIDv7, ordered by its creation time (from the injected clock) and random
 * after it. New bookings then land at the right-hand edge of the indexes keyed by it (bookings'
 * primary key, booking_doses') instead of on a random page each, which after every checkpoint was
 * one more page logged in full per index per booking. The time it carries to the millisecond is
 * the booking's own `created_at`, which its owner and staff see anyway.
 */
export function newBookingId(now: Date): string {
  // Its random bytes from the process's pool: uuid's own asks the system for 16 bytes each call.
  return uuidv7({ msecs: now.getTime(), random: pooledRandomBytes(16) });
}
