import { AbandonedPositions } from './abandoned-positions.ts';
import type { QueueStore } from './queue-store.ts';

/**
 * Each node's copy of the positions given up in each campaign (`leave`), so a ticket's status poll
 * can answer 410 for a place given up without asking the store: polls are the hottest path and
 * a ticket carries its signed place. The store counts them in every snapshot; a refresh that sees
 * the count grow reads the new ones (`abandonedSince`), so another node's leave is known here
 * within a refresh, and the node that took the leave knows it at once (`add`). An admission never
 * depends on this copy: the store refuses an abandoned place itself.
 */
export class LeftPlaces {
  private readonly campaigns = new Map<string, { positions: AbandonedPositions; read: number }>();

  private of(campaignId: string) {
    let known = this.campaigns.get(campaignId);
    if (!known) this.campaigns.set(campaignId, (known = { positions: new AbandonedPositions(), read: 0 }));
    return known;
  }

  /** Reads the positions given up since the last read, when the store counts more (or fewer: it was restored, then all again). */
  async sync(store: Pick<QueueStore, 'abandonedSince'>, campaignId: string, count: number): Promise<void> {
    const known = this.of(campaignId);
    if (count === known.read) return;
    const from = count < known.read ? 0 : known.read;
    const positions = await store.abandonedSince(campaignId, from);
    for (const position of positions) known.positions.add(position);
    known.read = from + positions.length;
  }

  add(campaignId: string, position: number): void {
    this.of(campaignId).positions.add(position);
  }

  has(campaignId: string, position: number): boolean {
    return this.campaigns.get(campaignId)?.positions.has(position) ?? false;
  }
}
