import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import type { HotPathLog, HotRoute } from './hot-path-log.ts';

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
