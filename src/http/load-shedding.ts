import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Ctx } from '../context.ts';
import { YeyakError } from '../errors.ts';
import { sendError } from './error-handler.ts';

/** Paths never shed: liveness, readiness and metrics stay answerable (openapi.json leaves their 503 to their own schemas). */
export const NEVER_SHED: ReadonlySet<string> = new Set(['/api/v1/health', '/api/v1/ready', '/metrics']);

/** Route config of the routes `servedWhileMainPoolWaits` marks. */
interface MainPoolFree {
  servedWhileMainPoolWaits?: boolean;
}

/**
 * Marks every route of the calling plugin as one that goes on being served while the main
 * database pool is saturated: it needs no connection of that pool, or rarely one (the waiting room
 * reads the queue store; a pre-queue holder's place in the public log is looked up in batches, and
 * a priority list only for a campaign that has one; the booking path has a pool of its own), so
 * refusing it would not shorten the queue.
 */
export function servedWhileMainPoolWaits(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object), servedWhileMainPoolWaits: true } as typeof route.config;
  });
}

/** Operators are few, and what they do in an overload (pause, capacity) matters most. */
const servedWhileMainPoolWaitsByPath = (url: string) => url.startsWith('/api/v1/admin/');

function needsMainPool(request: FastifyRequest): boolean {
  return !(request.routeOptions.config as MainPoolFree).servedWhileMainPoolWaits && !servedWhileMainPoolWaitsByPath(request.url);
}

const shed = new WeakSet<FastifyRequest>();

/**
 * Whether the front door answered this request 503 without doing its work. Such an answer says
 * the node is saturated, not that the route failed: the admission controller does not count it as
 * the booking path's error (the node's own queue is shedding's to answer, not the queue's).
 */
export function wasShed(request: FastifyRequest): boolean {
  return shed.has(request);
}

/**
 * Load shedding at the front door (BRIEF §4.1): when the process is saturated (`ctx.pressure`: its
 * event loop behind over a whole window, its heap near the limit, too many requests queued for a
 * database connection), every request is answered 503 with Retry-After in seconds in its first
 * hook, before parsing or any work, so the node recovers instead of collapsing. When only the main
 * database pool is saturated (its wait sustained over a window), only the requests that need it
 * are refused: the waiting room and the booking path go on. Below saturation it never sheds — not
 * while starting, not after one slow request. Liveness, readiness and metrics stay answerable.
 */
export function shedLoadWhenSaturated(app: FastifyInstance, ctx: Pick<Ctx, 'metrics' | 'pressure'>): void {
  ctx.pressure.start();
  app.addHook('onClose', async () => ctx.pressure.stop());
  app.addHook('onRequest', (request, reply, done) => {
    const cause = NEVER_SHED.has(request.url) ? null : (ctx.pressure.cause() ?? (needsMainPool(request) ? ctx.pressure.mainPoolCause() : null));
    if (cause === null) return done();
    ctx.metrics.shedRequests.inc({ cause });
    shed.add(request);
    // The cause tells a client (and a test) that the node is saturated, not that a store is down.
    sendError(reply, new YeyakError('YEYAK_ERR_UNAVAILABLE', { retryAfterSeconds: 2, details: { shed: cause } }));
  });
}
