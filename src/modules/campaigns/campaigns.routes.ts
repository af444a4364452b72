import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { errorResponses } from '../../http/schemas.ts';
import { auditedAs, operatorOf, requireOperator } from '../operator/index.ts';
import { CampaignBody, CampaignView } from './campaigns.schemas.ts';
import { campaignView, createCampaign } from './campaigns.service.ts';

/** Public campaign listing and the operator's campaign creation. */
export const campaignRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  app.get(
    '/api/v1/campaigns',
    { schema: { tags: ['public'], response: { 200: Type.Array(CampaignView) } } },
    async (_request, reply) => {
      const campaigns = await ctx.campaigns.listReal();
      reply.header('cache-control', 'public, max-age=5');
      return campaigns.map(campaignView);
    },
  );

  app.get(
    '/api/v1/campaigns/:campaignId',
    { schema: { tags: ['public'], params: Type.Object({ campaignId: Type.String() }), response: { 200: CampaignView, ...errorResponses(404) } } },
    async (request, reply) => {
      const campaign = await ctx.campaigns.get(request.params.campaignId);
      reply.header('cache-control', 'public, max-age=5');
      return campaignView(campaign);
    },
  );

  app.post(
    '/api/v1/admin/campaigns',
    {
      onRequest: requireOperator(ctx, ['operator']),
      schema: { tags: ['operator'], body: CampaignBody, response: { 201: Type.Object({ id: Type.String() }), ...errorResponses(400, 401, 403, 409) } },
    },
    async (request, reply) => {
      const id = await createCampaign(ctx, request.body, auditedAs(operatorOf(request), ctx.clock.now(), 'campaign.created'));
      return reply.code(201).send({ id });
    },
  );
};
