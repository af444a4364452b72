import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Metrics } from '../infra/metrics.ts';

/**
 * The routes that everyone calls on opening night: the waiting room's — the shared status poll,
 * taking a place, one's own place, asking for an admission — many times each, and the end of a
 * sign-in with each identity provider, once per person and device, millions in the hour before the
 * opening. Their labels are the Fastify route patterns, whether a fast path
 * (`src/http/fast-paths.ts`) or the route answered.
 */
export const HOT_ROUTES = {
  status: '/api/v1/campaigns/:campaignId/queue',
  join: '/api/v1/campaigns/:campaignId/queue/tickets',
  ticket: '/api/v1/campaigns/:campaignId/queue/tickets/me',
  admission: '/api/v1/campaigns/:campaignId/admissions',
  signInDev: '/api/v1/identity/dev',
  signInMobile: '/api/v1/identity/mobile/verify',
  signInOidc: '/api/v1/identity/oidc/:provider/callback',
} as const;

export type HotRoute = (typeof HOT_ROUTES)[keyof typeof HOT_ROUTES];

/**
 * Routes everyone calls once on opening night, whose every request is logged, in one line: no
 * `incoming request`, and a `request completed` carrying the method and path it would have said.
 * A booking (1.5 million in the night, a thousand a second a node) then writes one line where it
 * wrote two; the arrival line added no fact the completion lacks (the server's request timeout
 * ends every request with its line).
 */
const ONE_LINE_ROUTES: ReadonlySet<string> = new Set(['/api/v1/campaigns/:campaignId/bookings']);

/** Whether a hot request gets its `request completed` line: no, as 1 in N of its route, or always (a server error). */
export type HotLine = 'none' | 'sampled' | 'always';

/** Status codes a response can have (`node:http` accepts 100–999): the index of a route's counts. */
const STATUS_CODES = 1000;

/**
 * One route's tally: requests seen (the sample's clock), and requests by status code not yet added
 * to the counter. A request adds 1 to a number: the counter's own `inc` hashes its labels each
 * time, a measurable share of a status poll's cost on opening night (docs/performance.md).
 */
interface RouteTally {
  route: HotRoute;
  seen: number;
  unreported: Float64Array;
}

/**
 * Counts every request of the hot routes in `yeyak_hot_path_requests_total{route,status}` and
 * decides which ones are logged: every server error (≥ 500), and of the rest the `sampleEvery`-th,
 * 2×`sampleEvery`-th… request of each route (0: none, 1: all). The sample is a plain counter, not a
 * random draw: cheap, and exact in tests (1,000 polls at 1 in 1,000 write one line). Client errors (4xx) are sampled too: on these routes
 * they are the crowd's ordinary answers (425 "not yet" to everyone asking early, 401 for an
 * expired ticket, 404 from a stale page), so logging each would bring back the per-request cost
 * at the moment the crowd is largest; the counter has each one by status. The counts reach the
 * counter whenever it is read (a scrape of /metrics), so every read sees every request answered.
 */
export class HotPathLog {
  private readonly tallies = new Map<string, RouteTally>(Object.values(HOT_ROUTES).map((route) => [route, { route, seen: 0, unreported: new Float64Array(STATUS_CODES) }]));

  constructor(
    private readonly metrics: Metrics,
    /** Log 1 request in this many per route; 0 logs none but the server errors. */
    readonly sampleEvery: number,
  ) {
    metrics.hotPathCounts.add(() => this.report());
  }

  /** True for a Fastify route pattern that is one of the hot routes. */
  isHot(route: string | undefined): boolean {
    return route !== undefined && this.tallies.has(route);
  }

  /** Counts one answered request of a hot route and says whether its line is written. */
  answered(route: HotRoute, statusCode: number): HotLine {
    const tally = this.tallies.get(route)!;
    tally.unreported[statusCode < STATUS_CODES ? statusCode : 0]!++;
    const seen = ++tally.seen;
    if (statusCode >= 500) return 'always';
    return this.sampleEvery > 0 && seen % this.sampleEvery === 0 ? 'sampled' : 'none';
  }

  /** Adds the requests counted since the last report to the counter. */
  private report(): void {
    for (const { route, unreported } of this.tallies.values()) {
      for (let status = 0; status < STATUS_CODES; status++) {
        const count = unreported[status]!;
        if (count === 0) continue;
        unreported[status] = 0;
        this.metrics.hotPathRequests.inc({ route, status: String(status) }, count);
      }
    }
  }

  /** The fields a hot request's line adds to today's `request completed`: how many requests a sampled line stands for. */
  lineFields(line: HotLine): { sampled?: number } {
    return line === 'sampled' ? { sampled: this.sampleEvery } : {};
  }

  /** Fastify's request logging with the hot routes counted and sampled; every other request logs as Fastify does. */
  controller(): LogController {
    return new HotPathLogController(this);
  }
}

/**
 * Fastify's own request lines (`incoming request`, `request completed`) for every route but the
 * hot ones. A hot request writes no `incoming request`, and only a sampled or failed one writes
 * `request completed` — with the request's method and path in it, as the fast paths' lines have,
 * since it stands alone.
 */
class HotPathLogController extends LogController {
  constructor(private readonly hot: HotPathLog) {
    super();
  }

  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.url;
    if (!this.hot.isHot(route) && !(route !== undefined && ONE_LINE_ROUTES.has(route))) super.incomingRequest(request, reply);
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.url;
    if (route !== undefined && ONE_LINE_ROUTES.has(route)) {
      if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
      else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
      return;
    }
    if (!this.hot.isHot(route)) return super.requestCompleted(error, request, reply);
    const line = this.hot.answered(route as HotRoute, reply.statusCode);
    if (error) return super.requestCompleted(error, request, reply);
    if (line === 'none') return;
    reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime, ...this.hot.lineFields(line) }, 'request completed');
  }
}
