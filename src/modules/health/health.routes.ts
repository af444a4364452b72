import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { errorResponses } from '../../http/schemas.ts';
import { formatSeoul } from '../campaigns/domain/seoul-time.ts';

/** Liveness, readiness and the server's time (for display only). */
export const healthRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  app.get('/api/v1/health', { schema: { tags: ['public'], response: { 200: Type.Object({ status: Type.String() }) } } }, async () => ({ status: 'ok' }));

  app.get(
    '/api/v1/ready',
    { schema: { tags: ['public'], response: { 200: Type.Object({ status: Type.String(), database: Type.String(), queue: Type.String() }), ...errorResponses(503) } } },
    async () => {
      // A node that would shed says so here too, so a balancer sends it nothing it would refuse;
      // so does a node about to close, so the balancer has moved on before it stops accepting.
      // So does a node whose clock disagrees with the database's (the cause says which).
      const shed = ctx.pressure.cause();
      if (shed !== null || ctx.lifecycle.draining) throw new YeyakError('YEYAK_ERR_UNAVAILABLE', { retryAfterSeconds: 1, details: shed ? { shed } : { draining: true } });
      try {
        await ctx.database.ping();
      } catch {
        throw new YeyakError('YEYAK_ERR_UNAVAILABLE', { retryAfterSeconds: 1 });
      }
      // Without the queue store a node still serves everyone already admitted (admissions are
      // verified locally), so it stays in the load balancer; the answer says the queue is down.
      const queueUp = await ctx.waitingRoom.store.ping().then(
        () => true,
        () => false,
      );
      const queue = queueUp ? (ctx.config.redisUrl ? 'redis' : 'in-process') : 'unavailable';
      return { status: queueUp ? 'ready' : 'degraded', database: ctx.database.kind, queue };
    },
  );

  app.get('/api/v1/time', { schema: { tags: ['public'], response: { 200: Type.Object({ now: Type.String() }) } } }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { now: formatSeoul(ctx.clock.now()) };
  });
};
