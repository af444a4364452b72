import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { errorResponses, Id } from '../../http/schemas.ts';
import { IdempotencyHeaders } from '../booking/index.ts';
import { personOf, requireSession } from '../identity/index.ts';
import { alertClinics, bookLeftover, leftoversNear, MAX_ALERT_CLINICS, myLeftoverBookings, setAlertClinics } from './leftover.service.ts';

const NEAR = /^(-?\d{1,2}(?:\.\d+)?),(-?\d{1,3}(?:\.\d+)?)$/;

const LeftoverBooking = Type.Object({ id: Type.String(), offerId: Type.String(), institutionId: Type.String(), vaccine: Type.String(), date: Type.String(), status: Type.String(), createdAt: Type.String() });
const LeftoverBookingEnvelope = Type.Object({ leftoverBooking: LeftoverBooking });
const AlertClinics = Type.Object({ institutionIds: Type.Array(Type.String()) });

function parseNear(near: string): { lat: number; lng: number } {
  const m = NEAR.exec(near);
  const lat = Number(m?.[1]);
  const lng = Number(m?.[2]);
  if (!m || Math.abs(lat) > 90 || Math.abs(lng) > 180) throw new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems: ['near must be lat,lng'] } });
  return { lat, lng };
}

/** Leftover doses for citizens (session): today's offers near a point, booking one for oneself, alert clinics. */
export const leftoverRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const session = requireSession(ctx);

  app.get(
    '/api/v1/leftovers',
    {
      onRequest: session,
      schema: {
        tags: ['leftover'],
        querystring: Type.Object({
          near: Type.String({ maxLength: 40, description: 'lat,lng' }),
          radiusKm: Type.Number({ minimum: 0.1, maximum: 50, default: 5 }),
          limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
        }),
        response: {
          200: Type.Object({
            date: Type.String(),
            items: Type.Array(Type.Object({ offerId: Type.String(), institutionId: Type.String(), name: Type.String(), address: Type.String(), lat: Type.Number(), lng: Type.Number(), vaccine: Type.String(), remaining: Type.Integer(), distanceKm: Type.Number() })),
          }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) => leftoversNear(ctx, { ...parseNear(request.query.near), radiusKm: request.query.radiusKm }, request.query.limit),
  );

  app.post(
    '/api/v1/leftovers/:offerId/bookings',
    {
      onRequest: session,
      schema: {
        tags: ['leftover'],
        params: Type.Object({ offerId: Type.String({ format: 'uuid' }) }),
        headers: IdempotencyHeaders,
        response: { 201: LeftoverBookingEnvelope, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      // No body, or an empty one: a leftover dose is booked for oneself only (no proxy, no dependentId).
      if (request.body !== undefined && request.body !== null && (typeof request.body !== 'object' || Object.keys(request.body).length > 0)) {
        throw new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems: ['leftover doses are booked for oneself: send no body'] } });
      }
      const result = await bookLeftover(ctx, await personOf(ctx, request), request.params.offerId, request.headers['idempotency-key']);
      // Only successes are stored under an Idempotency-Key, so a replay is the same 201 and body.
      return reply.code(result.statusCode as 201).send(result.body as Static<typeof LeftoverBookingEnvelope>);
    },
  );

  app.get(
    '/api/v1/me/leftover-bookings',
    { onRequest: session, schema: { tags: ['leftover'], response: { 200: Type.Array(Type.Object({ ...LeftoverBooking.properties, institutionName: Type.String() })), ...errorResponses(401) } } },
    async (request) => myLeftoverBookings(ctx, await personOf(ctx, request)),
  );

  app.get(
    '/api/v1/me/leftover-alerts',
    { onRequest: session, schema: { tags: ['leftover'], response: { 200: AlertClinics, ...errorResponses(401) } } },
    async (request) => alertClinics(ctx, await personOf(ctx, request)),
  );

  app.put(
    '/api/v1/me/leftover-alerts',
    {
      onRequest: session,
      schema: {
        tags: ['leftover'],
        // The limit is checked in the service too, with its own error code; the schema allows one more so that code is reachable.
        body: Type.Object({ institutionIds: Type.Array(Id, { maxItems: MAX_ALERT_CLINICS + 5 }) }, { additionalProperties: false }),
        response: { 200: AlertClinics, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => setAlertClinics(ctx, await personOf(ctx, request), request.body.institutionIds),
  );
};
