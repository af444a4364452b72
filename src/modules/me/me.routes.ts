import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { errorResponses } from '../../http/schemas.ts';
import { bookingsOf, BookingView } from '../booking/index.ts';
import { eligibilityOf, eligibilityView } from '../eligibility/index.ts';
import { personOf, PersonView, requireSession } from '../identity/index.ts';

const MeView = Type.Object({
  person: PersonView,
  eligibility: Type.Array(
    Type.Object({
      campaignId: Type.String(),
      eligible: Type.Boolean(),
      reason: Type.String(),
      window: Type.Union([Type.Object({ id: Type.String(), opensAt: Type.String(), closesAt: Type.String() }), Type.Null()]),
    }),
  ),
  bookings: Type.Array(BookingView),
});

/**
 * The person's own page, `GET /api/v1/me`: who they are, what they may book in each campaign
 * and their bookings. It reads identity, eligibility and booking, so it stands above all three.
 */
export const meRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  app.get(
    '/api/v1/me',
    { onRequest: requireSession(ctx), schema: { tags: ['identity'], response: { 200: MeView, ...errorResponses(401) } } },
    async (request) => {
      const person = await personOf(ctx, request);
      const campaigns = await ctx.campaigns.listFor(person);
      const bookings = await bookingsOf(ctx, person);
      return {
        person: { maskedName: person.maskedName, birthDate: person.birthDate },
        eligibility: await Promise.all(campaigns.map(async (c) => eligibilityView(c.id, await eligibilityOf(ctx, c, person)))),
        bookings,
      };
    },
  );
};
