/**
 * The load generator's connection slots: when every connection is busy, an admitted person's
 * journey call takes the next free one before any queued poll (a real citizen's booking never
 * waits behind other people's polls), and each lane keeps its own order.
 */
import { describe, expect, it } from 'vitest';
import { Slots } from '../load/lib/client.ts';

describe('the load generator\'s connection slots', () => {
  it('give a freed connection to a waiting journey call before any waiting poll, each lane first come first served', async () => {
    const slots = new Slots(1);
    await slots.take(false); // the one connection is busy
    const order: string[] = [];
    const wait = (name: string, urgent: boolean) => slots.take(urgent).then(() => void order.push(name));
    const waiting = [wait('poll 1', false), wait('poll 2', false), wait('booking 1', true), wait('booking 2', true)];
    for (let i = 0; i < 4; i++) {
      slots.give();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(waiting);
    expect(order).toEqual(['booking 1', 'booking 2', 'poll 1', 'poll 2']);
    // With nobody waiting, a freed connection is simply free again: the next take does not wait.
    slots.give();
    await slots.take(false);
  });
});
