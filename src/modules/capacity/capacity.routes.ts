import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { errorResponses, jsonOrCsvBody } from '../../http/schemas.ts';
import { auditedAs, operatorOf, requireOperator } from '../operator/index.ts';
import { upsertCapacity } from './capacity.service.ts';

/** Operator upload of capacity per clinic, date and half-hour slot. */
export const capacityRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  app.post(
    '/api/v1/admin/campaigns/:campaignId/capacity',
    {
      onRequest: requireOperator(ctx, ['operator']),
      schema: {
        tags: ['operator'],
        params: Type.Object({ campaignId: Type.String() }),
        body: jsonOrCsvBody(100_000, 'Capacity rows: [{institutionId, date, time, doses}].'),
        response: { 200: Type.Object({ upserted: Type.Integer() }), ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request) => {
      const audit = auditedAs(operatorOf(request), ctx.clock.now(), 'capacity.uploaded', `campaign:${request.params.campaignId}`);
      return { upserted: await upsertCapacity(ctx, request.params.campaignId, request.body, audit) };
    },
  );
};
