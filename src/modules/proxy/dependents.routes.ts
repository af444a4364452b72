import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { errorResponses } from '../../http/schemas.ts';
import { checkPlausibleBirthDate, ClaimedIdentityBody, personOf, requireSession } from '../identity/index.ts';
import { addDependent, listDependents, RELATIONSHIPS } from './dependents.ts';

const DependentView = Type.Object({ id: Type.String(), maskedName: Type.String(), birthDate: Type.String(), relationship: Type.String() });

/** A verified adult's dependents, for proxy booking where a campaign allows it. */
export const dependentRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  app.post(
    '/api/v1/me/dependents',
    {
      onRequest: requireSession(ctx),
      schema: {
        tags: ['identity'],
        body: Type.Object(
          { ...ClaimedIdentityBody.properties, relationship: Type.Union(RELATIONSHIPS.map((r) => Type.Literal(r))) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ dependent: DependentView }), ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      checkPlausibleBirthDate(ctx, request.body.birthDate);
      const guardian = await personOf(ctx, request);
      return reply.code(201).send({ dependent: await addDependent(ctx, guardian, request.body) });
    },
  );

  app.get(
    '/api/v1/me/dependents',
    { onRequest: requireSession(ctx), schema: { tags: ['identity'], response: { 200: Type.Array(DependentView), ...errorResponses(401) } } },
    async (request) => listDependents(ctx, (await personOf(ctx, request)).personKey),
  );
};
