import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../../context.ts';
import { YeyakError } from '../../../errors.ts';
import { errorResponses } from '../../../http/schemas.ts';
import { limitIdentityAttempts } from '../identity-limits.ts';
import { ClaimedIdentityBody, PersonView } from '../identity.schemas.ts';
import { checkPlausibleBirthDate } from '../plausible-birth-date.ts';
import { signIn } from '../sign-in.ts';
import { startChallenge, verifyChallenge } from './one-time-code.ts';

/** Mobile-phone verification by one-time code (API.md "Identity"). */
export const mobileIdentityRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  app.post(
    '/api/v1/identity/mobile/start',
    { schema: { tags: ['identity'], body: ClaimedIdentityBody, response: { 200: Type.Object({ challengeId: Type.String() }), ...errorResponses(400, 429, 503) } } },
    async (request) => {
      checkPlausibleBirthDate(ctx, request.body.birthDate);
      await limitIdentityAttempts(ctx, request, request.body);
      return { challengeId: await startChallenge(ctx, request.body) };
    },
  );

  app.post(
    '/api/v1/identity/mobile/verify',
    {
      schema: {
        tags: ['identity'],
        body: Type.Object({ challengeId: Type.String({ format: 'uuid' }), code: Type.String({ pattern: '^\\d{6}$' }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ session: Type.String(), person: PersonView }), ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      await limitIdentityAttempts(ctx, request);
      const identity = await verifyChallenge(ctx, request.body.challengeId, request.body.code);
      const { session, person } = await signIn(ctx, reply, identity);
      return reply.code(201).send({ session, person });
    },
  );

  // The local gateway stand-in shows the demo user the message a phone would have received.
  // Only with the stand-in and the development provider on (the embedded demo and tests).
  app.get(
    '/api/v1/identity/mobile/dev-inbox/:challengeId',
    {
      schema: {
        tags: ['identity'],
        params: Type.Object({ challengeId: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Object({ code: Type.String() }), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const message = ctx.config.devIdentity ? ctx.messages.byKey?.(`otp:${request.params.challengeId}`) : undefined;
      if (!message?.params.code) throw new YeyakError('YEYAK_ERR_NOT_FOUND');
      reply.header('cache-control', 'no-store');
      return { code: message.params.code };
    },
  );
};
