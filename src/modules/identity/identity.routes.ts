import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { errorResponses } from '../../http/schemas.ts';
import { eligibilityOf, eligibilityView } from '../eligibility/eligibility.service.ts';
import { bookingsOfPerson } from '../booking/bookings.repository.ts';
import { bookingView } from '../booking/booking.view.ts';
import { BookingView } from '../booking/booking.schemas.ts';
import { devConnectingInformation } from './person-key.ts';
import { signIn } from './sign-in.ts';
import { ClaimedIdentityBody, PersonView } from './identity.schemas.ts';
import { limitIdentityAttempts } from './identity-limits.ts';
import { checkPlausibleBirthDate } from './plausible-birth-date.ts';
import { personOf, requireSession, SESSION_COOKIE } from './session-auth.ts';

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

/** The development identity provider, logout and the person's own page. */
export const identityRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  app.post(
    '/api/v1/identity/dev',
    {
      // Switched off: 404 before the body is even read.
      onRequest: async () => {
        if (!ctx.config.devIdentity) throw new YeyakError('YEYAK_ERR_DEV_IDENTITY_DISABLED');
      },
      schema: {
        tags: ['identity'],
        body: ClaimedIdentityBody,
        response: { 201: Type.Object({ session: Type.String(), person: PersonView }), ...errorResponses(400, 404, 429) },
      },
    },
    async (request, reply) => {
      const { name, birthDate, phone } = request.body;
      checkPlausibleBirthDate(ctx, birthDate);
      await limitIdentityAttempts(ctx, request, request.body);
      const { session, person } = await signIn(ctx, reply, { ci: devConnectingInformation(name, birthDate, phone), name, birthDate, sex: null, phone });
      return reply.code(201).send({ session, person });
    },
  );

  app.post('/api/v1/identity/logout', { schema: { tags: ['identity'], response: { 204: Type.Null({ description: 'The session cookie is cleared.' }) } } }, async (_request, reply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send(null);
  });

  app.get(
    '/api/v1/me',
    { onRequest: requireSession(ctx), schema: { tags: ['identity'], response: { 200: MeView, ...errorResponses(401) } } },
    async (request) => {
      const person = await personOf(ctx, request);
      const campaigns = await ctx.campaigns.listFor(person);
      const bookings = await bookingsOfPerson(ctx.db, person.personKey);
      return {
        person: { maskedName: person.maskedName, birthDate: person.birthDate },
        eligibility: await Promise.all(campaigns.map(async (c) => eligibilityView(c.id, await eligibilityOf(ctx, c, person)))),
        bookings: bookings.map((b) => bookingView(b, person.maskedName)),
      };
    },
  );
};
