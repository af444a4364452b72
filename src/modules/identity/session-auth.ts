import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { RecentByToken } from '../../lib/recent-by-token.ts';
import { TokenInvalidError, type TokenSigner } from '../../lib/signed-tokens.ts';
import type { PersonRecord, SealedIdentity } from './person.ts';
import { findPerson } from './persons.repository.ts';
import '@fastify/cookie';
import { documentedAs } from '../../http/credential-docs.ts';

export const SESSION_COOKIE = 'yeyak_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified person behind the request's session, set by `requireSession`. */
    personKey?: string;
    /** The verified session, set by `requireSession`: its sealed claims are opened on first use. */
    session?: VerifiedSession;
  }
}

/** The bearer token, else the named cookie. */
export function credentialOf(request: FastifyRequest, cookieName: string): string | undefined {
  return credentialFrom(request.headers.authorization, request.cookies?.[cookieName]);
}

/** The bearer token of an Authorization header when there is one (a malformed one gives none), else the cookie's. */
export function credentialFrom(authorization: string | undefined, cookie: string | undefined): string | undefined {
  if (authorization !== undefined) return /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(authorization)?.[1];
  return cookie;
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
 * The session's claims about its person — birth date, masked name, registry facts, and for a
 * person just verified their name, phone and the instant (sign-in records nothing: the first need
 * of a record writes it from these) — encrypted: the token is only signed, and a bearer token may
 * pass through places that should read none of it.
 */
export function sessionClaims(ctx: Pick<Ctx, 'crypto'>, person: PersonRecord, facts: SessionFacts): Record<string, string> {
  const identity = person.sealed && { nm: person.sealed.name, ph: person.sealed.phone, va: person.sealed.verifiedAt.getTime() };
  const sealed = { bd: person.birthDate, mn: person.maskedName, vc: facts.checkedCampaigns, vx: facts.vaccinatedFor, ...(person.synthetic ? { sy: 1 } : {}), ...identity };
  return { pd: ctx.crypto.encryptCompact(JSON.stringify(sealed), sealContext(person.personKey)) };
}

/** The sealed identity when the seal has one whole. */
function sealedIdentity(nm: unknown, ph: unknown, va: unknown): { sealed?: SealedIdentity } {
  return typeof nm === 'string' && typeof ph === 'string' && typeof va === 'number' ? { sealed: { name: nm, phone: ph, verifiedAt: new Date(va) } } : {};
}

const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

interface SealedClaims {
  person: PersonRecord | undefined;
  facts: SessionFacts | undefined;
}

function openClaims(ctx: Pick<Ctx, 'crypto'>, personKey: string, sealed: unknown): SealedClaims {
  if (typeof sealed !== 'string') return { person: undefined, facts: undefined };
  try {
    const { bd, mn, vc, vx, sy, nm, ph, va } = JSON.parse(ctx.crypto.decrypt(sealed, sealContext(personKey))) as Record<string, unknown>;
    const person =
      typeof bd === 'string' && typeof mn === 'string' ? { personKey, birthDate: bd, maskedName: mn, ...(sy === 1 ? { synthetic: true } : {}), ...sealedIdentity(nm, ph, va) } : undefined;
    const facts = isStrings(vc) && isStrings(vx) ? { checkedCampaigns: vc, vaccinatedFor: vx } : undefined;
    return { person, facts };
  } catch {
    // A key rotated away, or a seal made for another person: read the record instead.
    return { person: undefined, facts: undefined };
  }
}

/**
 * A verified session. Its sealed claims are decrypted on first use only: a repeat join, a ticket
 * or an admission needs the person key alone, and the AES-GCM opening costs more than the HMAC.
 */
export class VerifiedSession {
  private opened: SealedClaims | undefined;

  /** The sealed claims as they came (`pd`), if any: a ticket and an admission carry them on unopened. */
  readonly seal: string | undefined;

  constructor(
    private readonly ctx: Pick<Ctx, 'crypto'>,
    readonly personKey: string,
    sealed: unknown,
  ) {
    this.seal = typeof sealed === 'string' ? sealed : undefined;
  }

  private claims(): SealedClaims {
    return (this.opened ??= openClaims(this.ctx, this.personKey, this.seal));
  }

  /** The person's record as sealed at sign-in; undefined for a session made without it. */
  get person(): PersonRecord | undefined {
    return this.claims().person;
  }

  /** What the registry said at sign-in; undefined for a session made without it. */
  get facts(): SessionFacts | undefined {
    return this.claims().facts;
  }
}

/** A session verified earlier, with the instants that bound its validity (epoch seconds). */
interface RememberedSession {
  session: VerifiedSession;
  expiresAtSeconds: number;
  notBeforeSeconds: number | null;
}

/**
 * How many verified sessions a node remembers. The same person asks again within seconds (a
 * reload, a second device, the join then the admission): each remembered token spares an HMAC,
 * two base64 decodes, a JSON parse and, once opened, the AES-GCM of its sealed claims. About 2 KB
 * each, so a few megabytes at most.
 */
const SESSIONS_REMEMBERED = 4096;

// One memory per signer: the keys that verified a token are the signer's, so another signer (a
// test's, a node restarted with other keys) never sees a token this one accepted.
const rememberedBySigner = new WeakMap<TokenSigner, RecentByToken<RememberedSession>>();

function rememberedSessions(signer: TokenSigner): RecentByToken<RememberedSession> {
  let remembered = rememberedBySigner.get(signer);
  if (!remembered) rememberedBySigner.set(signer, (remembered = new RecentByToken(SESSIONS_REMEMBERED)));
  return remembered;
}

/**
 * Verifies a session token, or throws 401. A token verified before is remembered by its exact
 * string (so its signature, issuer and audience held for these very bytes), but its validity in
 * time is checked again against the clock on every use: an expired one is forgotten and verified
 * afresh, which refuses it.
 */
export function verifySessionToken(ctx: Pick<Ctx, 'clock' | 'crypto' | 'signer'>, token: string | undefined): VerifiedSession {
  if (!token) throw new YeyakError('YEYAK_ERR_UNAUTHENTICATED');
  const now = ctx.clock.now();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const remembered = rememberedSessions(ctx.signer);
  const known = remembered.get(token);
  if (known) {
    if (known.expiresAtSeconds > nowSeconds && (known.notBeforeSeconds === null || known.notBeforeSeconds <= nowSeconds)) return known.session;
    remembered.delete(token);
  }
  try {
    const { subject, claims } = ctx.signer.verify('session', token, now);
    const session = new VerifiedSession(ctx, subject, claims.pd);
    remembered.offer(token, { session, expiresAtSeconds: typeof claims.exp === 'number' ? claims.exp : 0, notBeforeSeconds: typeof claims.nbf === 'number' ? claims.nbf : null });
    return session;
  } catch (error) {
    if (error instanceof TokenInvalidError) throw new YeyakError('YEYAK_ERR_UNAUTHENTICATED');
    throw error;
  }
}

/** onRequest: the request must carry a valid session. */
export function requireSession(ctx: Pick<Ctx, 'clock' | 'crypto' | 'signer'>): onRequestAsyncHookHandler {
  return documentedAs('session', async (request: FastifyRequest) => {
    const session = verifySessionToken(ctx, credentialOf(request, SESSION_COOKIE));
    request.personKey = session.personKey;
    request.session = session;
  });
}

/** The person behind an authenticated request (after `requireSession` or the booking gate). */
export async function personOf(ctx: Pick<Ctx, 'db'>, request: FastifyRequest): Promise<PersonRecord> {
  const session = request.session?.personKey === request.personKey ? request.session : undefined;
  return personOfKey(ctx, request.personKey, session);
}

/** The person with this key: from their session's sealed claims when it has them, else their record. */
export async function personOfKey(ctx: Pick<Ctx, 'db'>, personKey: string | undefined, session?: VerifiedSession): Promise<PersonRecord> {
  const sealed = session?.personKey === personKey ? session?.person : undefined;
  if (sealed) return sealed;
  const person = personKey === undefined ? undefined : await findPerson(ctx.db, personKey);
  if (!person) throw new YeyakError('YEYAK_ERR_UNAUTHENTICATED');
  return person;
}
