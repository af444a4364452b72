import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { errorResponses } from '../../http/schemas.ts';
import { formatSeoul } from '../../lib/seoul-time.ts';
import { readiness } from './readiness.ts';

/** Liveness, readiness and the server's time (for display only). */
export const healthRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  app.get('/api/v1/health', { schema: { tags: ['public'], response: { 200: Type.Object({ status: Type.String() }) } } }, async () => ({ status: 'ok' }));

  app.get(
    '/api/v1/ready',
    { schema: { tags: ['public'], response: { 200: Type.Object({ status: Type.String(), database: Type.String(), queue: Type.String() }), ...errorResponses(503) } } },
    async () => {
      const r = await readiness(ctx);
      if (!r.ready) throw new YeyakError('YEYAK_ERR_UNAVAILABLE', { retryAfterSeconds: 1, details: r.details });
      return { status: r.queue === 'unavailable' ? 'degraded' : 'ready', database: r.database, queue: r.queue };
    },
  );

  app.get('/api/v1/time', { schema: { tags: ['public'], response: { 200: Type.Object({ now: Type.String() }) } } }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { now: formatSeoul(ctx.clock.now()) };
  });
};
