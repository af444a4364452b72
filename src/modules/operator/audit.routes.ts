import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { errorResponses } from '../../http/schemas.ts';
import { listAudit } from './audit.ts';
import { requireOperator } from './operator-auth.ts';

const AuditEntryView = Type.Object({
  id: Type.String(),
  at: Type.String(),
  actor: Type.String(),
  role: Type.String(),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});

/** The audit log, newest first, for operators. */
export const auditRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  app.get(
    '/api/v1/admin/audit',
    {
      onRequest: requireOperator(ctx, ['operator']),
      schema: {
        tags: ['operator'],
        querystring: Type.Object({
          cursor: Type.Optional(Type.String({ pattern: '^[1-9]\\d{0,17}$', description: 'nextCursor of the previous page' })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
        }),
        response: { 200: Type.Object({ entries: Type.Array(AuditEntryView), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => listAudit(ctx.db, request.query.cursor === undefined ? null : Number(request.query.cursor), request.query.limit),
  );
};
