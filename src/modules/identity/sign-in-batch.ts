import type { Ctx } from '../../context.ts';
import { isDataRefused } from '../../infra/db/database-errors.ts';
import { BatchedCalls } from '../../lib/batched-calls.ts';
import { recordVerifiedPersons, type VerifiedPersonRow } from './persons.repository.ts';

/** A sign-in's share of a batch: whose registry facts to read, and the verified row to record (none for a person registered before, the probe's). */
export interface SignInWork {
  personKey: string;
  row: VerifiedPersonRow | null;
}

/** The person's highest dose of each vaccine they received, from the registry's local copy. */
export type HighestDoses = ReadonlyMap<string, number>;

const NONE: HighestDoses = new Map();

/**
 * The most sign-ins one batch carries: a batch's two statements stay a few milliseconds, and a
 * crowd beyond it simply fills the next one.
 */
const MAX_BATCH = 500;

const batchesByCtx = new WeakMap<Ctx, BatchedCalls<SignInWork, HighestDoses>>();

/**
 * The sign-ins of a node, written and read in batches: one statement records every verified
 * person of the batch (unchanged ones write nothing) and one reads their registry facts, so a
 * crowd signing in costs two statements per database round trip instead of one write and one read
 * per campaign each. Each sign-in still answers only once its row is committed.
 */
export function signInBatches(ctx: Ctx): BatchedCalls<SignInWork, HighestDoses> {
  let batches = batchesByCtx.get(ctx);
  if (!batches) {
    batches = new BatchedCalls(
      async (work: SignInWork[]) => {
        await recordVerifiedPersons(ctx.db, work.flatMap((w) => (w.row ? [w.row] : [])));
        const doses = await ctx.registry.highestDoses([...new Set(work.map((w) => w.personKey))]);
        return work.map((w) => doses.get(w.personKey) ?? NONE);
      },
      // A value the database refuses (a NUL in a name) fails that person's sign-in only.
      { maxBatch: MAX_BATCH, retryAlone: isDataRefused },
    );
    batchesByCtx.set(ctx, batches);
  }
  return batches;
}
