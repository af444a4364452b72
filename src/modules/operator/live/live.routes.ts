import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../../context.ts';
import { YeyakError } from '../../../errors.ts';
import { errorResponses } from '../../../http/schemas.ts';
import { requireOperator } from '../operator-auth.ts';
import { LiveFeed, MAX_SUBSCRIBERS } from './live-feed.ts';

/**
 * `GET /api/v1/admin/live?campaignId=` — server-sent events, one frame a second (`LiveFrame` as
 * JSON in `data:`), for the console's dashboard. The console authenticates with its HttpOnly
 * operator cookie (EventSource sends no Authorization header); bearer tokens work too.
 */
export const liveRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const feed = new LiveFeed(ctx, app.log);
  const open = new Set<() => void>();
  // Streams never end on their own: close them before the server waits for its connections.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
    feed.stop();
  });

  app.get(
    '/api/v1/admin/live',
    {
      onRequest: requireOperator(ctx, ['operator']),
      schema: {
        tags: ['operator'],
        querystring: Type.Object({ campaignId: Type.String({ maxLength: 64 }) }),
        response: { 200: Type.String({ description: 'text/event-stream of LiveFrame JSON, one a second' }), ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const campaign = await ctx.campaigns.get(request.query.campaignId);
      if (feed.subscriberCount >= MAX_SUBSCRIBERS) throw new YeyakError('YEYAK_ERR_UNAVAILABLE', { retryAfterSeconds: 5 });
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        // Proxies (nginx) must pass each frame on at once, not buffer the stream.
        'x-accel-buffering': 'no',
      });
      // The browser reconnects by itself after 2 s if the stream drops.
      res.write('retry: 2000\n\n');
      const unsubscribe = feed.subscribe(campaign.id, (chunk) => res.write(chunk));
      const end = () => {
        open.delete(end);
        unsubscribe();
        res.end();
      };
      open.add(end);
      request.raw.on('close', () => {
        if (open.has(end)) end();
      });
    },
  );
};
