import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { errorResponses, jsonOrCsvBody } from '../../http/schemas.ts';
import { auditedAs, operatorOf, requireOperator } from '../operator/index.ts';
import { importInstitutions } from './institutions.service.ts';

/** Operator upload of institutions (JSON array or text/csv). */
export const institutionRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  app.post(
    '/api/v1/admin/institutions',
    {
      onRequest: requireOperator(ctx, ['operator']),
      schema: {
        tags: ['operator'],
        // Rows are validated one by one in the service, so a bad row is reported by number.
        body: jsonOrCsvBody(50_000, 'Institutions to create or update: [{id, name, address, sido, sigungu, lat, lng}].'),
        response: { 200: Type.Object({ upserted: Type.Integer() }), ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request) => {
      return { upserted: await importInstitutions(ctx, request.body, auditedAs(operatorOf(request), ctx.clock.now(), 'institutions.uploaded')) };
    },
  );
};
