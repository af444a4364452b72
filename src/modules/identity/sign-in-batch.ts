import type { Ctx } from '../../context.ts';
import { BatchedCalls } from '../../lib/batched-calls.ts';
import { recordedIdentities, type RecordedIdentity } from './persons.repository.ts';

/** The person's highest dose of each vaccine they received, from the registry's local copy. */
export type HighestDoses = ReadonlyMap<string, number>;

/** What a sign-in's batch read for one person: their registry facts, and their record if they have one. */
export interface SignInFacts {
  doses: HighestDoses;
  record: RecordedIdentity | null;
}

const NONE: HighestDoses = new Map();

/** The most sign-ins one batch carries: its reads stay a few milliseconds, and a crowd beyond it fills the next one. */
const MAX_BATCH = 500;

const batchesByCtx = new WeakMap<Pick<Ctx, 'db' | 'registry'>, BatchedCalls<string, SignInFacts>>();

/**
 * The reads of a node's sign-ins, in batches: for every person who signed in while the previous
 * batch ran, one read of the registry's copy and one of the records that exist (most have none),
 * so a crowd costs two reads per database round trip instead of some per person. Signing in writes
 * nothing unless a record it finds is out of date (`signIn`).
 */
export function signInBatches(ctx: Pick<Ctx, 'db' | 'registry'>): BatchedCalls<string, SignInFacts> {
  let batches = batchesByCtx.get(ctx);
  if (!batches) {
    batches = new BatchedCalls(
      async (personKeys: string[]) => {
        const unique = [...new Set(personKeys)];
        const [doses, records] = await Promise.all([ctx.registry.highestDoses(unique), recordedIdentities(ctx.db, unique)]);
        return personKeys.map((key) => ({ doses: doses.get(key) ?? NONE, record: records.get(key) ?? null }));
      },
      { maxBatch: MAX_BATCH, retryAlone: () => false },
    );
    batchesByCtx.set(ctx, batches);
  }
  return batches;
}
