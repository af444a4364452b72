import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FastifyServerOptions } from 'fastify';

/** `GET /api/v1/campaigns/{campaignId}/queue`, with or without a query string (cache busters). */
const STATUS_PATH = /^\/api\/v1\/campaigns\/([A-Za-z0-9_-]{1,64})\/queue(?:\?|$)/;

/** Where the fast path finds a campaign's status document: the node's snapshot, or nothing yet. */
export interface StatusBoards {
  statusBody(campaignId: string): string | undefined;
}

/**
 * Fastify's `serverFactory`: the shared queue status — the request millions poll — is answered
 * from this node's snapshot before Fastify parses or routes anything; every other request (and a
 * campaign without a snapshot yet, or an unknown one) goes to Fastify, whose route for the same
 * path answers identically (`app.inject` and the tests use it). The document is the same for
 * everyone and costs a map look-up, so it is never shed: a 503 would only bring the poll back.
 */
export function serverWithStatusFastPath(boards: StatusBoards) {
  return (handler: (req: IncomingMessage, res: ServerResponse) => void, options: FastifyServerOptions): Server => {
    const server = createServer((req, res) => {
      if (req.method === 'GET') {
        const campaignId = STATUS_PATH.exec(req.url ?? '')?.[1];
        const body = campaignId === undefined ? undefined : boards.statusBody(campaignId);
        if (body !== undefined) {
          res.writeHead(200, {
            'content-type': 'application/json; charset=utf-8',
            'cache-control': 'public, max-age=1',
            'content-length': Buffer.byteLength(body),
          });
          res.end(body);
          return;
        }
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
