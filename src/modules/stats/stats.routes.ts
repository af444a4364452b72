import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { errorResponses } from '../../http/schemas.ts';
import { bookingFigures } from '../booking/index.ts';
import { campaignDoseFigures } from '../capacity/index.ts';
import { requireOperator } from '../operator/index.ts';

/** Campaign statistics for operators. Queue figures come from the waiting room once it exists. */
export const statsRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  app.get(
    '/api/v1/admin/campaigns/:campaignId/stats',
    {
      onRequest: requireOperator(ctx, ['operator']),
      schema: {
        tags: ['operator'],
        params: Type.Object({ campaignId: Type.String() }),
        response: {
          200: Type.Object({
            joined: Type.Integer(),
            admitted: Type.Integer(),
            activeAdmissions: Type.Integer(),
            booked: Type.Integer(),
            cancelled: Type.Integer(),
            remainingDoses: Type.Integer(),
            capacityDoses: Type.Integer(),
          }),
          ...errorResponses(401, 403, 404),
        },
      },
    },
    async (request) => {
      const campaign = await ctx.campaigns.get(request.params.campaignId);
      // Operator statistics may count; the citizen path never does (it reads clinic_days).
      const c = await bookingFigures(ctx, campaign.id);
      const d = await campaignDoseFigures(ctx, campaign.id);
      const queue = await ctx.waitingRoom.counts(campaign.id);
      const joined = queue.issuedUpTo + queue.prequeueSize;
      return { joined, admitted: queue.admitted, activeAdmissions: queue.activeAdmissions, booked: c.booked, cancelled: c.cancelled, remainingDoses: d.remaining, capacityDoses: d.capacity };
    },
  );
};
