import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Ctx } from './context.ts';
import { addressErrors, acceptOnlyCleanText } from './http/clean-text.ts';
import { installErrorHandling } from './http/error-handler.ts';
import { validatorCompiler } from './http/validation.ts';
import { shedLoadWhenSaturated } from './http/load-shedding.ts';
import { healthRoutes, installObservability } from './modules/health/index.ts';
import { HotPathLog } from './http/hot-path-log.ts';
import { createLogger, type LogStream } from './http/logger.ts';
import { serverWithFastPaths } from './http/fast-paths.ts';
import { availabilityRoutes } from './modules/availability/index.ts';
import { bookingRoutes } from './modules/booking/index.ts';
import { campaignAdminRoutes, campaignRoutes, myWindowRoutes } from './modules/campaigns/index.ts';
import { capacityRoutes } from './modules/capacity/index.ts';
import { meRoutes } from './modules/me/index.ts';
import { identityMethodRoutes, identityRoutes, mobileIdentityRoutes, oidcRoutes } from './modules/identity/index.ts';
import { directoryRoutes, institutionRoutes } from './modules/institutions/index.ts';
import { priorityListRoutes } from './modules/eligibility/index.ts';
import { dependentRoutes } from './modules/proxy/index.ts';
import { agentRoutes } from './modules/agent/index.ts';
import { probeRoutes } from './modules/probe/index.ts';
import { auditRoutes, liveRoutes, operatorAccountRoutes } from './modules/operator/index.ts';
import { statsRoutes } from './modules/stats/index.ts';
import { joinFastPath, queueControlRoutes, statusFastPath, waitingRoomRoutes } from './modules/waiting-room/index.ts';
import { queueLogRoutes, receiptRoutes } from './modules/transparency/index.ts';
import { webRoutes } from './web/web.routes.ts';
import { clinicRoutes } from './modules/clinic/index.ts';
import { leftoverRoutes } from './modules/leftover/index.ts';
import { outboxRoutes } from './modules/outbox/index.ts';
import { notificationRoutes } from './modules/notifications/index.ts';
import { documentCredentials, SECURITY_SCHEMES } from './http/credential-docs.ts';
import { openApiDocs } from './http/openapi-document.ts';

/** Builds the Yeyak app: infrastructure plugins first, then the feature modules. */
export interface BuildOptions extends FastifyServerOptions {
  /** Where log lines go (default: standard output); tests capture them to prove no personal data leaks. */
  logStream?: LogStream;
  /** The process's logger (`createLogger`), when it has logged before the app existed; else the app makes one. */
  loggerInstance?: FastifyBaseLogger;
}

export async function buildApp(ctx: Ctx, { logStream, ...options }: BuildOptions = {}): Promise<FastifyInstance> {
  // The app's logger is known only once Fastify has built it; the fast paths ask for it per request.
  const shedding: { log?: FastifyBaseLogger } = {};
  // Every request logs as Fastify logs it, but the waiting room's hot routes: counted, and 1 in N logged.
  const hotPaths = new HotPathLog(ctx.metrics, ctx.config.hotPathLogSample);
  const app = Fastify({
    // Credentials redacted, requests by path only (src/http/logger.ts).
    loggerInstance: options.loggerInstance ?? createLogger(ctx.config.logLevel, logStream),
    logController: hotPaths.controller(),
    bodyLimit: ctx.config.bodyLimit,
    // A path that is not UTF-8, or a parameter past its limit, answered in the API's error shape.
    frameworkErrors: addressErrors,
    // request.ip is the client's address only behind proxies we were told to believe (YEYAK_TRUST_PROXY).
    trustProxy: typeof ctx.config.trustProxy === 'number' ? trustHops(ctx.config.trustProxy) : ctx.config.trustProxy,
    // The requests of opening night, answered before routing (src/http/fast-paths.ts).
    serverFactory: serverWithFastPaths([statusFastPath(ctx.waitingRoom, () => ctx.clockAgreement?.disagrees() ?? false), joinFastPath(ctx, () => ctx.pressure.cause() !== null)], () => shedding.log, hotPaths),
    ...options,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // First: a saturated process refuses cheaply before any other hook runs.
  shedLoadWhenSaturated(app, ctx);
  shedding.log = app.log;
  app.setValidatorCompiler(validatorCompiler);
  installErrorHandling(app);
  // Every path parameter, query value and body (JSON, text/csv, text/plain) is Unicode PostgreSQL can store, or a 400 (issue 23).
  acceptOnlyCleanText(app);
  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Yeyak API', version: '1.0.0', description: 'National vaccination pre-reservation (API.md)' },
      components: { securitySchemes: SECURITY_SCHEMES },
    },
    ...openApiDocs(),
  });
  documentCredentials(app);

  for (const routes of [healthRoutes, campaignRoutes, campaignAdminRoutes, myWindowRoutes, directoryRoutes, identityRoutes, meRoutes, identityMethodRoutes, mobileIdentityRoutes, oidcRoutes, dependentRoutes, institutionRoutes, capacityRoutes, priorityListRoutes, waitingRoomRoutes, queueControlRoutes, queueLogRoutes, receiptRoutes, availabilityRoutes, bookingRoutes, statsRoutes, operatorAccountRoutes, auditRoutes, agentRoutes, liveRoutes, clinicRoutes, leftoverRoutes, outboxRoutes, notificationRoutes, probeRoutes]) {
    await app.register(routes, { ctx });
  }
  await app.register(webRoutes);
  installObservability(app, ctx);
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

/** Trusts the `hops` proxies nearest the socket (what Fastify does with a number, which its types do not take). */
function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}
