/**
 * Clean-up of a run's waiting-room keys on a shared Redis: every key of one campaign's queue
 * (`yeyak:q:{campaignId}:*`, the hash tag keeping them in one slot), scanned and deleted in batches.
 */
import { Redis } from 'ioredis';

export async function deleteCampaignKeys(redisUrl: string, campaignId: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `yeyak:q:{${campaignId}}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } catch (error) {
    console.error(`could not delete the bench campaign's Redis keys: ${String(error)}`);
  } finally {
    redis.disconnect();
  }
}
