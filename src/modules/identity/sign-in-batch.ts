import type { Ctx } from '../../context.ts';
import { BatchedCalls } from '../../lib/batched-calls.ts';

/** The person's highest dose of each vaccine they received, from the registry's local copy. */
export type HighestDoses = ReadonlyMap<string, number>;

const NONE: HighestDoses = new Map();

/** The most sign-ins one batch carries: its read stays a few milliseconds, and a crowd beyond it fills the next one. */
const MAX_BATCH = 500;

const batchesByCtx = new WeakMap<Ctx, BatchedCalls<string, HighestDoses>>();

/**
 * The registry facts of a node's sign-ins, read in batches: one statement for every person who
 * signed in while the previous batch ran, so a crowd costs one read per database round trip instead
 * of one per person and campaign. Signing in writes nothing (`recordOnFirstNeed`).
 */
export function signInBatches(ctx: Ctx): BatchedCalls<string, HighestDoses> {
  let batches = batchesByCtx.get(ctx);
  if (!batches) {
    batches = new BatchedCalls(
      async (personKeys: string[]) => {
        const doses = await ctx.registry.highestDoses([...new Set(personKeys)]);
        return personKeys.map((key) => doses.get(key) ?? NONE);
      },
      { maxBatch: MAX_BATCH, retryAlone: () => false },
    );
    batchesByCtx.set(ctx, batches);
  }
  return batches;
}
