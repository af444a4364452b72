import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { errorResponses } from '../../http/schemas.ts';
import { formatSeoul } from '../../lib/seoul-time.ts';
import { operatorOf, recordAudit, requireOperator } from '../operator/index.ts';
import { listDeadLetters, outboxCounts, replayDeadLetters } from './outbox-jobs.repository.ts';

const Consumer = Type.Union([Type.Literal('registry'), Type.Literal('messages')]);
const JobId = Type.String({ pattern: '^[1-9]\\d{0,17}$' });

/** The operator console's view of the outbox: counts, the dead-letter list, and replay (audited). */
export const outboxRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const operators = requireOperator(ctx, ['operator']);

  app.get(
    '/api/v1/admin/outbox',
    {
      onRequest: operators,
      schema: {
        tags: ['operator'],
        response: { 200: Type.Object({ unrouted: Type.Integer(), jobs: Type.Array(Type.Object({ consumer: Type.String(), status: Type.String(), count: Type.Integer() })) }), ...errorResponses(401, 403) },
      },
    },
    async () => outboxCounts(ctx.db),
  );

  app.get(
    '/api/v1/admin/outbox/dead',
    {
      onRequest: operators,
      schema: {
        tags: ['operator'],
        querystring: Type.Object({ consumer: Type.Optional(Consumer), cursor: Type.Optional(JobId), limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) }),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ id: Type.String(), consumer: Type.String(), topic: Type.String(), aggregateId: Type.String(), idempotencyKey: Type.String(), attempts: Type.Integer(), lastError: Type.Union([Type.String(), Type.Null()]), createdAt: Type.String() })),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { consumer, cursor, limit } = request.query;
      const page = await listDeadLetters(ctx.db, consumer, cursor === undefined ? null : Number(cursor), limit);
      return { ...page, items: page.items.map((i) => ({ ...i, createdAt: formatSeoul(i.createdAt) })) };
    },
  );

  const Replayed = Type.Object({ replayed: Type.Array(Type.String()) });

  app.post(
    '/api/v1/admin/outbox/dead/:jobId/replay',
    { onRequest: operators, schema: { tags: ['operator'], params: Type.Object({ jobId: JobId }), response: { 200: Replayed, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const ids = await replayDeadLetters(ctx.db, { id: Number(request.params.jobId) }, ctx.clock.now());
      if (ids.length === 0) throw new YeyakError('YEYAK_ERR_OUTBOX_JOB_NOT_FOUND');
      await recordAudit(ctx.db, ctx.clock.now(), operatorOf(request), { action: 'outbox.replayed', target: request.params.jobId, details: { count: 1 } });
      return { replayed: ids.map(String) };
    },
  );

  app.post(
    '/api/v1/admin/outbox/dead/replay',
    {
      onRequest: operators,
      schema: { tags: ['operator'], body: Type.Object({ consumer: Type.Optional(Consumer) }, { additionalProperties: false }), response: { 200: Replayed, ...errorResponses(400, 401, 403) } },
    },
    async (request) => {
      const ids = await replayDeadLetters(ctx.db, { consumer: request.body.consumer }, ctx.clock.now());
      await recordAudit(ctx.db, ctx.clock.now(), operatorOf(request), { action: 'outbox.replayed', target: request.body.consumer ?? 'all', details: { count: ids.length } });
      return { replayed: ids.map(String) };
    },
  );
};
