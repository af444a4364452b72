import { describe, expect, it } from 'vitest';
import { BatchedCalls } from './batched-calls.ts';

/** A batch runner that records each batch and answers each item doubled, after a tick. */
function doubling(failWhen: (items: number[]) => Error | null = () => null) {
  const batches: number[][] = [];
  const run = async (items: number[]) => {
    batches.push([...items]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const error = failWhen(items);
    if (error) throw error;
    return items.map((i) => i * 2);
  };
  return { batches, run };
}

const refused = Object.assign(new Error('invalid input value'), { refused: true });
const isRefused = (error: unknown) => (error as { refused?: boolean }).refused === true;

describe('BatchedCalls', () => {
  it('runs a lone call at once, and lets every call made while a batch runs share the next', async () => {
    const { batches, run } = doubling();
    const calls = new BatchedCalls(run, { maxBatch: 100, retryAlone: isRefused });
    expect(await calls.call(1)).toBe(2);
    const first = calls.call(10);
    await new Promise((resolve) => setTimeout(resolve, 1));
    const crowd = [11, 12, 13].map((i) => calls.call(i));
    expect(await Promise.all([first, ...crowd])).toEqual([20, 22, 24, 26]);
    expect(batches).toEqual([[1], [10], [11, 12, 13]]);
  });

  it('never puts more than maxBatch items in one batch', async () => {
    const { batches, run } = doubling();
    const calls = new BatchedCalls(run, { maxBatch: 2, retryAlone: isRefused });
    expect(await Promise.all([1, 2, 3, 4, 5].map((i) => calls.call(i)))).toEqual([2, 4, 6, 8, 10]);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('fails only the item the database refuses, running the others again alone', async () => {
    const { batches, run } = doubling((items) => (items.includes(13) ? refused : null));
    const calls = new BatchedCalls(run, { maxBatch: 100, retryAlone: isRefused });
    const results = await Promise.allSettled([11, 12, 13, 14].map((i) => calls.call(i)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(results[2]).toMatchObject({ reason: refused });
    expect(batches).toEqual([[11, 12, 13, 14], [11], [12], [13], [14]]);
    // And it goes on batching afterwards.
    expect(await calls.call(1)).toBe(2);
  });

  it('fails the whole batch at once when the failure would meet every item (the database away)', async () => {
    const down = new Error('connect ECONNREFUSED');
    const { batches, run } = doubling(() => down);
    const calls = new BatchedCalls(run, { maxBatch: 100, retryAlone: isRefused });
    const results = await Promise.allSettled([1, 2, 3].map((i) => calls.call(i)));
    expect(results.every((r) => r.status === 'rejected' && r.reason === down)).toBe(true);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('refuses a batch runner that answers the wrong number of results', async () => {
    const calls = new BatchedCalls(async (items: number[]) => items.slice(1), { maxBatch: 10, retryAlone: () => false });
    await expect(calls.call(1)).rejects.toThrow('a batch of 1 answered 0 results');
  });
});
