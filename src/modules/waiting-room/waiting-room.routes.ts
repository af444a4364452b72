import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { credential } from '../../http/credential-docs.ts';
import { errorResponses, NotAdmittedYetBody } from '../../http/schemas.ts';
import { personOf, requireSession } from '../identity/index.ts';
import { dependentFor } from '../proxy/index.ts';
import { QueueStatusSchema } from './queue-status.schema.ts';
import { ticketClearCookie, ticketOf, ticketSetCookie, TICKET_COOKIE } from './credentials.ts';
import { admit, leave, standing, stateOf } from './progress.ts';
import { joinAnswer, sealedFacts, takePlace } from './take-place.ts';
import { servedFromPool } from '../../http/load-shedding.ts';

const Params = Type.Object({ campaignId: Type.String({ maxLength: 64 }) });
const EtaView = Type.Object({ p50Seconds: Type.Union([Type.Integer(), Type.Null()]), p90Seconds: Type.Union([Type.Integer(), Type.Null()]) });

const JoinAnswerSchema = Type.Object({
  ticket: Type.String(),
  position: Type.Union([Type.Integer(), Type.Null()]),
  state: Type.String(),
  /** The place's leaf index in the campaign's public log (docs/transparency.md); null until the log holds it, or when no log is kept. */
  leafIndex: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
});
const JoinBody = Type.Object({ dependentId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }, { additionalProperties: false });

/** The body is optional (most people queue for themselves); when sent it must be `{dependentId?}`. */
function optionalDependent(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (!Value.Check(JoinBody, body)) throw new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems: ['body must be {"dependentId"?: string}'] } });
  return body.dependentId;
}

/** The waiting room: the shared status, tickets (places) and admissions (API.md "Waiting room"). */
export const waitingRoomRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  // Needs no pool's connection, or rarely one: no pool's queue refuses these routes (load-shedding.ts).
  servedFromPool(app, 'none');
  const room = ctx.waitingRoom;

  app.get(
    '/api/v1/campaigns/:campaignId/queue',
    // The document is serialised once per refresh and sent as it is: the schema describes it for
    // openapi.json (Unsafe: the handler sends the string), it does not serialise it again.
    { schema: { tags: ['waiting-room'], params: Params, response: { 200: Type.Unsafe<string>(QueueStatusSchema), ...errorResponses(404) } } },
    async (request, reply) => {
      const campaign = await ctx.campaigns.get(request.params.campaignId);
      const board = await room.board(campaign);
      // One document for everyone, from this node's memory: a CDN may serve it for a second.
      return reply.header('cache-control', 'public, max-age=1').type('application/json; charset=utf-8').serializer((body: string) => body).send(board.body);
    },
  );

  app.post(
    '/api/v1/campaigns/:campaignId/queue/tickets',
    {
      onRequest: requireSession(ctx),
      schema: {
        tags: ['waiting-room'],
        params: Params,
        optionalBody: JoinBody,
        response: {
          200: JoinAnswerSchema,
          201: JoinAnswerSchema,
          ...errorResponses(401, 403, 404, 425, 503),
        },
      },
    },
    async (request, reply) => {
      const campaign = await ctx.campaigns.get(request.params.campaignId);
      const actor = await personOf(ctx, request);
      // A guardian queues for a dependent where the campaign allows proxies: the place is the dependent's.
      const dependentId = optionalDependent(request.body);
      const person = dependentId === undefined ? actor : await dependentFor(ctx, campaign, actor.personKey, dependentId);
      const placeRequest = {
        campaign,
        person,
        by: person === actor ? null : actor.personKey,
        sealed: person === actor ? sealedFacts(request.session, campaign.id) : null,
        // One's own session seal rides on in the ticket and the admission: booking then reads no person.
        personSeal: person === actor ? request.session?.seal : undefined,
        ticketCookie: request.cookies?.[TICKET_COOKIE],
      };
      const taken = await takePlace(ctx, room, placeRequest);
      reply.header('set-cookie', ticketSetCookie(ctx, campaign.id, taken.ticket));
      return reply.code(taken.created ? 201 : 200).send(await joinAnswer(ctx, placeRequest, taken));
    },
  );

  app.get(
    '/api/v1/campaigns/:campaignId/queue/tickets/me',
    {
      schema: {
        tags: ['waiting-room'],
        security: credential('ticket'),
        params: Params,
        response: {
          200: Type.Object({
            position: Type.Union([Type.Integer(), Type.Null()]),
            ahead: Type.Union([Type.Integer(), Type.Null()]),
            admitted: Type.Boolean(),
            eta: EtaView,
            state: Type.String(),
            // As in the status document: every dose booked, the place kept, no wait promised (eta null).
            soldOut: Type.Boolean(),
          }),
          ...errorResponses(401, 403, 404, 410, 503),
        },
      },
    },
    async (request) => {
      const campaign = await ctx.campaigns.get(request.params.campaignId);
      const ticket = await ticketOf(ctx, request, campaign.id);
      const s = await standing(room, campaign, ticket.personKey, ticket.position);
      return { position: s.position, ahead: s.ahead, admitted: s.admitted, eta: s.eta, state: stateOf(s), soldOut: s.status.soldOut };
    },
  );

  // Leaving the queue (docs/api-extensions.md): the place is given up for good; a join later is a new place at the back.
  app.delete(
    '/api/v1/campaigns/:campaignId/queue/tickets/me',
    {
      schema: {
        tags: ['waiting-room'],
        security: credential('ticket'),
        params: Params,
        response: { 200: Type.Object({ left: Type.Literal(true), position: Type.Integer() }), ...errorResponses(401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const campaign = await ctx.campaigns.get(request.params.campaignId);
      const ticket = await ticketOf(ctx, request, campaign.id);
      const position = await leave(ctx, campaign, ticket);
      reply.header('set-cookie', ticketClearCookie(ctx, campaign.id));
      return { left: true as const, position };
    },
  );

  app.post(
    '/api/v1/campaigns/:campaignId/admissions',
    {
      schema: {
        tags: ['waiting-room'],
        security: credential('ticket'),
        params: Params,
        response: { 201: Type.Object({ admission: Type.String(), expiresAt: Type.String() }), ...errorResponses(401, 403, 404, 410, 503), 425: NotAdmittedYetBody },
      },
    },
    async (request, reply) => {
      const campaign = await ctx.campaigns.get(request.params.campaignId);
      const ticket = await ticketOf(ctx, request, campaign.id);
      return reply.code(201).send(await admit(ctx, reply, campaign, ticket));
    },
  );
};
