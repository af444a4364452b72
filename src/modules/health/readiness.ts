import type { Ctx } from '../../context.ts';

/** What `GET /api/v1/ready` decides: in the balancer or out, and why. */
export type Readiness =
  | { ready: true; database: string; queue: 'redis' | 'in-process' | 'unavailable' }
  | { ready: false; details: { shed: string } | { draining: true } | { database: 'unreachable' } };

/**
 * Whether this node should receive traffic. Not when it would shed (a balancer then sends it
 * nothing it would refuse), nor when it is about to close (the balancer moves on before it stops
 * accepting), nor when its clock disagrees with the database's (the cause says which), nor without
 * its database. Without the queue store it still serves everyone already admitted (admissions are
 * verified locally), so it stays in: `queue` says the store is down.
 */
export async function readiness(ctx: Pick<Ctx, 'config' | 'database' | 'lifecycle' | 'pressure' | 'waitingRoom'>): Promise<Readiness> {
  const shed = ctx.pressure.cause();
  if (shed !== null) return { ready: false, details: { shed } };
  if (ctx.lifecycle.draining) return { ready: false, details: { draining: true } };
  try {
    await ctx.database.ping();
  } catch {
    return { ready: false, details: { database: 'unreachable' } };
  }
  const queueUp = await ctx.waitingRoom.reachable();
  return { ready: true, database: ctx.database.kind, queue: queueUp ? (ctx.config.redisUrl ? 'redis' : 'in-process') : 'unavailable' };
}
