import underPressure from '@fastify/under-pressure';
import { getHeapStatistics } from 'node:v8';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Ctx } from '../context.ts';
import { YeyakError } from '../errors.ts';
import { sendError } from './error-handler.ts';

const EXEMPT = new Set(['/api/v1/health', '/api/v1/ready', '/metrics']);

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
 * Load shedding at the front door (BRIEF §4.1): when the process is saturated — event-loop delay,
 * heap, requests queued for a database connection — every request is answered 503 with
 * Retry-After in seconds in its first hook, before parsing or any work, so the node recovers
 * instead of collapsing. Liveness and metrics stay answerable.
 */
export async function shedLoadWhenSaturated(app: FastifyInstance, ctx: Ctx): Promise<void> {
  const limits = ctx.config.shedding;
  // Default heap ceiling: 90% of V8's limit, unless configured.
  const maxHeap = limits.maxHeapUsedBytes || Math.floor(getHeapStatistics().heap_size_limit * 0.9);
  await app.register(underPressure, {
    maxEventLoopDelay: limits.maxEventLoopDelayMs,
    maxHeapUsedBytes: maxHeap,
    sampleInterval: 250,
    healthCheckInterval: 500,
    healthCheck: async () => limits.maxDbWaiting === 0 || ctx.database.waitingClients() < limits.maxDbWaiting,
    pressureHandler: (request, reply, type) => {
      if (EXEMPT.has(request.url)) return; // liveness, readiness and metrics are answered however busy we are
      ctx.metrics.shedRequests.inc({ cause: String(type) });
      shed.add(request);
      sendError(reply, new YeyakError('YEYAK_ERR_UNAVAILABLE', { retryAfterSeconds: 2 }));
    },
  });
}
