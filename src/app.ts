import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Ctx } from './context.ts';
import { addressErrors, acceptOnlyCleanText } from './http/clean-text.ts';
import { installErrorHandling } from './http/error-handler.ts';
import { validatorCompiler } from './http/validation.ts';
import { shedLoadWhenSaturated } from './http/load-shedding.ts';
import { installObservability } from './http/observability.ts';
import { HotPathLog } from './http/hot-path-log.ts';
import { createLogger, type LogStream } from './http/logger.ts';
import { serverWithFastPaths, statusFastPath } from './http/fast-paths.ts';
import { availabilityRoutes } from './modules/availability/availability.routes.ts';
import { bookingRoutes } from './modules/booking/booking.routes.ts';
import { campaignRoutes } from './modules/campaigns/campaigns.routes.ts';
import { campaignAdminRoutes } from './modules/campaigns/campaign-admin.routes.ts';
import { myWindowRoutes } from './modules/campaigns/my-window.routes.ts';
import { capacityRoutes } from './modules/capacity/capacity.routes.ts';
import { healthRoutes } from './modules/health/health.routes.ts';
import { identityMethodRoutes } from './modules/identity/identity-methods.routes.ts';
import { identityRoutes } from './modules/identity/identity.routes.ts';
import { mobileIdentityRoutes } from './modules/identity/mobile/mobile.routes.ts';
import { oidcRoutes } from './modules/identity/oidc/oidc.routes.ts';
import { institutionRoutes } from './modules/institutions/institutions.routes.ts';
import { directoryRoutes } from './modules/institutions/directory.routes.ts';
import { priorityListRoutes } from './modules/eligibility/priority-list.ts';
import { dependentRoutes } from './modules/proxy/dependents.routes.ts';
import { agentRoutes } from './modules/agent/agent.routes.ts';
import { probeRoutes } from './modules/probe/probe.routes.ts';
import { auditRoutes } from './modules/operator/audit.routes.ts';
import { operatorAccountRoutes } from './modules/operator/operator-accounts.routes.ts';
import { statsRoutes } from './modules/operator/stats.routes.ts';
import { liveRoutes } from './modules/operator/live/live.routes.ts';
import { waitingRoomRoutes } from './modules/waiting-room/waiting-room.routes.ts';
import { queueControlRoutes } from './modules/waiting-room/queue-control.routes.ts';
import { queueLogRoutes } from './modules/transparency/queue-log.routes.ts';
import { receiptRoutes } from './modules/transparency/receipt.routes.ts';
import { joinFastPath } from './modules/waiting-room/join-fast-path.ts';
import { webRoutes } from './web/web.routes.ts';
import { clinicRoutes } from './modules/clinic/clinic.routes.ts';
import { leftoverRoutes } from './modules/leftover/leftover.routes.ts';
import { outboxRoutes } from './modules/outbox/outbox.routes.ts';
import { notificationRoutes } from './modules/notifications/notifications.routes.ts';
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

  for (const routes of [healthRoutes, campaignRoutes, campaignAdminRoutes, myWindowRoutes, directoryRoutes, identityRoutes, identityMethodRoutes, mobileIdentityRoutes, oidcRoutes, dependentRoutes, institutionRoutes, capacityRoutes, priorityListRoutes, waitingRoomRoutes, queueControlRoutes, queueLogRoutes, receiptRoutes, availabilityRoutes, bookingRoutes, statsRoutes, operatorAccountRoutes, auditRoutes, agentRoutes, liveRoutes, clinicRoutes, leftoverRoutes, outboxRoutes, notificationRoutes, probeRoutes]) {
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
