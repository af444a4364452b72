import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import type { DB } from '../../infra/db/schema.ts';
import { isUniqueViolation, inTransaction } from '../../infra/db/transaction.ts';
import { DEFAULT_ADMISSION, type Campaign } from './campaign.ts';
import type { CampaignBody } from './campaigns.schemas.ts';
import { formatSeoul } from '../../lib/seoul-time.ts';
import { validateWindows, type CampaignWindow } from './domain/windows.ts';
import { insertCampaign } from './campaigns.repository.ts';
import type { AuditInTransaction } from '../operator/index.ts';

/** Turns a validated request body into a campaign, or throws YEYAK_ERR_CAMPAIGN_INVALID with every problem. */
export function campaignFromBody(body: CampaignBody): Campaign {
  const windows: CampaignWindow[] = body.windows.map((w) => ({
    id: w.id,
    // Without an explicit kind: digits make a rotation window, an age band a catch-up, else open.
    kind: w.kind ?? (w.birthDayDigits ? 'rotation' : w.bornFrom || w.bornTo ? 'catchup' : 'open'),
    opensAt: new Date(w.opensAt),
    closesAt: new Date(w.closesAt),
    birthDayDigits: w.birthDayDigits ? [...w.birthDayDigits].sort((a, b) => a - b) : null,
    bornFrom: w.bornFrom ?? null,
    bornTo: w.bornTo ?? null,
  }));
  const problems = validateWindows(windows);
  if (body.cohort.bornFrom > body.cohort.bornTo) problems.push('cohort.bornFrom is after cohort.bornTo');
  if (body.vaccine.doses > 1 && body.vaccine.intervalDays < 1) problems.push('vaccine.intervalDays must be at least 1 for several doses');
  const queueOpensAt = new Date(body.queueOpensAt);
  const firstOpening = Math.min(...windows.map((w) => w.opensAt.getTime()));
  if (queueOpensAt.getTime() > firstOpening) problems.push('queueOpensAt is after the first window opens');
  if (problems.length > 0) throw new YeyakError('YEYAK_ERR_CAMPAIGN_INVALID', { details: { problems } });
  return {
    id: body.id ?? `c-${randomBytes(6).toString('hex')}`,
    name: body.name,
    cohort: { ...body.cohort },
    vaccine: { ...body.vaccine },
    queueOpensAt,
    windows,
    proxyAllowed: body.proxyAllowed,
    admission: body.admission ?? DEFAULT_ADMISSION,
    synthetic: body.synthetic ?? false,
  };
}

/** Creates a campaign; 409 when the id is taken. */
export async function createCampaign(ctx: Pick<Ctx, 'campaigns' | 'db'>, body: CampaignBody, audit: AuditInTransaction): Promise<string> {
  const campaign = campaignFromBody(body);
  try {
    await inTransaction(ctx.db, async (trx) => {
      await insertCampaign(trx, campaign);
      await audit(trx, {}, `campaign:${campaign.id}`);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new YeyakError('YEYAK_ERR_CAMPAIGN_EXISTS');
    throw error;
  }
  ctx.campaigns.invalidate();
  return campaign.id;
}

/**
 * Stores a campaign the server defines itself (the demo's, the probe's) in the caller's
 * transaction: trusted as written, so neither validated nor audited as an operator's is.
 */
export async function seedCampaign(trx: Transaction<DB>, campaign: Campaign): Promise<void> {
  await insertCampaign(trx, campaign);
}

/** The public view of a campaign (API.md): instants in Asia/Seoul with offset. */
export function campaignView(c: Campaign) {
  return {
    id: c.id,
    name: c.name,
    cohort: c.cohort,
    vaccine: c.vaccine,
    queueOpensAt: formatSeoul(c.queueOpensAt),
    windows: c.windows.map((w) => ({
      id: w.id,
      kind: w.kind,
      opensAt: formatSeoul(w.opensAt),
      closesAt: formatSeoul(w.closesAt),
      birthDayDigits: w.birthDayDigits,
      bornFrom: w.bornFrom,
      bornTo: w.bornTo,
    })),
    proxyAllowed: c.proxyAllowed,
  };
}
