import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { Id, errorResponses } from '../../http/schemas.ts';
import { parseTilePath } from './domain/tiles.ts';
import type { CampaignQueueLog } from './queue-log.ts';

const Params = Type.Object({ campaignId: Id });
/** A tile's path never changes what it names: cached anywhere for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The public queue logs (docs/transparency.md), in C2SP formats so that no Yeyak code is needed to
 * check them: the log's verifier key, each campaign's latest checkpoint, its hash tiles and entry
 * bundles. No credential: everything here is public.
 */
export const queueLogRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  async function logOf(campaignId: string): Promise<CampaignQueueLog> {
    await ctx.campaigns.get(campaignId);
    const log = ctx.queueLogs.forCampaign(campaignId);
    if (!log) throw new YeyakError('YEYAK_ERR_NOT_FOUND', { details: { reason: 'this deployment keeps no queue log (no YEYAK_LOG_SIGNER_KEY)' } });
    // Another node may write the log: what it stored is read at most twice a second.
    const loaded = await log;
    await loaded.follow();
    return loaded;
  }

  app.get(
    '/api/v1/log/key',
    { schema: { tags: ['public'], description: 'The queue logs’ verifier key (C2SP signed-note verifier key format), one line.', response: { 200: Type.String(), ...errorResponses(404) } } },
    async (_request, reply) => {
      const key = ctx.queueLogs.verifierKey;
      if (!key) throw new YeyakError('YEYAK_ERR_NOT_FOUND', { details: { reason: 'this deployment keeps no queue log (no YEYAK_LOG_SIGNER_KEY)' } });
      return reply.type('text/plain; charset=utf-8').header('cache-control', 'public, max-age=3600').send(`${key}\n`);
    },
  );

  app.get(
    '/api/v1/campaigns/:campaignId/log/checkpoint',
    {
      schema: {
        tags: ['public'],
        description: 'The campaign queue log’s latest checkpoint: a C2SP tlog-checkpoint in a signed note, signed again at most once a second.',
        params: Params,
        response: { 200: Type.String(), ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const log = await logOf(request.params.campaignId);
      return reply.type('text/plain; charset=utf-8').header('cache-control', 'public, max-age=1').send(log.checkpoint());
    },
  );

  app.get(
    '/api/v1/campaigns/:campaignId/log/tile/*',
    {
      schema: {
        tags: ['public'],
        description: 'A C2SP tlog-tiles tile (`<L>/<N>[.p/<W>]`, 32-byte hashes) or entry bundle (`entries/<N>[.p/<W>]`, uint16-length-prefixed entries) of the campaign’s queue log.',
        params: Type.Object({ campaignId: Id, '*': Type.String({ maxLength: 64 }) }),
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const address = parseTilePath(request.params['*']);
      if (!address) throw new YeyakError('YEYAK_ERR_NOT_FOUND', { details: { reason: 'not a tile path: tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]' } });
      const log = await logOf(request.params.campaignId);
      const bytes = address.level === 'entries' ? await log.entryBundle(address.index, address.width) : log.hashTile(address.level, address.index, address.width);
      if (!bytes) throw new YeyakError('YEYAK_ERR_NOT_FOUND', { details: { reason: 'the log does not reach this tile yet' } });
      return reply.type('application/octet-stream').header('cache-control', IMMUTABLE).send(bytes);
    },
  );
};
