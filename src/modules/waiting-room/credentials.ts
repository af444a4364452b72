import { stringifySetCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { RecentByToken } from '../../lib/recent-by-token.ts';
import { SecondSight } from '../../lib/second-sight.ts';
import { TokenInvalidError, type TokenSigner } from '../../lib/signed-tokens.ts';
import { credentialOf } from '../identity/index.ts';

export const TICKET_COOKIE = 'yeyak_ticket';
const ADMISSION_COOKIE = 'yeyak_admission';
/** A ticket is a place in line: it lasts as long as a campaign's booking period plausibly runs. */
const TICKET_TTL_SECONDS = 3 * 24 * 3600;

export interface Ticket {
  /** Whose place it is: the person booked for. */
  personKey: string;
  /** The guardian queueing for a dependent (proxy), if any. */
  by: string | null;
  campaignId: string;
  /** Null for a pre-queue ticket (the place is drawn at the opening). */
  position: number | null;
  /** The person's session seal (`pd`, encrypted), carried on to the admission; see `Admission`. */
  personSeal?: string;
}

export interface Admission {
  /** Whose booking it admits: the person booked for. */
  personKey: string;
  /** The guardian acting for them (proxy), if any. */
  by: string | null;
  campaignId: string;
  admissionId: string;
  expiresAt: Date;
  /**
   * The session seal of the person booked for (birth date, masked name; encrypted, bound to the
   * person key), carried from the session through the ticket: the booking path then reads no
   * `persons` row. Absent for a dependent's admission and for tokens issued without it.
   */
  personSeal?: string;
}

/** The `pd` claim when a credential carries one. */
const sealOf = (claims: Record<string, unknown>): { personSeal?: string } => (typeof claims.pd === 'string' ? { personSeal: claims.pd } : {});
/** The claim that carries a seal on, when there is one. */
const sealClaim = (personSeal: string | undefined): { pd?: string } => (personSeal === undefined ? {} : { pd: personSeal });

/** Cookies are scoped to the campaign's paths, so each campaign has its own ticket and admission. */
function cookiePath(campaignId: string): string {
  return `/api/v1/campaigns/${encodeURIComponent(campaignId)}`;
}

/** The last ticket signed for a person, with everything it was signed from. */
interface SignedTicket extends Ticket {
  issuedAtSecond: number;
  token: string;
}

/**
 * The last ticket signed for each of the people who asked recently, for those who ask again (a
 * reload, another device, the poll for their place). A ticket is a pure function of its claims and
 * of the second it is issued in, so the one remembered for the same claims in the same second is
 * the very token signing would give; any other place, seal, guardian, campaign or second signs anew.
 */
const TICKETS_REMEMBERED = 4096;
const ticketsBySigner = new WeakMap<TokenSigner, LRUCache<string, SignedTicket>>();
/** Only people who asked before are remembered: a new person's join would only churn the memory. */
const ticketSight = new SecondSight();
/** The cookies of those tickets (the same token, campaign and `secure` give the same cookie). */
const ticketCookies = new RecentByToken<{ campaignId: string; secure: boolean; cookie: string }>(TICKETS_REMEMBERED);

function rememberedTickets(signer: TokenSigner): LRUCache<string, SignedTicket> {
  let remembered = ticketsBySigner.get(signer);
  if (!remembered) ticketsBySigner.set(signer, (remembered = new LRUCache({ max: TICKETS_REMEMBERED })));
  return remembered;
}

const sameTicket = (a: SignedTicket, b: Ticket, issuedAtSecond: number) =>
  a.issuedAtSecond === issuedAtSecond && a.campaignId === b.campaignId && a.position === b.position && a.by === b.by && a.personSeal === b.personSeal;

/** Signs a ticket: the person's place, carried by the client and verified locally by any node. */
export function signTicket(ctx: Pick<Ctx, 'clock' | 'signer'>, ticket: Ticket): string {
  const now = ctx.clock.now();
  const issuedAtSecond = Math.floor(now.getTime() / 1000);
  const remembered = rememberedTickets(ctx.signer);
  const last = remembered.get(ticket.personKey);
  if (last !== undefined && sameTicket(last, ticket, issuedAtSecond)) return last.token;
  const token = ctx.signer.sign('ticket', ticket.personKey, now, TICKET_TTL_SECONDS, { cid: ticket.campaignId, pos: ticket.position, by: ticket.by, ...sealClaim(ticket.personSeal) });
  if (ticketSight.seenBefore(ticket.personKey)) remembered.set(ticket.personKey, { ...ticket, issuedAtSecond, token });
  return token;
}

/** The `Set-Cookie` value that keeps a signed ticket in a browser, scoped to its campaign. */
export function ticketSetCookie(ctx: Pick<Ctx, 'config'>, campaignId: string, token: string): string {
  const secure = ctx.config.secureCookies;
  const known = ticketCookies.get(token);
  if (known !== undefined && known.campaignId === campaignId && known.secure === secure) return known.cookie;
  const cookie = stringifySetCookie({ name: TICKET_COOKIE, value: token, httpOnly: true, secure, sameSite: 'lax', path: cookiePath(campaignId), maxAge: TICKET_TTL_SECONDS });
  ticketCookies.offer(token, { campaignId, secure, cookie });
  return cookie;
}

/** The `Set-Cookie` value that removes the campaign's ticket from a browser (its holder left the queue). */
export function ticketClearCookie(ctx: Pick<Ctx, 'config'>, campaignId: string): string {
  return stringifySetCookie({ name: TICKET_COOKIE, value: '', httpOnly: true, secure: ctx.config.secureCookies, sameSite: 'lax', path: cookiePath(campaignId), maxAge: 0 });
}

/** The request's ticket for this campaign, or 401. */
export async function ticketOf(ctx: Pick<Ctx, 'clock' | 'signer'>, request: FastifyRequest, campaignId: string): Promise<Ticket> {
  const token = credentialOf(request, TICKET_COOKIE);
  if (!token) throw new YeyakError('YEYAK_ERR_UNAUTHENTICATED', { message: 'A queue ticket is required.' });
  try {
    const { subject, claims } = ctx.signer.verify('ticket', token, ctx.clock.now());
    if (claims.cid !== campaignId) throw new YeyakError('YEYAK_ERR_FORBIDDEN', { message: 'This ticket is for another campaign.' });
    const position = typeof claims.pos === 'number' && Number.isInteger(claims.pos) && claims.pos > 0 ? claims.pos : null;
    return { personKey: subject, by: typeof claims.by === 'string' ? claims.by : null, campaignId, position, ...sealOf(claims) };
  } catch (error) {
    if (error instanceof TokenInvalidError) throw new YeyakError('YEYAK_ERR_UNAUTHENTICATED', { message: 'A valid queue ticket is required.' });
    throw error;
  }
}

/** The ticket cookie's token if it is valid and this person's for this campaign; null otherwise. */
export function heldTicket(ctx: Pick<Ctx, 'clock' | 'signer'>, token: string | undefined, campaignId: string, personKey: string): Ticket | null {
  if (!token) return null;
  try {
    const { subject, claims } = ctx.signer.verify('ticket', token, ctx.clock.now());
    if (subject !== personKey || claims.cid !== campaignId) return null;
    const position = typeof claims.pos === 'number' && Number.isInteger(claims.pos) && claims.pos > 0 ? claims.pos : null;
    return { personKey: subject, by: typeof claims.by === 'string' ? claims.by : null, campaignId, position, ...sealOf(claims) };
  } catch (error) {
    if (error instanceof TokenInvalidError) return null;
    throw error;
  }
}

/** Signs an admission: the right to book in one campaign until `expiresAt`, for one person. */
export async function issueAdmission(ctx: Pick<Ctx, 'clock' | 'config' | 'signer'>, reply: FastifyReply, admission: Admission): Promise<string> {
  const now = ctx.clock.now();
  const ttl = Math.max(1, Math.floor((admission.expiresAt.getTime() - now.getTime()) / 1000));
  const token = ctx.signer.sign('admission', admission.personKey, now, ttl, { cid: admission.campaignId, aid: admission.admissionId, by: admission.by, ...sealClaim(admission.personSeal) });
  reply.setCookie(ADMISSION_COOKIE, token, { httpOnly: true, secure: ctx.config.secureCookies, sameSite: 'lax', path: '/api/v1', maxAge: ttl });
  return token;
}

/**
 * Verifies the request's admission locally (HMAC; no store is asked, so admissions keep working
 * while the queue store is down). Refused: missing, forged, expired, another kind of credential.
 */
export async function verifyAdmission(ctx: Pick<Ctx, 'clock' | 'signer'>, request: FastifyRequest): Promise<Admission> {
  const token = credentialOf(request, ADMISSION_COOKIE);
  if (!token) throw new YeyakError('YEYAK_ERR_ADMISSION_REQUIRED');
  try {
    const { subject, claims, expiresAt } = ctx.signer.verify('admission', token, ctx.clock.now());
    if (typeof claims.cid !== 'string' || typeof claims.aid !== 'string') throw new TokenInvalidError('claims');
    return { personKey: subject, by: typeof claims.by === 'string' ? claims.by : null, campaignId: claims.cid, admissionId: claims.aid, expiresAt, ...sealOf(claims) };
  } catch (error) {
    if (error instanceof TokenInvalidError) throw new YeyakError('YEYAK_ERR_ADMISSION_REQUIRED');
    throw error;
  }
}
