import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { Ctx } from '../../context.ts';
import { errorResponses } from '../../http/schemas.ts';
import { personOf, requireSession } from '../identity/session-auth.ts';
import { requireBookingAccess } from './booking-access.ts';
import { BookingEnvelope, BookingView, IdempotencyHeaders, SlotChoiceBody } from './booking.schemas.ts';
import { cancelBooking, changeBooking, createBooking } from './booking.service.ts';
import { bookingsOfPerson } from './bookings.repository.ts';
import { bookingView } from './booking.view.ts';
import { YeyakError } from '../../errors.ts';

const BookingParams = Type.Object({ bookingId: Type.String({ format: 'uuid' }) });

/** Creating, listing, cancelling and changing bookings. */
export const bookingRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const gate = requireBookingAccess(ctx);

  app.post(
    '/api/v1/campaigns/:campaignId/bookings',
    {
      onRequest: gate,
      schema: {
        tags: ['booking'],
        params: Type.Object({ campaignId: Type.String() }),
        headers: IdempotencyHeaders,
        body: SlotChoiceBody,
        response: { 201: BookingEnvelope, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const campaign = await ctx.campaigns.get(request.params.campaignId);
      const person = await personOf(ctx, request);
      const result = await createBooking(ctx, campaign, person, request.body, request.headers['idempotency-key']);
      // Only successes are stored under an Idempotency-Key, so a replay is the same 201 and body.
      return reply.code(result.statusCode as 201).send(result.body as Static<typeof BookingEnvelope>);
    },
  );

  app.get(
    '/api/v1/bookings',
    { onRequest: requireSession(ctx), schema: { tags: ['booking'], response: { 200: Type.Array(BookingView), ...errorResponses(401) } } },
    async (request) => {
      const person = await personOf(ctx, request);
      const bookings = await bookingsOfPerson(ctx.db, person.personKey);
      return bookings.map((b) => bookingView(b, person.maskedName));
    },
  );

  /** The booking's campaign, or 404 when the booking is not this person's. */
  async function ownCampaign(personKey: string, bookingId: string) {
    const own = (await bookingsOfPerson(ctx.db, personKey)).find((b) => b.id === bookingId);
    if (!own) throw new YeyakError('YEYAK_ERR_BOOKING_NOT_FOUND');
    return ctx.campaigns.get(own.campaignId);
  }

  app.post(
    '/api/v1/bookings/:bookingId/cancel',
    {
      onRequest: requireSession(ctx),
      schema: { tags: ['booking'], params: BookingParams, response: { 200: BookingEnvelope, ...errorResponses(400, 401, 403, 404, 409) } },
    },
    async (request) => {
      const person = await personOf(ctx, request);
      const campaign = await ownCampaign(person.personKey, request.params.bookingId);
      return cancelBooking(ctx, campaign, person, request.params.bookingId);
    },
  );

  app.post(
    '/api/v1/bookings/:bookingId/change',
    {
      onRequest: gate,
      schema: { tags: ['booking'], params: BookingParams, body: SlotChoiceBody, response: { 200: BookingEnvelope, ...errorResponses(400, 401, 403, 404, 409) } },
    },
    async (request) => {
      const person = await personOf(ctx, request);
      const campaign = await ownCampaign(person.personKey, request.params.bookingId);
      return changeBooking(ctx, campaign, person, request.params.bookingId, request.body);
    },
  );
};
