import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { bookingHolder, bookingsOf, cancelBooking, createBooking, type SlotChoice, type StoredResponse } from '../booking/index.ts';
import { seoulDate } from '../../lib/seoul-time.ts';
import { eligibilityOf, eligibilityView } from '../eligibility/index.ts';
import { devConnectingInformation, recordedPerson, type PersonRecord, recordPerson } from '../identity/index.ts';
import { type AuditEntry, type OperatorPrincipal, recordAudit } from '../operator/index.ts';

/** What the caller tells the agent on the phone. */
export interface PhonedInPerson {
  name: string;
  birthDate: string;
  phone: string;
}

function audit(ctx: Pick<Ctx, 'clock' | 'db'>, agent: OperatorPrincipal, entry: AuditEntry): Promise<void> {
  return recordAudit(ctx.db, ctx.clock.now(), agent, entry);
}

/** Runs `work`; a coded refusal is audited as `entry` (with the code), then answered as usual. */
async function auditingRefusal<T>(ctx: Pick<Ctx, 'clock' | 'db'>, agent: OperatorPrincipal, entry: AuditEntry, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof YeyakError) await audit(ctx, agent, { ...entry, details: { ...entry.details, code: error.code } });
    throw error;
  }
}

async function personById(ctx: Pick<Ctx, 'db'>, personId: string): Promise<PersonRecord> {
  const person = await recordedPerson(ctx, personId);
  if (!person) throw new YeyakError('YEYAK_ERR_PERSON_NOT_FOUND');
  return person;
}

/**
 * Records (or finds) the person who phoned in, exactly as the development and mobile providers
 * do — the same name, birth date and phone make the same person key — but starts no session: the
 * agent acts for them. Until a real identity check for call centres exists, the CI stand-in is
 * the development provider's.
 */
export async function recordPhonedInPerson(ctx: Pick<Ctx, 'campaigns' | 'clock' | 'config' | 'crypto' | 'db' | 'registry'>, agent: OperatorPrincipal, input: PhonedInPerson) {
  if (input.birthDate > seoulDate(ctx.clock.now()) || input.birthDate < '1900-01-01') {
    throw new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems: ['birthDate is not a plausible birth date'] } });
  }
  const ci = devConnectingInformation(input.name, input.birthDate, input.phone);
  const { personKey, person } = await recordPerson(ctx, { ci, name: input.name, birthDate: input.birthDate, sex: null, phone: input.phone });
  await audit(ctx, agent, { action: 'agent.person.recorded', target: `person:${personKey}` });
  const record = { personKey, ...person };
  const campaigns = await ctx.campaigns.listReal();
  const eligibility = await Promise.all(campaigns.map(async (c) => eligibilityView(c.id, await eligibilityOf(ctx, c, record))));
  return { personId: personKey, person, eligibility };
}

/**
 * Books for a phoned-in person through the very `createBooking` a citizen uses (window, 2-day
 * rule, one live booking, capacity, Idempotency-Key), marked `booked_by = agent:<operator id>`.
 * A refusal is audited too, then answered as it would be to the person.
 */
export async function bookForPerson(ctx: Pick<Ctx, 'campaigns' | 'clock' | 'config' | 'crypto' | 'db' | 'registry'>, agent: OperatorPrincipal, campaignId: string, personId: string, choice: SlotChoice, idempotencyKey?: string): Promise<StoredResponse> {
  const campaign = await ctx.campaigns.get(campaignId);
  const person = await personById(ctx, personId);
  const target = `person:${person.personKey}`;
  const refused = { action: 'agent.booking.refused', target, details: { campaignId } };
  const result = await auditingRefusal(ctx, agent, refused, () => createBooking(ctx, campaign, person, choice, idempotencyKey, `agent:${agent.id}`));
  const bookingId = (result.body as { booking?: { id?: string } }).booking?.id ?? null;
  await audit(ctx, agent, { action: 'agent.booking.created', target, details: { campaignId, bookingId, institutionId: choice.institutionId } });
  return result;
}

/** The person's bookings, as they see them. */
export async function bookingsForPerson(ctx: Pick<Ctx, 'clock' | 'db'>, agent: OperatorPrincipal, personId: string) {
  const person = await personById(ctx, personId);
  const bookings = await bookingsOf(ctx, person);
  await audit(ctx, agent, { action: 'agent.bookings.viewed', target: `person:${person.personKey}` });
  return bookings;
}

/** Cancels under the person's own rules (2 days before, own window inside the rotation). */
export async function cancelForPerson(ctx: Pick<Ctx, 'campaigns' | 'clock' | 'db'>, agent: OperatorPrincipal, bookingId: string) {
  const booking = await bookingHolder(ctx, bookingId);
  const [campaign, person] = await Promise.all([ctx.campaigns.get(booking.campaignId), personById(ctx, booking.personKey)]);
  const entry = { target: `person:${person.personKey}`, details: { campaignId: campaign.id, bookingId } };
  const result = await auditingRefusal(ctx, agent, { action: 'agent.booking.cancel_refused', ...entry }, () => cancelBooking(ctx, campaign, person, bookingId));
  await audit(ctx, agent, { action: 'agent.booking.cancelled', ...entry });
  return result;
}
