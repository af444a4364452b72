import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastPath } from '../../http/fast-paths.ts';
import { isCleanQuery } from '../../http/clean-text.ts';
import { HOT_ROUTES } from '../../http/hot-path-log.ts';

/** `GET /api/v1/campaigns/{campaignId}/queue`, with or without a query string (cache busters). */
const PREFIX = '/api/v1/campaigns/';
const SUFFIX = '/queue';

/**
 * The campaign id in a status poll's address, or undefined for any other address. Any text
 * between the two fixed parts will do: only an id with a status document is answered here.
 */
function campaignOf(url: string): string | undefined {
  if (!url.startsWith(PREFIX)) return undefined;
  const query = url.indexOf('?', PREFIX.length);
  const idEnd = (query < 0 ? url.length : query) - SUFFIX.length;
  if (idEnd <= PREFIX.length || !url.startsWith(SUFFIX, idEnd)) return undefined;
  return url.slice(PREFIX.length, idEnd);
}

/**
 * A status document's response headers (`writeHead`'s flat form: name, value, name, value…), made
 * once per document rather than per request. The body itself goes out as the text it is: Node
 * writes the head and a text body in one piece, where a body of bytes takes a second one.
 */
interface WireDocument {
  body: string;
  headers: string[];
}

function wireDocument(body: string): WireDocument {
  return { body, headers: ['content-type', 'application/json; charset=utf-8', 'cache-control', 'public, max-age=1', 'content-length', String(Buffer.byteLength(body))] };
}

/** Where the status fast path finds a campaign's status document: the node's snapshot, or nothing yet. */
export interface StatusBoards {
  statusBody(campaignId: string): string | undefined;
}

/**
 * The shared queue status — the request millions poll — from this node's snapshot; a campaign
 * without a snapshot yet, or an unknown one, goes to Fastify. The document is the same for
 * everyone and costs a map look-up, so it is never shed: a 503 would only bring the poll back.
 * Only while `untrusted()` (this node's clock disagrees with the database's, and its snapshot has
 * stopped moving) does the request go to Fastify, which refuses it. The query is not read, but one
 * the API would refuse (U+0000, percent-encoding that is not UTF-8) goes to Fastify for its 400,
 * so the same address gets the same answer on either path.
 */
export function statusFastPath(boards: StatusBoards, untrusted: () => boolean = () => false): FastPath {
  const documents = new Map<string, WireDocument>();
  const answer = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' || untrusted()) return false;
    const url = req.url ?? '';
    const campaignId = campaignOf(url);
    if (campaignId === undefined) return false;
    const query = url.indexOf('?');
    if (query >= 0 && !isCleanQuery(url.slice(query + 1))) return false;
    const body = boards.statusBody(campaignId);
    if (body === undefined) return false;
    let document = documents.get(campaignId);
    if (document === undefined || document.body !== body) documents.set(campaignId, (document = wireDocument(body)));
    res.writeHead(200, document.headers);
    res.end(body);
    return true;
  };
  return Object.assign(answer, { route: HOT_ROUTES.status });
}
