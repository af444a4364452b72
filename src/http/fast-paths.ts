import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FastifyServerOptions } from 'fastify';

/**
 * A request answered before Fastify parses or routes anything. Returns false to leave the request
 * to Fastify at once; true when it took it — it then answers, or calls `toFastify` (before writing
 * anything) to hand the request on after all.
 */
export type FastPath = (req: IncomingMessage, res: ServerResponse, toFastify: () => void) => boolean;

/**
 * Fastify's `serverFactory` with fast paths in front: the requests millions make on opening night
 * (the shared status, taking a place) are answered without Fastify's per-request machinery; every
 * other request, and every case a fast path does not handle, goes to Fastify, whose routes for
 * the same paths answer identically (`app.inject` and the tests use them).
 */
export function serverWithFastPaths(paths: readonly FastPath[]) {
  return (handler: (req: IncomingMessage, res: ServerResponse) => void, options: FastifyServerOptions): Server => {
    const server = createServer((req, res) => {
      const toFastify = () => handler(req, res);
      for (const path of paths) if (path(req, res, toFastify)) return;
      toFastify();
    });
    // What Fastify sets on the servers it creates itself.
    if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
    if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
    if (options.connectionTimeout !== undefined) server.setTimeout(options.connectionTimeout);
    if (options.maxRequestsPerSocket) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
    return server;
  };
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
 */
export function statusFastPath(boards: StatusBoards): FastPath {
  return (req, res) => {
    if (req.method !== 'GET') return false;
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
}
