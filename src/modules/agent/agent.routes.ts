import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { Ctx } from '../../context.ts';
import { DateString, errorResponses, Id, TimeString } from '../../http/schemas.ts';
import { BookingEnvelope, BookingView, IdempotencyHeaders } from '../booking/index.ts';
import { operatorOf, requireOperator } from '../operator/index.ts';
import { bookForPerson, bookingsForPerson, cancelForPerson, recordPhonedInPerson } from './agent.service.ts';

/** A person key (HMAC-SHA256, base64url). */
const PersonId = Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' });

const PhonedInBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 50, pattern: '\\S' }),
    birthDate: DateString,
    phone: Type.String({ pattern: '^01[016789]-?\\d{3,4}-?\\d{4}$' }),
  },
  { additionalProperties: false },
);

const EligibilityView = Type.Object({
  campaignId: Type.String(),
  eligible: Type.Boolean(),
  reason: Type.String(),
  window: Type.Union([Type.Object({ id: Type.String(), opensAt: Type.String(), closesAt: Type.String() }), Type.Null()]),
});

/** The call-centre agent's API: the same booking rules, for a person who phones in. */
export const agentRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const agentsOnly = requireOperator(ctx, ['agent']);

  app.post(
    '/api/v1/agent/identity',
    {
      onRequest: agentsOnly,
      schema: {
        tags: ['agent'],
        body: PhonedInBody,
        response: {
          200: Type.Object({
            personId: PersonId,
            person: Type.Object({ maskedName: Type.String(), birthDate: Type.String() }),
            eligibility: Type.Array(EligibilityView),
          }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => recordPhonedInPerson(ctx, operatorOf(request), request.body),
  );

  app.post(
    '/api/v1/agent/campaigns/:campaignId/bookings',
    {
      onRequest: agentsOnly,
      schema: {
        tags: ['agent'],
        params: Type.Object({ campaignId: Type.String() }),
        headers: IdempotencyHeaders,
        body: Type.Object({ personId: PersonId, institutionId: Id, date: DateString, time: TimeString }, { additionalProperties: false }),
        response: { 201: BookingEnvelope, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const { personId, ...choice } = request.body;
      const result = await bookForPerson(ctx, operatorOf(request), request.params.campaignId, personId, choice, request.headers['idempotency-key']);
      return reply.code(result.statusCode as 201).send(result.body as Static<typeof BookingEnvelope>);
    },
  );

  app.get(
    '/api/v1/agent/persons/:personId/bookings',
    {
      onRequest: agentsOnly,
      schema: { tags: ['agent'], params: Type.Object({ personId: PersonId }), response: { 200: Type.Array(BookingView), ...errorResponses(400, 401, 403, 404) } },
    },
    async (request) => bookingsForPerson(ctx, operatorOf(request), request.params.personId),
  );

  app.post(
    '/api/v1/agent/bookings/:bookingId/cancel',
    {
      onRequest: agentsOnly,
      schema: {
        tags: ['agent'],
        params: Type.Object({ bookingId: Type.String({ format: 'uuid' }) }),
        response: { 200: BookingEnvelope, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => cancelForPerson(ctx, operatorOf(request), request.params.bookingId),
  );
};
