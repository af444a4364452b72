import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS_MS, type NodeFigures } from '../src/modules/operator/live/node-figures.ts';
import { RedisNodeFiguresBoard } from '../src/modules/operator/live/node-figures-board.ts';
import { deleteKeys, randomKeyPrefix, redisUrl } from './support/redis.ts';

const figures = (node: string, booked: number): NodeFigures => ({ node, atMs: Date.now(), bookings: { covid: booked }, lastBookingMs: {}, serverErrors: 0, latency: new Array<number>(LATENCY_BUCKETS_MS.length).fill(0) });

/** The nodes' figures in a real Redis: every node sees every other's, and a node gone drops out. */
describe.skipIf(!redisUrl)('the live figures board in Redis', () => {
  const client = new Redis(redisUrl ?? '', { lazyConnect: true });
  const prefix = randomKeyPrefix();
  afterAll(async () => {
    await deleteKeys(client, prefix);
    client.disconnect();
  });

  it('gives every node the figures of all, and forgets a node that stopped publishing', async () => {
    const a = new RedisNodeFiguresBoard(client, prefix, 400);
    const b = new RedisNodeFiguresBoard(client, prefix, 400);
    await a.publish(figures('node-a', 3));
    await b.publish(figures('node-b', 5));
    expect((await a.readAll()).map((f) => [f.node, f.bookings.covid]).sort()).toEqual([
      ['node-a', 3],
      ['node-b', 5],
    ]);
    // node-b goes quiet; node-a keeps publishing.
    await new Promise((resolve) => setTimeout(resolve, 250));
    await a.publish(figures('node-a', 4));
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await b.readAll()).map((f) => f.node)).toEqual(['node-a']);
    expect(await client.smembers(`${prefix}nodes`)).toEqual(['node-a']);
  });
});
