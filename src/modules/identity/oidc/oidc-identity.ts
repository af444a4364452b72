import { YeyakError } from '../../../errors.ts';
import { isValidDate } from '../../../lib/seoul-time.ts';
import type { VerifiedIdentity } from '../sign-in.ts';

/** The claims a provider must give (ID token or userinfo) for a verified person. */
const REQUIRED_CLAIMS = ['name', 'birthdate', 'phone_number'] as const;

/** True when the ID token alone does not carry every claim we need (then userinfo is asked). */
export function lacksPersonClaims(claims: Record<string, unknown>): boolean {
  return REQUIRED_CLAIMS.some((claim) => claims[claim] === undefined);
}

/**
 * The person key's input: the provider's CI when it sends one (the same person is then the same
 * whichever certificate service they use), else `sub` qualified by the issuer, so that two
 * providers' subjects can never name the same person.
 */
function connectingInformation(issuer: string, claims: Record<string, unknown>): string | null {
  if (typeof claims.ci === 'string' && claims.ci.trim() !== '') return claims.ci;
  if (typeof claims.sub === 'string' && claims.sub !== '') return `oidc-sub:${issuer}#${claims.sub}`;
  return null;
}

function nameOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const name = value.normalize('NFC').trim();
  return name !== '' && name.length <= 100 ? name : null;
}

/** `birthdate` (OIDC: YYYY-MM-DD; a year alone or 0000-MM-DD is not enough to book by cohort). */
function birthDateOf(value: unknown, today: string): string | null {
  if (typeof value !== 'string' || !isValidDate(value)) return null;
  return value >= '1900-01-01' && value <= today ? value : null;
}

function sexOf(value: unknown): 'M' | 'F' | null {
  if (typeof value !== 'string') return null;
  const v = value.trim().toLowerCase();
  if (v === 'male' || v === 'm') return 'M';
  if (v === 'female' || v === 'f') return 'F';
  return null;
}

/** `phone_number` (E.164 such as `+82 10-1234-5678`) as the domestic number `01012345678`. */
function phoneOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const compact = value.replace(/[\s().-]/g, '');
  const korean = /^\+82(?:0)?(\d{8,10})$/.exec(compact);
  if (korean) return `0${korean[1]}`;
  if (/^0\d{8,10}$/.test(compact) || /^\+\d{8,15}$/.test(compact)) return compact;
  return null;
}

/**
 * The verified person in a provider's claims (ID token merged with userinfo); throws
 * `YEYAK_ERR_OIDC_CLAIMS_MISSING` naming the claims (never their values) that are absent or unusable.
 */
export function identityFromClaims(issuer: string, claims: Record<string, unknown>, today: string): VerifiedIdentity {
  const ci = connectingInformation(issuer, claims);
  const name = nameOf(claims.name);
  const birthDate = birthDateOf(claims.birthdate, today);
  const phone = phoneOf(claims.phone_number);
  if (ci === null || name === null || birthDate === null || phone === null) {
    const missing = [
      ...(ci === null ? ['sub'] : []),
      ...(name === null ? ['name'] : []),
      ...(birthDate === null ? ['birthdate'] : []),
      ...(phone === null ? ['phone_number'] : []),
    ];
    throw new YeyakError('YEYAK_ERR_OIDC_CLAIMS_MISSING', { details: { missing } });
  }
  return { ci, name, birthDate, sex: sexOf(claims.gender), phone };
}
