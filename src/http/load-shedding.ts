import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Ctx } from '../context.ts';
import type { RequestPool } from '../lib/node-pressure.ts';
import { YeyakError } from '../errors.ts';
import { sendError } from './error-handler.ts';

/** Paths never shed: liveness, readiness and metrics stay answerable (openapi.json leaves their 503 to their own schemas). */
export const NEVER_SHED: ReadonlySet<string> = new Set(['/api/v1/health', '/api/v1/ready', '/metrics']);

/** Route config of the routes `servedFromPool` marks. */
interface PoolOfRoute {
  pool?: RequestPool;
}

/**
 * Marks every route of the calling plugin as served from a pool other than the main one, so the
 * main pool's saturation does not refuse it: `booking`, the booking path's own pool, whose queue
 * refuses these routes alone; `none`, no pool, or rarely one (the waiting room reads the queue
 * store; a pre-queue holder's place in the public log is looked up in batches, and a priority list
 * only for a campaign that has one), so no pool's queue refuses it: that would shorten nothing.
 */
export function servedFromPool(app: FastifyInstance, pool: Exclude<RequestPool, 'main'>): void {
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object), pool } as typeof route.config;
  });
}

/** Operators are few, and what they do in an overload (pause, capacity) matters most: no pool's queue refuses them. */
const poolOf = (request: FastifyRequest): RequestPool =>
  request.url.startsWith('/api/v1/admin/') ? 'none' : ((request.routeOptions.config as PoolOfRoute).pool ?? 'main');

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
 * event loop behind over a whole window, its heap near the limit), every request is answered 503
 * with Retry-After in seconds in its first hook, before parsing or any work, so the node recovers
 * instead of collapsing. When one database pool is saturated (too many requests queued for it, or
 * the main pool's wait sustained over a window), only the requests that need that pool are
 * refused: a sign-in storm leaves the waiting room and the booking path alone, and a booking queue
 * the sign-ins and the waiting room. Below saturation it never sheds — not while starting, not
 * after one slow request. Liveness, readiness and metrics stay answerable.
 */
export function shedLoadWhenSaturated(app: FastifyInstance, ctx: Pick<Ctx, 'metrics' | 'pressure'>): void {
  ctx.pressure.start();
  app.addHook('onClose', async () => ctx.pressure.stop());
  app.addHook('onRequest', (request, reply, done) => {
    const cause = NEVER_SHED.has(request.url) ? null : (ctx.pressure.cause() ?? ctx.pressure.poolCause(poolOf(request)));
    if (cause === null) return done();
    ctx.metrics.shedRequests.inc({ cause });
    shed.add(request);
    // The cause tells a client (and a test) that the node is saturated, not that a store is down.
    sendError(reply, new YeyakError('YEYAK_ERR_UNAVAILABLE', { retryAfterSeconds: 2, details: { shed: cause } }));
  });
}
