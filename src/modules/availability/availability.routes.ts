import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { onBookingPool, type Ctx } from '../../context.ts';
import { DateString, errorResponses } from '../../http/schemas.ts';
import { requireBookingAccess } from '../waiting-room/index.ts';
import { personOf } from '../identity/index.ts';
import { listSlots, searchInstitutions } from './availability.service.ts';
import { servedFromPool } from '../../http/load-shedding.ts';

const InstitutionItem = Type.Object({
  id: Type.String(),
  name: Type.String(),
  address: Type.String(),
  sido: Type.String(),
  sigungu: Type.String(),
  lat: Type.Number(),
  lng: Type.Number(),
  distanceKm: Type.Union([Type.Number(), Type.Null()]),
  dates: Type.Array(Type.Object({ date: Type.String(), remaining: Type.Integer() })),
});

/** Clinic search and slot listing: scarce data, so behind the booking gate. */
export const availabilityRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, options) => {
  // Served from the booking path's own pool: its queue refuses these routes, the main pool's does not (load-shedding.ts).
  servedFromPool(app, 'booking');
  const ctx = onBookingPool(options.ctx);
  const gate = requireBookingAccess(ctx);

  app.get(
    '/api/v1/campaigns/:campaignId/institutions',
    {
      onRequest: gate,
      schema: {
        tags: ['booking'],
        params: Type.Object({ campaignId: Type.String() }),
        querystring: Type.Object(
          {
            sido: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
            sigungu: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
            near: Type.Optional(Type.String({ maxLength: 40 })),
            radiusKm: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })),
            date: Type.Optional(DateString),
            cursor: Type.Optional(Type.String({ maxLength: 400 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(InstitutionItem), next: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const campaign = await ctx.campaigns.get(request.params.campaignId);
      const person = await personOf(ctx, request);
      return searchInstitutions(ctx, campaign, person.birthDate, request.query);
    },
  );

  app.get(
    '/api/v1/campaigns/:campaignId/institutions/:institutionId/slots',
    {
      onRequest: gate,
      schema: {
        tags: ['booking'],
        params: Type.Object({ campaignId: Type.String(), institutionId: Type.String() }),
        querystring: Type.Object({ from: Type.Optional(DateString), to: Type.Optional(DateString) }, { additionalProperties: false }),
        response: { 200: Type.Array(Type.Object({ date: Type.String(), time: Type.String(), remaining: Type.Integer() })), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const campaign = await ctx.campaigns.get(request.params.campaignId);
      const person = await personOf(ctx, request);
      return listSlots(ctx, campaign, person.birthDate, request.params.institutionId, request.query);
    },
  );
};
