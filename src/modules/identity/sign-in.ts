import type { FastifyReply } from 'fastify';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { maskName, personKeyOf } from './person-key.ts';
import { recordOnFirstNeed, sealedContactHash } from './person-records.ts';
import type { PersonRecord } from './person.ts';
import type { RecordedIdentity } from './persons.repository.ts';
import { signInBatches, type HighestDoses } from './sign-in-batch.ts';
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

/** What starting a session takes: the registry's facts by campaign, sealed and signed by the server clock. */
type SessionIssuing = Pick<Ctx, 'campaigns' | 'clock' | 'config' | 'crypto' | 'signer'>;

/** What a sign-in takes: issuing the session, and the batched reads of the person's registry facts and record. */
export type SessionStarting = SessionIssuing & Pick<Ctx, 'db' | 'registry'>;

export interface RecordedPerson {
  personKey: string;
  person: { maskedName: string; birthDate: string };
}

// Control characters are what this pattern is for.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** A calendar date written YYYY-MM-DD (no 30 February). */
function isCalendarDate(value: string): boolean {
  const date = new Date(`${value}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/**
 * Refuses (400) an identity no record could hold: a control character in the name or phone, a
 * birth date that is not a date. Signing in writes nothing, so this is checked here, not later by
 * the database when the person first books.
 */
function checkRecordable(identity: VerifiedIdentity): void {
  const problems = [
    ...(CONTROL_CHARACTER.test(identity.name) ? ['name contains a control character'] : []),
    ...(CONTROL_CHARACTER.test(identity.phone) ? ['phone contains a control character'] : []),
    ...(isCalendarDate(identity.birthDate) ? [] : ['birthDate is not a calendar date']),
  ];
  if (problems.length > 0) throw new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems } });
}

/** The person a verified identity names: keyed by HMAC of the CI, the name masked for display. */
function verifiedPerson(ctx: Pick<Ctx, 'clock' | 'config'>, identity: VerifiedIdentity): PersonRecord {
  checkRecordable(identity);
  const sealed = { name: identity.name, phone: identity.phone, verifiedAt: ctx.clock.now() };
  return { personKey: personKeyOf(ctx.config.secrets.personPepper, identity.ci), birthDate: identity.birthDate, maskedName: maskName(identity.name), sealed };
}

/**
 * Records a verified person — keyed by HMAC of the CI, name and phone encrypted, contact hash for
 * priority lists — without starting a session (a call-centre agent books for them, a guardian
 * registers them). The same CI from any provider or device is always the same person.
 */
export async function recordPerson(ctx: Pick<Ctx, 'clock' | 'config' | 'crypto' | 'db'>, identity: VerifiedIdentity): Promise<RecordedPerson> {
  const person = verifiedPerson(ctx, identity);
  await recordOnFirstNeed(ctx, person);
  return { personKey: person.personKey, person: { maskedName: person.maskedName, birthDate: person.birthDate } };
}

/** Which real campaigns' vaccines the person has completed, from the registry's copy as read in the sign-in's batch. */
async function registryFacts(ctx: Pick<Ctx, 'campaigns'>, person: PersonRecord, doses: HighestDoses): Promise<SessionFacts> {
  // A citizen's session names the real campaigns only (the probe's is no business of theirs).
  const campaigns = await ctx.campaigns.listFor(person);
  return {
    checkedCampaigns: campaigns.map((c) => c.id),
    vaccinatedFor: campaigns.filter((c) => (doses.get(c.vaccine.name) ?? 0) >= c.vaccine.doses).map((c) => c.id),
  };
}

/** Whether a person's record already says what this verification says (name, birth date, phone). */
function recordIsCurrent(ctx: Pick<Ctx, 'config'>, record: RecordedIdentity, person: PersonRecord): boolean {
  return record.birthDate === person.birthDate && record.maskedName === person.maskedName && record.contactHash === sealedContactHash(ctx, person);
}

/**
 * Starts a session for a verified person, with their registry facts read in the sign-in's batch.
 * Nothing is written for a person without a record: the session seals the verified identity, and
 * the person is recorded when they first need a record (`recordOnFirstNeed`, a booking's own
 * statement), so the crowd that only waits in line on opening night costs the database two batched
 * reads each. A person who has a record (they booked) and comes with a changed name or phone has it
 * written before the session starts: their reminders go to the phone on record.
 */
export async function signIn(ctx: SessionStarting, reply: FastifyReply, identity: VerifiedIdentity): Promise<SignedIn> {
  const person = verifiedPerson(ctx, identity);
  const { doses, record } = await signInBatches(ctx).call(person.personKey);
  if (record && !recordIsCurrent(ctx, record, person)) await recordOnFirstNeed(ctx, person);
  return sessionFor(ctx, reply, person, doses);
}

/**
 * Starts a session for a person recorded by an operator: the probe's sign-in of a synthetic person
 * (`modules/probe`), whose seal then says so.
 */
export async function startSession(ctx: SessionStarting, reply: FastifyReply, person: PersonRecord): Promise<SignedIn> {
  return sessionFor(ctx, reply, person, (await signInBatches(ctx).call(person.personKey)).doses);
}

/** The session token and cookie for a recorded person, with the registry's facts sealed in it. */
async function sessionFor(ctx: SessionIssuing, reply: FastifyReply, person: PersonRecord, doses: HighestDoses): Promise<SignedIn> {
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
