import type { Db } from '../../infra/db/database.ts';
import { YeyakError } from '../../errors.ts';
import type { Campaign } from './campaign.ts';
import { campaignsWithPriorityLists, loadCampaigns } from './campaigns.repository.ts';

/**
 * Campaign definitions are read on every booking call and change rarely, so each node keeps them
 * in memory and reloads them from the database at most every `ttlMs` (a change made on another
 * node is seen within that time). Decisions still use the server clock at the moment of the call.
 * With them it keeps which campaigns have a priority list: most have none, and a person outside
 * the cohort is then refused without a read of the list (a list uploaded on another node counts
 * within `ttlMs`).
 */
export class CampaignCatalog {
  private cache: { at: number; byId: Map<string, Campaign>; list: Campaign[]; real: Campaign[]; withPriorityList: Set<string> } | null = null;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 2000,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** Every campaign, in creation order. */
  async list(): Promise<Campaign[]> {
    await this.fresh();
    return this.cache!.list;
  }

  /** Every real campaign (the probe's synthetic ones left out), in creation order: what the public and citizens see. */
  async listReal(): Promise<Campaign[]> {
    await this.fresh();
    return this.cache!.real;
  }

  /** The campaigns a person sees: a synthetic person (the probe's) every one, a citizen the real ones. */
  async listFor(person: { synthetic?: boolean }): Promise<Campaign[]> {
    return person.synthetic ? this.list() : this.listReal();
  }

  /** The campaign, or a 404 error. */
  async get(id: string): Promise<Campaign> {
    await this.fresh();
    let campaign = this.cache!.byId.get(id);
    if (!campaign) {
      // Created on another node since our last load? One direct look before answering 404.
      [campaign] = await loadCampaigns(this.db, [id]);
      if (campaign) this.invalidate();
    }
    if (!campaign) throw new YeyakError('YEYAK_ERR_CAMPAIGN_NOT_FOUND');
    return campaign;
  }

  /** Whether the campaign has a priority list (as of the last load). */
  async hasPriorityList(id: string): Promise<boolean> {
    await this.fresh();
    return this.cache!.withPriorityList.has(id);
  }

  /** Forgets the cache; the next read reloads (called after this node changes a campaign or uploads its priority list). */
  invalidate(): void {
    this.cache = null;
  }

  private async fresh(): Promise<void> {
    if (this.cache && this.nowMs() - this.cache.at < this.ttlMs) return;
    this.loading ??= Promise.all([loadCampaigns(this.db), campaignsWithPriorityLists(this.db)])
      .then(([list, withPriorityList]) => {
        this.cache = { at: this.nowMs(), list, real: list.filter((c) => !c.synthetic), byId: new Map(list.map((c) => [c.id, c])), withPriorityList };
      })
      .finally(() => {
        this.loading = null;
      });
    await this.loading;
  }
}
