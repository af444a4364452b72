import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../../context.ts';
import { readiness } from './readiness.ts';
import { measureOutboxBacklog } from '../outbox/index.ts';
import { logHashing } from '../transparency/index.ts';
import { wasShed } from '../../http/load-shedding.ts';

/** Several Prometheus servers (or a scrape every second) read the outbox's backlog at most this often. */
const OUTBOX_READ_INTERVAL_MS = 5000;

/** `work`, run at most once per `intervalMs`; calls in between share the last run. */
function scrapeAtMostEvery(intervalMs: number, work: () => Promise<void>): () => Promise<void> {
  let last: { at: number; run: Promise<void> } | null = null;
  return () => {
    const now = performance.now();
    if (last === null || now - last.at >= intervalMs) last = { at: now, run: work() };
    return last.run;
  };
}

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
      if (reply.statusCode === 201 && campaignId) ctx.waitingRoom.bookingPath.countBooking(campaignId, ctx.clock.now().getTime());
    }
  });

  let hashingFallbacksCounted = 0;
  const readOutbox = scrapeAtMostEvery(OUTBOX_READ_INTERVAL_MS, () => measureOutboxBacklog(ctx));
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    for (const campaign of await ctx.campaigns.list()) {
      const age = ctx.waitingRoom.snapshotAgeSeconds(campaign.id);
      if (age !== null) ctx.metrics.queueSnapshotAge.set({ campaign: campaign.id }, age);
    }
    ctx.metrics.ready.set((await readiness(ctx)).ready ? 1 : 0);
    // The hashing thread is the process's; each app's registry adds what it has not counted yet.
    ctx.metrics.queueLogHashingFallbacks.inc(logHashing.fallbackBatches - hashingFallbacksCounted);
    hashingFallbacksCounted = logHashing.fallbackBatches;
    // A database that cannot answer leaves the last figures (readiness says it is gone).
    await readOutbox().catch(() => undefined);
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
