import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { onBookingPool, type Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { errorResponses } from '../../http/schemas.ts';
import { maskedNamesOf, personOf, type PersonRecord, recordedPerson, requireSession } from '../identity/index.ts';
import { dependentFor, managedPersonKeys } from '../proxy/index.ts';
import { admissionFor, requireBookingAccess } from '../waiting-room/index.ts';
import { BookingEnvelope, BookingView, IdempotencyHeaders, SlotChoiceBody } from './booking.schemas.ts';
import { cancelBooking, changeBooking, createBooking } from './booking.service.ts';
import { bookingView } from './booking.view.ts';
import { bookingsOfPersons, findBooking } from './bookings.repository.ts';
import { servedFromPool } from '../../http/load-shedding.ts';

const BookingParams = Type.Object({ bookingId: Type.String({ format: 'uuid' }) });
const NewBookingBody = Type.Object(
  { ...SlotChoiceBody.properties, dependentId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
  { additionalProperties: false },
);

/** Creating, listing, cancelling and changing bookings (one's own, or a dependent's by proxy). */
export const bookingRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, options) => {
  // Served from the booking path's own pool: its queue refuses these routes, the main pool's does not (load-shedding.ts).
  servedFromPool(app, 'booking');
  const ctx = onBookingPool(options.ctx);
  const gate = requireBookingAccess(ctx);

  app.post(
    '/api/v1/campaigns/:campaignId/bookings',
    {
      onRequest: gate,
      schema: {
        tags: ['booking'],
        params: Type.Object({ campaignId: Type.String() }),
        headers: IdempotencyHeaders,
        body: NewBookingBody,
        response: { 201: BookingEnvelope, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const campaign = await ctx.campaigns.get(request.params.campaignId);
      const person = await personOf(ctx, request);
      const { dependentId, ...choice } = request.body;
      // The admission names whose booking it is: the person's own, or (by proxy) the dependent's.
      if ((dependentId ?? person.personKey) !== admissionFor(request, campaign.id).personKey) throw new YeyakError('YEYAK_ERR_ADMISSION_MISMATCH');
      const subject = dependentId === undefined ? person : await dependentFor(ctx, campaign, person.personKey, dependentId);
      const bookedBy = dependentId === undefined ? undefined : `guardian:${person.personKey}`;
      const result = await createBooking(ctx, campaign, subject, choice, request.headers['idempotency-key'], bookedBy);
      // Booked: the admission's place under the active cap frees up for the next person.
      await ctx.waitingRoom.admissionUsed(campaign.id, subject.personKey);
      // Only successes are stored under an Idempotency-Key, so a replay is the same 201 and body.
      return reply.code(result.statusCode as 201).send(result.body as Static<typeof BookingEnvelope>);
    },
  );

  app.get(
    '/api/v1/bookings',
    { onRequest: requireSession(ctx), schema: { tags: ['booking'], response: { 200: Type.Array(BookingView), ...errorResponses(401) } } },
    async (request) => {
      const person = await personOf(ctx, request);
      const keys = await managedPersonKeys(ctx, person.personKey);
      const bookings = await bookingsOfPersons(ctx.db, keys);
      const names = keys.length > 1 ? await maskedNamesOf(ctx, keys.slice(1)) : new Map<string, string>();
      names.set(person.personKey, person.maskedName);
      return bookings.map((b) => bookingView(b, names.get(b.personKey) ?? '*'));
    },
  );

  /** The booking's campaign and person, when it is the requester's or a dependent's; else 404. */
  async function managedBooking(request: FastifyRequest, bookingId: string): Promise<{ subject: PersonRecord; campaignId: string }> {
    const person = await personOf(ctx, request);
    const booking = await findBooking(ctx.db, bookingId);
    const keys = booking ? await managedPersonKeys(ctx, person.personKey) : [];
    const subject = booking && keys.includes(booking.personKey) ? await recordedPerson(ctx, booking.personKey) : undefined;
    if (!booking || !subject) throw new YeyakError('YEYAK_ERR_BOOKING_NOT_FOUND');
    return { subject, campaignId: booking.campaignId };
  }

  app.post(
    '/api/v1/bookings/:bookingId/cancel',
    {
      onRequest: requireSession(ctx),
      schema: { tags: ['booking'], params: BookingParams, response: { 200: BookingEnvelope, ...errorResponses(400, 401, 403, 404, 409) } },
    },
    async (request) => {
      const { subject, campaignId } = await managedBooking(request, request.params.bookingId);
      return cancelBooking(ctx, await ctx.campaigns.get(campaignId), subject, request.params.bookingId);
    },
  );

  app.post(
    '/api/v1/bookings/:bookingId/change',
    {
      onRequest: gate,
      schema: { tags: ['booking'], params: BookingParams, body: SlotChoiceBody, response: { 200: BookingEnvelope, ...errorResponses(400, 401, 403, 404, 409) } },
    },
    async (request) => {
      const { subject, campaignId } = await managedBooking(request, request.params.bookingId);
      if (admissionFor(request, campaignId).personKey !== subject.personKey) throw new YeyakError('YEYAK_ERR_ADMISSION_MISMATCH');
      return changeBooking(ctx, await ctx.campaigns.get(campaignId), subject, request.params.bookingId, request.body);
    },
  );
};
