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
    /** Facts about the person as of sign-in, sealed into the session (see `SessionFacts`). */
    sessionFacts?: SessionFacts;
    /** The session's sealed claims as they came (`pd`): a ticket and an admission carry them on unopened. */
    sessionSeal?: string;
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
 * What the registry said at sign-in: the campaigns checked, and those whose vaccine the person had
 * already completed. The waiting room's join uses it as a pre-filter (booking asks the registry
 * again, in its transaction), so joining reads nothing from the database.
 */
export interface SessionFacts {
  checkedCampaigns: string[];
  vaccinatedFor: string[];
}

/**
 * The session's claims about its person — birth date, masked name, registry facts — encrypted:
 * the token is only signed, and a bearer token may pass through places that should read none of it.
 */
export function sessionClaims(ctx: Ctx, person: PersonRecord, facts: SessionFacts): Record<string, string> {
  const sealed = { bd: person.birthDate, mn: person.maskedName, vc: facts.checkedCampaigns, vx: facts.vaccinatedFor };
  return { pd: ctx.crypto.encrypt(JSON.stringify(sealed), sealContext(person.personKey)) };
}

const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

function openClaims(ctx: Ctx, personKey: string, claims: Record<string, unknown>): Pick<VerifiedSession, 'person' | 'facts'> {
  if (typeof claims.pd !== 'string') return { person: undefined, facts: undefined };
  return openSeal(ctx, personKey, claims.pd);
}

function openSeal(ctx: Ctx, personKey: string, seal: string): Pick<VerifiedSession, 'person' | 'facts'> {
  try {
    const { bd, mn, vc, vx } = JSON.parse(ctx.crypto.decrypt(seal, sealContext(personKey))) as Record<string, unknown>;
    const person = typeof bd === 'string' && typeof mn === 'string' ? { personKey, birthDate: bd, maskedName: mn } : undefined;
    const facts = isStrings(vc) && isStrings(vx) ? { checkedCampaigns: vc, vaccinatedFor: vx } : undefined;
    return { person, facts };
  } catch {
    // A key rotated away, or a seal made for another person: read the record instead.
    return { person: undefined, facts: undefined };
  }
}

/**
 * The person record in a session's seal carried on by a ticket and an admission (no `persons`
 * read on the booking path); undefined when it does not open for this person.
 */
export function sealedPerson(ctx: Ctx, personKey: string, seal: string): PersonRecord | undefined {
  return openSeal(ctx, personKey, seal).person;
}

export interface VerifiedSession {
  personKey: string;
  /** The sealed claims as they came, if any. */
  seal: string | undefined;
  /** From the session's sealed claims; undefined for a session made without them. */
  person: PersonRecord | undefined;
  facts: SessionFacts | undefined;
}

/** Verifies a session token, or throws 401. */
export function verifySessionToken(ctx: Ctx, token: string | undefined): VerifiedSession {
  if (!token) throw new YeyakError('YEYAK_ERR_UNAUTHENTICATED');
  try {
    const { subject, claims } = ctx.signer.verify('session', token, ctx.clock.now());
    return { personKey: subject, seal: typeof claims.pd === 'string' ? claims.pd : undefined, ...openClaims(ctx, subject, claims) };
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
    request.sessionFacts = session.facts;
    request.sessionSeal = session.seal;
  };
}

/** The person behind an authenticated request (after `requireSession` or the booking gate). */
export async function personOf(ctx: Ctx, request: FastifyRequest): Promise<PersonRecord> {
  if (request.sessionPerson && request.sessionPerson.personKey === request.personKey) return request.sessionPerson;
  const person = request.personKey === undefined ? undefined : await findPerson(ctx.db, request.personKey);
  if (!person) throw new YeyakError('YEYAK_ERR_UNAUTHENTICATED');
  return person;
}
