import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { DateString, errorResponses } from '../../http/schemas.ts';
import { checkPlausibleBirthDate, PersonView } from '../identity/index.ts';
import { operatorOf, requireOperator } from '../operator/index.ts';
import { checkProbeKey } from './probe-credential.ts';
import { listSyntheticPersons } from './synthetic-persons.repository.ts';
import { registerSyntheticPersons, signInSynthetic } from './synthetic-persons.ts';

const Label = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,31}$', description: 'A synthetic person\'s name: lower-case letters, digits and "-", up to 32' });
const SyntheticIdentity = Type.Object({ label: Label, birthDate: DateString }, { additionalProperties: false });

/** The synthetic probe's door (its credential, `YEYAK_PROBE_KEY`) and the operator's registry of its persons. */
export const probeRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  app.post(
    '/api/v1/identity/probe',
    {
      // The credential is checked before the body is read: 404 while no probe key is configured.
      onRequest: async (request) => checkProbeKey(ctx, request),
      schema: {
        tags: ['identity'],
        description: 'The synthetic probe signs in as one of the synthetic persons an operator registered (`Authorization: Bearer <YEYAK_PROBE_KEY>`). Never a citizen.',
        body: Type.Object({ label: Label }, { additionalProperties: false }),
        response: { 201: Type.Object({ session: Type.String(), person: PersonView }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { session, person } = await signInSynthetic(ctx, reply, request.body.label);
      return reply.code(201).send({ session, person });
    },
  );

  app.post(
    '/api/v1/admin/probe/identities',
    {
      onRequest: requireOperator(ctx, ['operator']),
      schema: {
        tags: ['operator'],
        description: "Registers the probe's synthetic persons (or moves one's birth date); audited.",
        body: Type.Object({ identities: Type.Array(SyntheticIdentity, { minItems: 1, maxItems: 200 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ registered: Type.Integer() }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      for (const identity of request.body.identities) checkPlausibleBirthDate(ctx, identity.birthDate);
      return { registered: await registerSyntheticPersons(ctx, operatorOf(request), request.body.identities) };
    },
  );

  app.get(
    '/api/v1/admin/probe/identities',
    {
      onRequest: requireOperator(ctx, ['operator']),
      schema: { tags: ['operator'], response: { 200: Type.Array(Type.Object({ label: Type.String(), birthDate: Type.String() })), ...errorResponses(401, 403) } },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return listSyntheticPersons(ctx.db);
    },
  );
};
