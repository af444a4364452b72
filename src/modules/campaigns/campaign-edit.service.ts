import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { inTransaction } from '../../infra/db/transaction.ts';
import { rebuildClinicDays } from './clinic-days.ts';
import type { AuditInTransaction } from '../operator/index.ts';
import type { AdmissionPolicy, Campaign } from './campaign.ts';
import { dropSharesOutside, lockCampaign, replaceAdmission, replaceCampaign } from './campaigns.repository.ts';
import type { CampaignBody } from './campaigns.schemas.ts';
import { campaignFromBody } from './campaigns.service.ts';
import { campaignEditProblems, rotationOrder } from './domain/campaign-edit.ts';

/** Which top-level parts of a campaign differ (for the audit log: names, never values). */
function changedParts(before: Campaign, after: Campaign): string {
  const parts = ['name', 'cohort', 'vaccine', 'queueOpensAt', 'windows', 'proxyAllowed', 'admission'] as const;
  return parts.filter((p) => JSON.stringify(before[p]) !== JSON.stringify(after[p])).join(',');
}

/**
 * Replaces a campaign's definition (PUT semantics; an omitted admission policy is kept). The body
 * passes the same rules as a new campaign, then the edit rules of `campaignEditProblems` against
 * the campaign as the database has it, under a row lock, by the server clock. When the rotation's
 * windows change (only possible before it starts) every clinic-day is split again among them.
 */
export async function updateCampaign(ctx: Pick<Ctx, 'campaigns' | 'clock' | 'db'>, id: string, body: CampaignBody, audit: AuditInTransaction): Promise<void> {
  if (body.id !== undefined && body.id !== id) throw new YeyakError('YEYAK_ERR_CAMPAIGN_INVALID', { details: { problems: ['id cannot change'] } });
  const parsed = campaignFromBody({ ...body, id });
  await inTransaction(ctx.db, async (trx) => {
    const before = await lockCampaign(trx, id);
    if (!before) throw new YeyakError('YEYAK_ERR_CAMPAIGN_NOT_FOUND');
    if (body.synthetic !== undefined && body.synthetic !== (before.synthetic ?? false)) {
      throw new YeyakError('YEYAK_ERR_CAMPAIGN_EDIT_REFUSED', { details: { problems: ['synthetic cannot change: a real campaign never takes probe bookings, nor the probe real ones'] } });
    }
    const after: Campaign = { ...parsed, admission: body.admission ?? before.admission, synthetic: before.synthetic ?? false };
    const problems = campaignEditProblems(before, after, ctx.clock.now());
    if (problems.length > 0) throw new YeyakError('YEYAK_ERR_CAMPAIGN_EDIT_REFUSED', { details: { problems } });
    await replaceCampaign(trx, after);
    const rotation = rotationOrder(after.windows);
    if (rotation.join(',') !== rotationOrder(before.windows).join(',')) {
      await dropSharesOutside(trx, id, rotation);
      await rebuildClinicDays(trx, after, 'all');
    }
    await audit(trx, { changed: changedParts(before, after) || 'nothing' }, `campaign:${id}`);
  });
  ctx.campaigns.invalidate();
}

/**
 * Sets the admission policy — the bounds the waiting room's controller keeps to (mode, the
 * highest rate, the cap on active admissions). Each node picks it up within its campaign cache's
 * lifetime (2 s); this node at once. Audited with the values before and after.
 */
export async function setAdmissionPolicy(ctx: Pick<Ctx, 'campaigns' | 'db'>, id: string, policy: AdmissionPolicy, audit: AuditInTransaction): Promise<AdmissionPolicy> {
  const before = await inTransaction(ctx.db, async (trx) => {
    const replaced = await replaceAdmission(trx, id, policy);
    if (!replaced) throw new YeyakError('YEYAK_ERR_CAMPAIGN_NOT_FOUND');
    await audit(
      trx,
      {
        modeBefore: replaced.mode,
        ratePerSecondBefore: replaced.ratePerSecond,
        maxActiveBefore: replaced.maxActive,
        mode: policy.mode,
        ratePerSecond: policy.ratePerSecond,
        maxActive: policy.maxActive,
      },
      `campaign:${id}`,
    );
    return replaced;
  });
  ctx.campaigns.invalidate();
  return before;
}
