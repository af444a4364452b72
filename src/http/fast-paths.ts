import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import { HOT_ROUTES, type HotPathLog, type HotRoute } from './hot-path-log.ts';

/**
 * A request answered before Fastify parses or routes anything. Returns false to leave the request
 * to Fastify at once; true when it took it — it then answers, or calls `toFastify(req, res)`
 * (before writing anything) to hand the request on after all. `route` is the pattern of the
 * Fastify route it stands in for, which its requests are counted and logged under.
 */
export type FastPath = ((req: IncomingMessage, res: ServerResponse, toFastify: (req: IncomingMessage, res: ServerResponse) => void) => boolean) & { readonly route: HotRoute };

/** The part of the app's logger the fast paths write their request lines to. */
export interface FastPathLog {
  /** pino's level name: `info` lines are written at trace, debug and info. */
  level: string;
  info(fields: object, message: string): void;
}

const WRITES_INFO = new Set(['trace', 'debug', 'info']);

/**
 * Fastify's `serverFactory` with fast paths in front: the requests millions make on opening night
 * (the shared status, taking a place) are answered without Fastify's per-request machinery; every
 * other request, and every case a fast path does not handle, goes to Fastify, whose routes for
 * the same paths answer identically (`app.inject` and the tests use them).
 *
 * A request a fast path answers is counted and logged as its route's would be (`hot`: 1 in N,
 * `request completed` at info, by path only: a query string can say where a person is); below
 * info its line costs nothing. `log` is asked per request: the app's logger exists only after the factory.
 */
export function serverWithFastPaths(paths: readonly FastPath[], log: () => FastPathLog | undefined, hot: HotPathLog) {
  return (handler: (req: IncomingMessage, res: ServerResponse) => void, options: FastifyServerOptions): Server => {
    // One function for every request, not a closure made per request: the requests a fast path
    // hands on after all are remembered by their request object instead.
    const handedOn = new WeakSet<IncomingMessage>();
    const toFastify = (req: IncomingMessage, res: ServerResponse) => {
      handedOn.add(req);
      handler(req, res);
    };
    const answered = (path: FastPath, req: IncomingMessage, res: ServerResponse, logger: FastPathLog | undefined, startedAt: number) => {
      // Handed to Fastify after all: the route counts and logs it.
      if (handedOn.has(req)) return;
      const line = hot.answered(path.route, res.statusCode);
      if (line !== 'none' && logger && startedAt >= 0) logAnswered(logger, req, res, startedAt, hot.lineFields(line));
    };
    const server = createServer((req, res) => {
      const logger = log();
      const startedAt = logger && WRITES_INFO.has(logger.level) ? performance.now() : -1;
      for (const path of paths) {
        if (!path(req, res, toFastify)) continue;
        // The shared status answers at once: no listener for the request millions poll.
        if (res.writableEnded) answered(path, req, res, logger, startedAt);
        else res.once('finish', () => answered(path, req, res, logger, startedAt));
        return;
      }
      handler(req, res);
    });
    // What Fastify sets on the servers it creates itself.
    if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
    if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
    if (options.connectionTimeout !== undefined) server.setTimeout(options.connectionTimeout);
    if (options.maxRequestsPerSocket) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
    return server;
  };
}

function logAnswered(logger: FastPathLog, req: IncomingMessage, res: ServerResponse, startedAt: number, fields: object): void {
  try {
    // Through the app's own `req` serializer, which keeps the path and drops the query string.
    logger.info({ req: { method: req.method, url: req.url ?? '' }, res: { statusCode: res.statusCode }, responseTime: performance.now() - startedAt, fastPath: true, ...fields }, 'request completed');
  } catch {
    // A log line is never worth the process: this runs in a socket event, outside any request.
  }
}

/** `GET /api/v1/campaigns/{campaignId}/queue`, with or without a query string (cache busters). */
const STATUS_PATH = /^\/api\/v1\/campaigns\/([A-Za-z0-9_-]{1,64})\/queue(?:\?|$)/;

/** Where the status fast path finds a campaign's status document: the node's snapshot, or nothing yet. */
export interface StatusBoards {
  statusBody(campaignId: string): string | undefined;
}

/**
 * The shared queue status — the request millions poll — from this node's snapshot; a campaign
 * without a snapshot yet, or an unknown one, goes to Fastify. The document is the same for
 * everyone and costs a map look-up, so it is never shed: a 503 would only bring the poll back.
 * Only while `untrusted()` (this node's clock disagrees with the database's, and its snapshot has
 * stopped moving) does the request go to Fastify, which refuses it.
 */
export function statusFastPath(boards: StatusBoards, untrusted: () => boolean = () => false): FastPath {
  const answer = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' || untrusted()) return false;
    const campaignId = STATUS_PATH.exec(req.url ?? '')?.[1];
    const body = campaignId === undefined ? undefined : boards.statusBody(campaignId);
    if (body === undefined) return false;
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'public, max-age=1',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
    return true;
  };
  return Object.assign(answer, { route: HOT_ROUTES.status });
}
