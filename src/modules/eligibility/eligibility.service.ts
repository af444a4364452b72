import type { Ctx } from '../../context.ts';
import type { Campaign } from '../campaigns/index.ts';
import { formatSeoul } from '../../lib/seoul-time.ts';
import { type PersonRecord, sealedContactHash } from '../identity/index.ts';
import { ELIGIBILITY_RULES, evaluateEligibility, type Eligibility, type EligibilityFacts, type EligibilityValidator } from './domain/eligibility.ts';

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= load());
}

/** Facts already known (sealed in the session at sign-in), which then need no read. */
export interface KnownFacts {
  vaccinated?: boolean;
}

/**
 * Whether the person is on the campaign's priority list: by the contact hash their seal gives, else
 * through their record. A campaign without a list (the catalog knows) needs no read.
 */
async function inPriorityList(ctx: Pick<Ctx, 'campaigns' | 'config' | 'db'>, campaign: Campaign, person: PersonRecord): Promise<boolean> {
  if (!(await ctx.campaigns.hasPriorityList(campaign.id))) return false;
  const contactHash = sealedContactHash(ctx, person);
  const entries = ctx.db.selectFrom('priority_entries').select('priority_entries.group_name').where('priority_entries.campaign_id', '=', campaign.id);
  const row = await (contactHash !== undefined
    ? entries.where('priority_entries.contact_hash', '=', contactHash)
    : entries.innerJoin('persons', 'persons.contact_hash', 'priority_entries.contact_hash').where('persons.person_key', '=', person.personKey)
  ).executeTakeFirst();
  return row !== undefined;
}

/** The facts about a person the rules may ask for, each read at most once and only if asked. */
function factsFor(ctx: Pick<Ctx, 'campaigns' | 'config' | 'db' | 'registry'>, campaign: Campaign, person: PersonRecord, known: KnownFacts = {}): EligibilityFacts {
  const { vaccinated } = known;
  const { personKey } = person;
  return {
    inPriorityList: once(() => inPriorityList(ctx, campaign, person)),
    vaccinated: vaccinated === undefined ? once(() => ctx.registry.completed(personKey, campaign.vaccine.name, campaign.vaccine.doses)) : async () => vaccinated,
    hasLiveBooking: once(async () => {
      const row = await ctx.db
        .selectFrom('bookings')
        .select('id')
        .where('campaign_id', '=', campaign.id)
        .where('person_key', '=', personKey)
        .where('status', '=', 'booked')
        .executeTakeFirst();
      return row !== undefined;
    }),
  };
}

/** Whether and when this person may book in this campaign, by the server clock. */
export function eligibilityOf(ctx: Pick<Ctx, 'campaigns' | 'clock' | 'config' | 'db' | 'registry'>, campaign: Campaign, person: PersonRecord, rules: readonly EligibilityValidator[] = ELIGIBILITY_RULES, known: KnownFacts = {}): Promise<Eligibility> {
  return evaluateEligibility({ campaign, birthDate: person.birthDate, now: ctx.clock.now(), synthetic: person.synthetic === true, facts: factsFor(ctx, campaign, person, known) }, rules);
}

/** The public form of an eligibility answer (API.md `GET /me`). */
export function eligibilityView(campaignId: string, e: Eligibility) {
  return {
    campaignId,
    eligible: e.eligible,
    reason: e.reason,
    window: e.window && { id: e.window.id, opensAt: formatSeoul(e.window.opensAt), closesAt: formatSeoul(e.window.closesAt) },
  };
}
