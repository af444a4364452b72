import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { errorResponses } from '../../http/schemas.ts';
import { operatorOf, recordAudit, requireOperator } from '../operator/index.ts';

const Params = Type.Object({ campaignId: Type.String({ maxLength: 64 }) });
const PauseBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 200, description: 'Shown on the waiting page while paused.' })) });

/** The optional `{reason}` shown on the waiting page while paused (a body is not required). */
function pauseReason(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  if (!Value.Check(PauseBody, body)) throw new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems: ['body must be {"reason"?: string (≤ 200)}'] } });
  return body.reason ?? null;
}

/** Operators pause and resume admission; pausing keeps every place (API.md "Operator"). */
export const queueControlRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  for (const action of ['pause', 'resume'] as const) {
    app.post(
      `/api/v1/admin/campaigns/:campaignId/queue/${action}`,
      {
        onRequest: requireOperator(ctx, ['operator']),
        schema: {
          tags: ['operator'],
          params: Params,
          ...(action === 'pause' ? { optionalBody: PauseBody } : {}),
          response: { 200: Type.Object({ state: Type.String() }), ...errorResponses(400, 401, 403, 404, 503) },
        },
      },
      async (request) => {
        const campaign = await ctx.campaigns.get(request.params.campaignId);
        const reason = action === 'pause' ? pauseReason(request.body) : null;
        const store = ctx.waitingRoom.store;
        const nowMs = ctx.clock.now().getTime();
        const before = await store.snapshot(campaign.id, nowMs);
        await store.setPaused(campaign.id, action === 'pause', reason, nowMs);
        try {
          await recordAudit(ctx.db, ctx.clock.now(), operatorOf(request), { action: `queue.${action}d`, target: `campaign:${campaign.id}`, details: { reason } });
        } catch (error) {
          // Audited or not applied: the queue lives outside the database's transaction, so the change is undone before the error is answered.
          await store.setPaused(campaign.id, before.paused, before.pausedReason, nowMs);
          throw error;
        }
        await ctx.waitingRoom.refresh();
        return { state: (await ctx.waitingRoom.board(campaign)).status.state };
      },
    );
  }
};
