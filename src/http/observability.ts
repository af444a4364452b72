import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../context.ts';
import { wasShed } from './load-shedding.ts';

/** The routes whose latency and errors are "the booking path" (the adaptive controller watches them). */
const BOOKING_PATH = new Set([
  '/api/v1/campaigns/:campaignId/institutions',
  '/api/v1/campaigns/:campaignId/institutions/:institutionId/slots',
  '/api/v1/campaigns/:campaignId/bookings',
  '/api/v1/bookings/:bookingId/change',
]);

/**
 * Measures the booking path (Prometheus histogram + this node's health window) and serves
 * `GET /metrics` for Prometheus on the main port.
 */
export function installObservability(app: FastifyInstance, ctx: Ctx): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route === undefined || !BOOKING_PATH.has(route)) return;
    const seconds = reply.elapsedTime / 1000;
    ctx.metrics.bookingPath.observe({ route, status: `${Math.floor(reply.statusCode / 100)}xx` }, seconds);
    // A request shed at the front door did no work on the path: it is the node's saturation, not the path's failure.
    if (!wasShed(request)) ctx.waitingRoom.bookingPath.record(ctx.clock.now().getTime(), reply.elapsedTime, reply.statusCode >= 500);
    if (route === '/api/v1/campaigns/:campaignId/bookings') {
      ctx.metrics.bookings.inc({ result: reply.statusCode === 201 ? 'booked' : reply.statusCode >= 500 ? 'error' : 'refused' });
      const { campaignId } = request.params as { campaignId?: string };
      if (reply.statusCode === 201 && campaignId) ctx.waitingRoom.bookingPath.countBooking(campaignId);
    }
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    for (const campaign of await ctx.campaigns.list()) {
      const age = ctx.waitingRoom.snapshotAgeSeconds(campaign.id);
      if (age !== null) ctx.metrics.queueSnapshotAge.set({ campaign: campaign.id }, age);
    }
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
