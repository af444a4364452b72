import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { errorResponses } from '../../http/schemas.ts';
import { personOf, recordOnFirstNeed, requireSession } from '../identity/index.ts';
import { setLocale } from './notifications.repository.ts';

const Language = Type.Object({ language: Type.Union([Type.Literal('ko'), Type.Literal('en')]) }, { additionalProperties: false });

/** The language a person's messages are written in (Korean unless they ask for English). */
export const notificationRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  app.put(
    '/api/v1/me/message-language',
    { onRequest: requireSession(ctx), schema: { tags: ['identity'], body: Language, response: { 200: Language, ...errorResponses(400, 401) } } },
    async (request) => {
      const person = await personOf(ctx, request);
      await recordOnFirstNeed(ctx, person);
      await setLocale(ctx.db, person.personKey, request.body.language);
      return { language: request.body.language };
    },
  );
};
