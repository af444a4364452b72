import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { DateString, errorResponses } from '../../http/schemas.ts';
import { evaluateEligibility } from '../eligibility/domain/eligibility.ts';
import { formatSeoul, seoulDate } from '../campaigns/domain/seoul-time.ts';
import { bookingsOfPerson } from '../booking/bookings.repository.ts';
import { bookingView } from '../booking/booking.view.ts';
import { BookingView } from '../booking/booking.schemas.ts';
import { devConnectingInformation } from './person-key.ts';
import { signIn } from './sign-in.ts';
import { personOf, requireSession, SESSION_COOKIE } from './session-auth.ts';

const PersonView = Type.Object({ maskedName: Type.String(), birthDate: Type.String() });
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
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 50, pattern: '\\S' }),
            birthDate: DateString,
            phone: Type.String({ pattern: '^01[016789]-?\\d{3,4}-?\\d{4}$' }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ session: Type.String(), person: PersonView }), ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const { name, birthDate, phone } = request.body;
      if (birthDate > seoulDate(ctx.clock.now()) || birthDate < '1900-01-01') {
        throw new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems: ['birthDate is not a plausible birth date'] } });
      }
      const { session, person } = await signIn(ctx, reply, { ci: devConnectingInformation(name, birthDate, phone), name, birthDate, sex: null, phone });
      return reply.code(201).send({ session, person });
    },
  );

  app.post('/api/v1/identity/logout', { schema: { tags: ['identity'] } }, async (_request, reply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get(
    '/api/v1/me',
    { onRequest: requireSession(ctx), schema: { tags: ['identity'], response: { 200: MeView, ...errorResponses(401) } } },
    async (request) => {
      const person = await personOf(ctx, request);
      const now = ctx.clock.now();
      const campaigns = await ctx.campaigns.list();
      const bookings = await bookingsOfPerson(ctx.db, person.personKey);
      return {
        person: { maskedName: person.maskedName, birthDate: person.birthDate },
        eligibility: campaigns.map((campaign) => {
          const e = evaluateEligibility({ campaign, birthDate: person.birthDate, now });
          return {
            campaignId: campaign.id,
            eligible: e.eligible,
            reason: e.reason,
            window: e.window && { id: e.window.id, opensAt: formatSeoul(e.window.opensAt), closesAt: formatSeoul(e.window.closesAt) },
          };
        }),
        bookings: bookings.map((b) => bookingView(b, person.maskedName)),
      };
    },
  );
};
