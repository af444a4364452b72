import { sql } from 'kysely';
import type { TestApp } from './test-app.ts';

/** The main pool's connection taken by a sleeping statement: whether it is still held, and when it is given back. */
export interface MainPoolHold {
  held(): boolean;
  released: Promise<unknown>;
}

/**
 * Takes a connection of the app's main pool (its only one, with `YEYAK_DB_POOL_SIZE=1`) for `ms`,
 * as a sign-in storm would, and resolves once it is taken. What a test does meanwhile either went
 * on beside the hold (`held()` still true when it finished) or waited behind it.
 */
export async function holdMainPool(t: TestApp, ms: number): Promise<MainPoolHold> {
  let held = true;
  const released = sql`SELECT pg_sleep(${ms / 1000})`.execute(t.ctx.db).finally(() => (held = false));
  await new Promise((resolve) => setTimeout(resolve, 100));
  return { held: () => held, released };
}
