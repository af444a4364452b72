import { type Campaign, type CampaignWindow, currentWindowFor, inCohort, nextWindowFor } from '../../campaigns/index.ts';

type EligibilityReason =
  | 'ELIGIBLE'
  | 'NOT_IN_COHORT'
  | 'ALREADY_VACCINATED'
  | 'ALREADY_BOOKED'
  | 'NOT_YOUR_WINDOW'
  | 'CAMPAIGN_CLOSED'
  /** A probe's synthetic person, whom every other rule admits to a real campaign: never a citizen's dose. */
  | 'SYNTHETIC_PERSON'
  /** The probe's own campaign, which only synthetic persons join. */
  | 'PROBE_CAMPAIGN';

/** What the rules need to know beyond the person's birth date; read lazily, only when a rule asks. */
export interface EligibilityFacts {
  /** On one of the campaign's uploaded priority lists. */
  inPriorityList(): Promise<boolean>;
  /** Completed this vaccine already, per the immunization registry. */
  vaccinated(): Promise<boolean>;
  /** Holds a live booking in this campaign. */
  hasLiveBooking(): Promise<boolean>;
}

export interface EligibilityInput {
  campaign: Campaign;
  birthDate: string;
  /** The server clock's now; never a client's. */
  now: Date;
  /** A probe's synthetic person (`persons.synthetic`). */
  synthetic: boolean;
  facts: EligibilityFacts;
}

export interface Eligibility {
  eligible: boolean;
  reason: EligibilityReason;
  /** The window open for the person now when eligible; else their next own window, if any. */
  window: CampaignWindow | null;
}

/** One rule: returns a refusal, or null to pass the person on to the next rule. */
export type EligibilityValidator = (input: EligibilityInput) => Promise<Eligibility | null>;

const refuse = (reason: EligibilityReason, window: CampaignWindow | null = null): Eligibility => ({ eligible: false, reason, window });

/** Born within the campaign's cohort, or named on one of its priority lists. */
const cohortRule: EligibilityValidator = async ({ campaign, birthDate, facts }) =>
  inCohort(birthDate, campaign.cohort.bornFrom, campaign.cohort.bornTo) || (await facts.inPriorityList()) ? null : refuse('NOT_IN_COHORT');

/** Not already vaccinated with this campaign's vaccine. */
const vaccinatedRule: EligibilityValidator = async ({ facts }) => ((await facts.vaccinated()) ? refuse('ALREADY_VACCINATED') : null);

/** No live booking in this campaign yet. */
const bookedRule: EligibilityValidator = async ({ facts }) => ((await facts.hasLiveBooking()) ? refuse('ALREADY_BOOKED') : null);

/** A window admitting the person is open now (server time); else their own next window. */
const windowRule: EligibilityValidator = async ({ campaign, birthDate, now }) => {
  if (currentWindowFor(campaign.windows, birthDate, now)) return null;
  const next = nextWindowFor(campaign.windows, birthDate, now);
  return next ? refuse('NOT_YOUR_WINDOW', next) : refuse('CAMPAIGN_CLOSED');
};

/**
 * Synthetic persons only in synthetic campaigns, and real ones only in real campaigns. Last, so a
 * probe's person reads every other rule's answer first: `SYNTHETIC_PERSON` means "the rules admit
 * this birth date now", which the probe's canary compares with its own computation.
 */
const syntheticRule: EligibilityValidator = async ({ campaign, synthetic }) => {
  const probeCampaign = campaign.synthetic ?? false;
  if (probeCampaign === synthetic) return null;
  return refuse(synthetic ? 'SYNTHETIC_PERSON' : 'PROBE_CAMPAIGN');
};

/** Everything, for "may I book?" (GET /me, joining the queue). */
export const ELIGIBILITY_RULES: readonly EligibilityValidator[] = [cohortRule, vaccinatedRule, bookedRule, windowRule, syntheticRule];
/** For taking doses: one live booking is the database's to enforce (and a change holds one). */
export const BOOKING_RULES: readonly EligibilityValidator[] = [cohortRule, vaccinatedRule, windowRule, syntheticRule];

/** Runs the pipeline of small validators (STYLE.md); the first refusal is the answer, with its own reason. */
export async function evaluateEligibility(input: EligibilityInput, rules: readonly EligibilityValidator[] = ELIGIBILITY_RULES): Promise<Eligibility> {
  for (const rule of rules) {
    const refusal = await rule(input);
    if (refusal) return refusal;
  }
  return { eligible: true, reason: 'ELIGIBLE', window: currentWindowFor(input.campaign.windows, input.birthDate, input.now) };
}
