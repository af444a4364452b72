import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { Id, errorResponses } from '../../http/schemas.ts';
import { CosignatureRefused } from './cosignatures.ts';
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
    if (!log) throw new YeyakError('YEYAK_ERR_NOT_FOUND', { details: { reason: 'this deployment keeps no queue log (YEYAK_QUEUE_LOG=off)' } });
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
      if (!key) throw new YeyakError('YEYAK_ERR_NOT_FOUND', { details: { reason: 'this deployment keeps no queue log (YEYAK_QUEUE_LOG=off)' } });
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
      const { size, note } = log.signedCheckpoint();
      // The witnesses' cosignatures of this very checkpoint, when they have caught up with it.
      const witnessed = await ctx.cosignatures.witnessed(log.campaignId);
      const cosigned = witnessed?.size === size ? note + witnessed.lines.join('') : note;
      return reply.type('text/plain; charset=utf-8').header('cache-control', 'public, max-age=1').send(cosigned);
    },
  );

  app.get(
    '/api/v1/campaigns/:campaignId/log/checkpoint/witnessed',
    {
      schema: {
        tags: ['public'],
        description: 'The largest checkpoint of the campaign’s queue log that a witness cosigned: the log’s signed note with every cosignature of it (C2SP tlog-cosignature).',
        params: Params,
        response: { 200: Type.String(), ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const log = await logOf(request.params.campaignId);
      const witnessed = await ctx.cosignatures.witnessed(log.campaignId);
      if (!witnessed || witnessed.size > log.size) throw new YeyakError('YEYAK_ERR_NOT_FOUND', { details: { reason: 'no witness has cosigned a checkpoint of this log yet' } });
      return reply.type('text/plain; charset=utf-8').header('cache-control', 'public, max-age=1').send((await log.signedAtSize(witnessed.size)) + witnessed.lines.join(''));
    },
  );

  app.post(
    '/api/v1/campaigns/:campaignId/log/cosignatures',
    {
      schema: {
        tags: ['public'],
        description: 'Submits a witness’s cosignature: the log’s checkpoint as a signed note carrying the cosignature line of a witness this deployment names (YEYAK_LOG_WITNESSES). Anyone may submit; the cosignature itself is the credential.',
        params: Params,
        body: Type.String({ maxLength: 16_384 }),
        response: { 200: Type.Object({ accepted: Type.Array(Type.String()) }), ...errorResponses(400, 404, 415) },
      },
    },
    async (request) => {
      const log = await logOf(request.params.campaignId);
      try {
        return { accepted: await ctx.cosignatures.submit(log, request.body) };
      } catch (error) {
        if (error instanceof CosignatureRefused) throw new YeyakError('YEYAK_ERR_VALIDATION', { message: 'The cosignature is refused.', details: { reason: error.message } });
        throw error;
      }
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
      const bytes = address.level === 'entries' ? await log.entryBundle(address.index, address.width) : await log.hashTile(address.level, address.index, address.width);
      if (!bytes) throw new YeyakError('YEYAK_ERR_NOT_FOUND', { details: { reason: 'the log does not reach this tile yet' } });
      return reply.type('application/octet-stream').header('cache-control', IMMUTABLE).send(bytes);
    },
  );
};
