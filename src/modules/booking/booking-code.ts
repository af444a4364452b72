import { randomInt } from 'node:crypto';

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
