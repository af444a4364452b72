import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { TokenInvalidError } from '../../lib/signed-tokens.ts';
import { findPerson, type PersonRecord } from './persons.repository.ts';
import '@fastify/cookie';

export const SESSION_COOKIE = 'yeyak_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified person behind the request's session, set by `requireSession`. */
    personKey?: string;
    /** The person's record as sealed into the session at sign-in (saves a read per request). */
    sessionPerson?: PersonRecord;
  }
}

/** The bearer token, else the named cookie. */
export function credentialOf(request: FastifyRequest, cookieName: string): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
    return match?.[1];
  }
  return request.cookies?.[cookieName];
}

const sealContext = (personKey: string) => `session.person:${personKey}`;

/**
 * The session's claims about its person: birth date and masked name, encrypted (the token is only
 * signed, and a bearer token may pass through places that should not read a birth date).
 */
export function sessionClaims(ctx: Ctx, person: PersonRecord): Record<string, string> {
  return { pd: ctx.crypto.encrypt(JSON.stringify({ bd: person.birthDate, mn: person.maskedName }), sealContext(person.personKey)) };
}

function personInClaims(ctx: Ctx, personKey: string, claims: Record<string, unknown>): PersonRecord | undefined {
  if (typeof claims.pd !== 'string') return undefined;
  try {
    const { bd, mn } = JSON.parse(ctx.crypto.decrypt(claims.pd, sealContext(personKey))) as { bd: unknown; mn: unknown };
    return typeof bd === 'string' && typeof mn === 'string' ? { personKey, birthDate: bd, maskedName: mn } : undefined;
  } catch {
    // A key rotated away, or a seal made for another person: read the record instead.
    return undefined;
  }
}

export interface VerifiedSession {
  personKey: string;
  /** From the session's sealed claims; undefined for a session made without them. */
  person: PersonRecord | undefined;
}

/** Verifies a session token, or throws 401. */
export function verifySessionToken(ctx: Ctx, token: string | undefined): VerifiedSession {
  if (!token) throw new YeyakError('YEYAK_ERR_UNAUTHENTICATED');
  try {
    const { subject, claims } = ctx.signer.verify('session', token, ctx.clock.now());
    return { personKey: subject, person: personInClaims(ctx, subject, claims) };
  } catch (error) {
    if (error instanceof TokenInvalidError) throw new YeyakError('YEYAK_ERR_UNAUTHENTICATED');
    throw error;
  }
}

/** Verifies the session credential and returns the person key, or throws 401. */
export async function verifySession(ctx: Ctx, request: FastifyRequest): Promise<string> {
  return verifySessionToken(ctx, credentialOf(request, SESSION_COOKIE)).personKey;
}

/** onRequest: the request must carry a valid session. */
export function requireSession(ctx: Ctx): onRequestAsyncHookHandler {
  return async (request) => {
    const session = verifySessionToken(ctx, credentialOf(request, SESSION_COOKIE));
    request.personKey = session.personKey;
    request.sessionPerson = session.person;
  };
}

/** The person behind an authenticated request (after `requireSession` or the booking gate). */
export async function personOf(ctx: Ctx, request: FastifyRequest): Promise<PersonRecord> {
  if (request.sessionPerson && request.sessionPerson.personKey === request.personKey) return request.sessionPerson;
  const person = request.personKey === undefined ? undefined : await findPerson(ctx.db, request.personKey);
  if (!person) throw new YeyakError('YEYAK_ERR_UNAUTHENTICATED');
  return person;
}
