import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { ageOn, type Campaign } from '../campaigns/index.ts';
import { seoulDate } from '../../lib/seoul-time.ts';
import { devConnectingInformation, recordedPerson, type PersonRecord, recordOnFirstNeed, recordPerson } from '../identity/index.ts';

/** A guardian registers at most this many dependents (2021: a child booking for two parents). */
const MAX_DEPENDENTS = 4;
/** A guardian must be an adult (만 19세, Korean civil majority). */
const GUARDIAN_MIN_AGE = 19;

export const RELATIONSHIPS = ['parent', 'grandparent', 'spouse', 'child', 'sibling', 'other'] as const;
type Relationship = (typeof RELATIONSHIPS)[number];

export interface DependentInput {
  name: string;
  birthDate: string;
  phone: string;
  relationship: Relationship;
}

/**
 * Registers a dependent for a verified adult. The dependent becomes a person of their own (the
 * same person if they later verify themselves: the key derives from name, birth date and phone),
 * so eligibility and the one-live-booking rule are theirs, not the guardian's.
 */
export async function addDependent(ctx: Pick<Ctx, 'clock' | 'config' | 'crypto' | 'db'>, guardian: PersonRecord, input: DependentInput) {
  const now = ctx.clock.now();
  if (ageOn(guardian.birthDate, seoulDate(now)) < GUARDIAN_MIN_AGE) throw new YeyakError('YEYAK_ERR_FORBIDDEN', { message: 'Only an adult can book for someone else.' });
  const recorded = await recordPerson(ctx, { ci: devConnectingInformation(input.name, input.birthDate, input.phone), name: input.name, birthDate: input.birthDate, phone: input.phone, sex: null });
  if (recorded.personKey === guardian.personKey) throw new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems: ['a dependent is someone else'] } });
  // A guardian's first dependent is their first need of a record.
  await recordOnFirstNeed(ctx, guardian);
  return ctx.db.transaction().execute(async (trx) => {
    // Lock the guardian's row so two concurrent registrations cannot both pass the limit.
    await trx.selectFrom('persons').select('person_key').where('person_key', '=', guardian.personKey).forUpdate().execute();
    const existing = await trx.selectFrom('dependents').select('person_key').where('guardian_key', '=', guardian.personKey).execute();
    if (!existing.some((d) => d.person_key === recorded.personKey)) {
      if (existing.length >= MAX_DEPENDENTS) throw new YeyakError('YEYAK_ERR_DEPENDENT_LIMIT', { details: { max: MAX_DEPENDENTS } });
      await trx.insertInto('dependents').values({ guardian_key: guardian.personKey, person_key: recorded.personKey, relationship: input.relationship, created_at: now }).execute();
    }
    return { id: recorded.personKey, ...recorded.person, relationship: input.relationship };
  });
}

/** The guardian's dependents, with masked names. */
export async function listDependents(ctx: Pick<Ctx, 'db'>, guardianKey: string) {
  const rows = await ctx.db
    .selectFrom('dependents')
    .innerJoin('persons', 'persons.person_key', 'dependents.person_key')
    .select(['dependents.person_key', 'dependents.relationship', 'persons.masked_name', 'persons.birth_date'])
    .where('dependents.guardian_key', '=', guardianKey)
    .orderBy('dependents.created_at')
    .execute();
  return rows.map((r) => ({ id: r.person_key, maskedName: r.masked_name, birthDate: r.birth_date, relationship: r.relationship }));
}

/** The dependent a guardian books for, if the campaign allows proxies; else the coded refusal. */
export async function dependentFor(ctx: Pick<Ctx, 'db'>, campaign: Campaign, guardianKey: string, dependentId: string): Promise<PersonRecord> {
  if (!campaign.proxyAllowed) throw new YeyakError('YEYAK_ERR_PROXY_NOT_ALLOWED');
  const link = await ctx.db
    .selectFrom('dependents')
    .select('person_key')
    .where('guardian_key', '=', guardianKey)
    .where('person_key', '=', dependentId)
    .executeTakeFirst();
  const dependent = link && (await recordedPerson(ctx, dependentId));
  if (!dependent) throw new YeyakError('YEYAK_ERR_DEPENDENT_NOT_FOUND');
  return dependent;
}

/** The person keys whose bookings this person may see and manage: their own and their dependents'. */
export async function managedPersonKeys(ctx: Pick<Ctx, 'db'>, personKey: string): Promise<string[]> {
  const rows = await ctx.db.selectFrom('dependents').select('person_key').where('guardian_key', '=', personKey).execute();
  return [personKey, ...rows.map((r) => r.person_key)];
}
