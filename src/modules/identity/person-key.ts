import { createHash, createHmac, type KeyObject } from 'node:crypto';

/**
 * The person key: HMAC-SHA256 of the identity provider's connecting information (CI) under a
 * secret pepper. It identifies a person everywhere; the CI itself is never stored or logged.
 */
export function personKeyOf(pepper: KeyObject, ci: string): string {
  return createHmac('sha256', pepper).update(`ci:${ci}`).digest('base64url');
}

/**
 * The development provider's stand-in for a CI: derived from name, birth date and phone, so the
 * same three always make the same person (API.md "Identity").
 */
export function devConnectingInformation(name: string, birthDate: string, phone: string): string {
  return createHash('sha256').update(`dev:${contactIdentity(name, birthDate, phone)}`).digest('base64url');
}

/** Masks a name for display: 홍길동 → 홍*동, 이순 → 이*, John Smith → J********h. */
export function maskName(name: string): string {
  const chars = [...name.normalize('NFC').trim()];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/** Normalised name, birth date and phone digits: the same person however they typed it. */
function contactIdentity(name: string, birthDate: string, phone: string): string {
  return `${name.normalize('NFC').replace(/\s+/g, '')}|${birthDate}|${phone.replace(/\D/g, '')}`;
}

/**
 * A keyed hash of name, birth date and phone. Priority lists are uploaded as these three and
 * hashed at upload; a verified person is matched by the same hash, never by the clear values.
 */
export function contactHashOf(pepper: KeyObject, name: string, birthDate: string, phone: string): string {
  return createHmac('sha256', pepper).update(`contact:${contactIdentity(name, birthDate, phone)}`).digest('base64url');
}
