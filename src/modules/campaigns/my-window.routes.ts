import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { DateString, errorResponses } from '../../http/schemas.ts';
import { checkPlausibleBirthDate } from '../identity/index.ts';
import { myDay } from './domain/my-window.ts';
import { formatSeoul } from '../../lib/seoul-time.ts';
import { isWindowOpen } from './domain/windows.ts';

const MyWindowView = Type.Object({
  campaignId: Type.String(),
  answer: Type.Union([Type.Literal('OPEN_NOW'), Type.Literal('UPCOMING'), Type.Literal('NOT_IN_COHORT'), Type.Literal('CLOSED')]),
  birthDayDigit: Type.Integer(),
  windows: Type.Array(Type.Object({ id: Type.String(), kind: Type.String(), opensAt: Type.String(), closesAt: Type.String(), openNow: Type.Boolean() })),
});

/** "When is my day?" for the landing page: a birth date against the campaign's windows, by the server clock. */
export const myWindowRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  app.get(
    '/api/v1/campaigns/:campaignId/my-window',
    {
      schema: {
        tags: ['public'],
        description: 'The windows in which someone born on birthDate may book (cohort and 10-day rotation; priority lists need sign-in). No credential; nothing is stored.',
        params: Type.Object({ campaignId: Type.String({ maxLength: 64 }) }),
        querystring: Type.Object({ birthDate: DateString }, { additionalProperties: false }),
        response: { 200: MyWindowView, ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      checkPlausibleBirthDate(ctx, request.query.birthDate);
      const campaign = await ctx.campaigns.get(request.params.campaignId);
      const now = ctx.clock.now();
      const day = myDay(campaign, request.query.birthDate, now);
      // The answer changes only when a window opens or closes; a few seconds in a cache is harmless.
      reply.header('cache-control', 'public, max-age=5');
      return {
        campaignId: campaign.id,
        answer: day.answer,
        birthDayDigit: day.birthDayDigit,
        windows: day.windows.map((w) => ({ id: w.id, kind: w.kind, opensAt: formatSeoul(w.opensAt), closesAt: formatSeoul(w.closesAt), openNow: isWindowOpen(w, now) })),
      };
    },
  );
};
