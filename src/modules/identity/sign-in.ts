import type { FastifyReply } from 'fastify';
import type { Ctx } from '../../context.ts';
import { contactHashOf, maskName, personKeyOf } from './person-key.ts';
import type { PersonRecord } from './persons.repository.ts';
import { signInBatches, type HighestDoses, type SignInWork } from './sign-in-batch.ts';
import { SESSION_COOKIE, sessionClaims, type SessionFacts } from './session-auth.ts';

/** What every identity provider returns: the verified person. */
export interface VerifiedIdentity {
  /** The provider's connecting information (CI); hashed at once, never stored or logged. */
  ci: string;
  name: string;
  birthDate: string;
  sex: 'M' | 'F' | null;
  phone: string;
}

export interface SignedIn {
  session: string;
  personKey: string;
  person: { maskedName: string; birthDate: string };
}

export interface RecordedPerson {
  personKey: string;
  person: { maskedName: string; birthDate: string };
}

/** The verified person's row — name and phone encrypted, the contact hash — and its share of a sign-in batch. */
function verifiedWork(ctx: Ctx, identity: VerifiedIdentity): { recorded: RecordedPerson; work: SignInWork } {
  const pepper = ctx.config.secrets.personPepper;
  const personKey = personKeyOf(pepper, identity.ci);
  const maskedName = maskName(identity.name);
  const row = {
    personKey,
    birthDate: identity.birthDate,
    maskedName,
    nameEnc: ctx.crypto.encrypt(identity.name, `persons.name:${personKey}`),
    phoneEnc: ctx.crypto.encrypt(identity.phone, `persons.phone:${personKey}`),
    contactHash: contactHashOf(pepper, identity.name, identity.birthDate, identity.phone),
  };
  return { recorded: { personKey, person: { maskedName, birthDate: identity.birthDate } }, work: { personKey, row } };
}

/**
 * Records a verified person — keyed by HMAC of the CI, name and phone encrypted, contact hash for
 * priority lists — without starting a session (a call-centre agent books for them). The same CI
 * from any provider or device is always the same person.
 */
export async function recordPerson(ctx: Ctx, identity: VerifiedIdentity): Promise<RecordedPerson> {
  const { recorded, work } = verifiedWork(ctx, identity);
  await signInBatches(ctx).call(work);
  return recorded;
}

/** Which real campaigns' vaccines the person has completed, from the registry's copy as read in the sign-in's batch. */
async function registryFacts(ctx: Ctx, person: PersonRecord, doses: HighestDoses): Promise<SessionFacts> {
  // A citizen's session names the real campaigns only (the probe's is no business of theirs).
  const campaigns = await ctx.campaigns.listFor(person);
  return {
    checkedCampaigns: campaigns.map((c) => c.id),
    vaccinatedFor: campaigns.filter((c) => (doses.get(c.vaccine.name) ?? 0) >= c.vaccine.doses).map((c) => c.id),
  };
}

/** Records a verified person (as `recordPerson`, in the same batch as reading their registry facts) and starts a session. */
export async function signIn(ctx: Ctx, reply: FastifyReply, identity: VerifiedIdentity): Promise<SignedIn> {
  const { recorded, work } = verifiedWork(ctx, identity);
  const doses = await signInBatches(ctx).call(work);
  return sessionFor(ctx, reply, { personKey: recorded.personKey, ...recorded.person }, doses);
}

/**
 * Starts a session for a person already recorded: the registry's facts sealed in it, the bearer
 * token and the HttpOnly cookie. `signIn` after any identity provider, and the probe's sign-in of a
 * synthetic person (`modules/probe`), whose seal then says so.
 */
export async function startSession(ctx: Ctx, reply: FastifyReply, person: PersonRecord): Promise<SignedIn> {
  return sessionFor(ctx, reply, person, await signInBatches(ctx).call({ personKey: person.personKey, row: null }));
}

/** The session token and cookie for a recorded person, with the registry's facts sealed in it. */
async function sessionFor(ctx: Ctx, reply: FastifyReply, person: PersonRecord, doses: HighestDoses): Promise<SignedIn> {
  const facts = await registryFacts(ctx, person, doses);
  const session = ctx.signer.sign('session', person.personKey, ctx.clock.now(), ctx.config.sessionTtlSeconds, sessionClaims(ctx, person, facts));
  reply.setCookie(SESSION_COOKIE, session, {
    httpOnly: true,
    secure: ctx.config.secureCookies,
    sameSite: 'lax',
    path: '/',
    maxAge: ctx.config.sessionTtlSeconds,
  });
  return { session, personKey: person.personKey, person: { maskedName: person.maskedName, birthDate: person.birthDate } };
}
