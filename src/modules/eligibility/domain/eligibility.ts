import type { Campaign } from '../../campaigns/campaign.ts';
import { inCohort } from '../../campaigns/domain/cohort.ts';
import { currentWindowFor, nextWindowFor, type CampaignWindow } from '../../campaigns/domain/windows.ts';

export type EligibilityReason = 'ELIGIBLE' | 'NOT_IN_COHORT' | 'NOT_YOUR_WINDOW' | 'CAMPAIGN_CLOSED';

export interface EligibilityInput {
  campaign: Campaign;
  birthDate: string;
  /** The server clock's now; never a client's. */
  now: Date;
}

export interface Eligibility {
  eligible: boolean;
  reason: EligibilityReason;
  /** The window open for the person now when eligible; else their next own window, if any. */
  window: CampaignWindow | null;
}

/** One rule: returns a refusal, or null to pass the person on to the next rule. */
export type EligibilityValidator = (input: EligibilityInput) => Eligibility | null;

export const cohortRule: EligibilityValidator = ({ campaign, birthDate }) =>
  inCohort(birthDate, campaign.cohort.bornFrom, campaign.cohort.bornTo)
    ? null
    : { eligible: false, reason: 'NOT_IN_COHORT', window: null };

export const windowRule: EligibilityValidator = ({ campaign, birthDate, now }) => {
  if (currentWindowFor(campaign.windows, birthDate, now)) return null;
  const next = nextWindowFor(campaign.windows, birthDate, now);
  return next ? { eligible: false, reason: 'NOT_YOUR_WINDOW', window: next } : { eligible: false, reason: 'CAMPAIGN_CLOSED', window: null };
};

/** The rules in order; the first refusal is the answer. */
export const DEFAULT_RULES: readonly EligibilityValidator[] = [cohortRule, windowRule];

/** Runs the pipeline of small validators (STYLE.md); each refusal carries its own reason. */
export function evaluateEligibility(input: EligibilityInput, rules: readonly EligibilityValidator[] = DEFAULT_RULES): Eligibility {
  for (const rule of rules) {
    const refusal = rule(input);
    if (refusal) return refusal;
  }
  return { eligible: true, reason: 'ELIGIBLE', window: currentWindowFor(input.campaign.windows, input.birthDate, input.now) };
}
