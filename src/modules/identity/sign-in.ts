import type { FastifyReply } from 'fastify';
import type { Ctx } from '../../context.ts';
import { contactHashOf, maskName, personKeyOf } from './person-key.ts';
import { recordVerifiedPerson, type PersonRecord } from './persons.repository.ts';
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

/**
 * Records a verified person — keyed by HMAC of the CI, name and phone encrypted, contact hash for
 * priority lists — without starting a session (a call-centre agent books for them). The same CI
 * from any provider or device is always the same person.
 */
export async function recordPerson(ctx: Ctx, identity: VerifiedIdentity): Promise<RecordedPerson> {
  const pepper = ctx.config.secrets.personPepper;
  const personKey = personKeyOf(pepper, identity.ci);
  const maskedName = maskName(identity.name);
  await recordVerifiedPerson(ctx.db, {
    personKey,
    birthDate: identity.birthDate,
    maskedName,
    nameEnc: ctx.crypto.encrypt(identity.name, `persons.name:${personKey}`),
    phoneEnc: ctx.crypto.encrypt(identity.phone, `persons.phone:${personKey}`),
    contactHash: contactHashOf(pepper, identity.name, identity.birthDate, identity.phone),
  });
  return { personKey, person: { maskedName, birthDate: identity.birthDate } };
}

/** Asks the registry's local copy, once at sign-in, which campaigns' vaccines the person has completed. */
async function registryFacts(ctx: Ctx, person: PersonRecord): Promise<SessionFacts> {
  // A citizen's session asks about the real campaigns only (the probe's is no business of theirs, nor a read).
  const campaigns = await ctx.campaigns.listFor(person);
  const completed = await Promise.all(campaigns.map((c) => ctx.registry.completed(person.personKey, c.vaccine.name, c.vaccine.doses)));
  return { checkedCampaigns: campaigns.map((c) => c.id), vaccinatedFor: campaigns.filter((_c, i) => completed[i]).map((c) => c.id) };
}

/** Records a verified person (`recordPerson`) and starts a session (bearer token and HttpOnly cookie). */
export async function signIn(ctx: Ctx, reply: FastifyReply, identity: VerifiedIdentity): Promise<SignedIn> {
  const { personKey, person } = await recordPerson(ctx, identity);
  return startSession(ctx, reply, { personKey, ...person });
}

/**
 * Starts a session for a person already recorded: the registry's facts sealed in it, the bearer
 * token and the HttpOnly cookie. `signIn` after any identity provider, and the probe's sign-in of a
 * synthetic person (`modules/probe`), whose seal then says so.
 */
export async function startSession(ctx: Ctx, reply: FastifyReply, person: PersonRecord): Promise<SignedIn> {
  const facts = await registryFacts(ctx, person);
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
