import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { errorResponses } from '../../http/schemas.ts';
import { auditedAs, operatorOf, requireOperator } from '../operator/index.ts';
import { setAdmissionPolicy, updateCampaign } from './campaign-edit.service.ts';
import { AdmissionBody, CampaignBody, CampaignView } from './campaigns.schemas.ts';
import { campaignView } from './campaigns.service.ts';

const Params = Type.Object({ campaignId: Type.String({ maxLength: 64 }) });
const AdminCampaignView = Type.Object({ ...CampaignView.properties, admission: AdmissionBody, synthetic: Type.Boolean() });

/** The operator's view and edits of campaigns (creation is `POST /admin/campaigns` in campaigns.routes.ts). */
export const campaignAdminRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  app.get(
    '/api/v1/admin/campaigns',
    {
      onRequest: requireOperator(ctx, ['operator']),
      schema: { tags: ['operator'], response: { 200: Type.Array(AdminCampaignView), ...errorResponses(401, 403) } },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return (await ctx.campaigns.list()).map((c) => ({ ...campaignView(c), admission: c.admission, synthetic: c.synthetic ?? false }));
    },
  );

  app.put(
    '/api/v1/admin/campaigns/:campaignId',
    {
      onRequest: requireOperator(ctx, ['operator']),
      schema: { tags: ['operator'], params: Params, body: CampaignBody, response: { 200: Type.Object({ id: Type.String() }), ...errorResponses(400, 401, 403, 404, 409) } },
    },
    async (request) => {
      const { campaignId } = request.params;
      await updateCampaign(ctx, campaignId, request.body, auditedAs(operatorOf(request), ctx.clock.now(), 'campaign.updated'));
      return { id: campaignId };
    },
  );

  app.put(
    '/api/v1/admin/campaigns/:campaignId/admission',
    {
      onRequest: requireOperator(ctx, ['operator']),
      schema: {
        tags: ['operator'],
        params: Params,
        body: AdmissionBody,
        response: { 200: Type.Object({ before: AdmissionBody, admission: AdmissionBody }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const audit = auditedAs(operatorOf(request), ctx.clock.now(), 'campaign.admission.updated');
      const before = await setAdmissionPolicy(ctx, request.params.campaignId, request.body, audit);
      return { before, admission: request.body };
    },
  );
};
