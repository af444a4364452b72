import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { errorResponses } from '../../http/schemas.ts';
import { devConnectingInformation } from './person-key.ts';
import { signIn } from './sign-in.ts';
import { ClaimedIdentityBody, PersonView } from './identity.schemas.ts';
import { limitIdentityAttempts } from './identity-limits.ts';
import { checkPlausibleBirthDate } from './plausible-birth-date.ts';
import { SESSION_COOKIE } from './session-auth.ts';

/** The development identity provider and logout. */
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
};
