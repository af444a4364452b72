import type { FastifyInstance } from 'fastify';
import type { Ctx } from './context.ts';

/** Reads every node serves from its first second: compiled and cached before anyone asks. */
const WARM_READS = ['/api/v1/campaigns', '/api/v1/time', '/api/v1/regions', '/api/v1/health'];

/**
 * Readies a node before it listens (BRIEF §4.1: never shed while starting): builds every
 * campaign's status document, runs the common reads once (route code compiled, caches filled),
 * then makes the load measurement forget the work of starting, so the first request a balancer
 * sends after readiness passes meets a node that has nothing to catch up on.
 */
export async function warmUp(app: FastifyInstance, ctx: Pick<Ctx, 'campaigns' | 'pressure' | 'waitingRoom'>): Promise<void> {
  await ctx.waitingRoom.refresh().catch(() => {}); // a queue store still away is readiness's to report
  const campaigns = await ctx.campaigns.list();
  const reads = [...WARM_READS, ...campaigns.map((c) => `/api/v1/campaigns/${encodeURIComponent(c.id)}/queue`)];
  for (const url of reads) await app.inject({ method: 'GET', url });
  ctx.pressure.reset();
}
