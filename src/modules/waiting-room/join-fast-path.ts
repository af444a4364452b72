import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCookie } from 'cookie';
import type { Ctx } from '../../context.ts';
import type { FastPath } from '../../http/fast-paths.ts';
import { HOT_ROUTES } from '../../http/hot-path-log.ts';
import { credentialFrom, personOfKey, SESSION_COOKIE, verifySessionToken } from '../identity/index.ts';
import { TICKET_COOKIE, ticketSetCookie } from './credentials.ts';
import { joinAnswer, sealedFacts, takePlace } from './take-place.ts';

/** `POST /api/v1/campaigns/{campaignId}/queue/tickets`, exactly (no query string). */
const JOIN_PATH = /^\/api\/v1\/campaigns\/([A-Za-z0-9_-]{1,64})\/queue\/tickets$/;

/**
 * Taking a place — the request of everyone arriving at the opening — answered before Fastify for
 * the plain case: a person queueing for themselves with no body, while the node is not shedding
 * load. It runs the route's own `takePlace`, so the answer is the route's; anything else — a
 * dependent's place (a body), a missing or invalid session, an unknown campaign, an ineligible
 * person, a store failure — goes to the Fastify route, which answers it (taking a place is
 * idempotent, so a request handed on after a refusal is simply asked again there). Requests
 * answered here are counted and logged (1 in N) by the fast-path dispatcher (`fastPath: true`), not by Fastify.
 */
export function joinFastPath(ctx: Ctx, underPressure: () => boolean): FastPath {
  const take = (req: IncomingMessage, res: ServerResponse, toFastify: (req: IncomingMessage, res: ServerResponse) => void): boolean => {
    if (req.method !== 'POST') return false;
    const campaignId = JOIN_PATH.exec(req.url ?? '')?.[1];
    if (campaignId === undefined) return false;
    const length = req.headers['content-length'];
    if ((length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined || underPressure()) return false;
    answer(ctx, req, res, campaignId).then(
      (answered) => answered || toFastify(req, res),
      () => toFastify(req, res),
    );
    return true;
  };
  // Counted and logged (1 in N) under the route it stands in for.
  return Object.assign(take, { route: HOT_ROUTES.join });
}

async function answer(ctx: Ctx, req: IncomingMessage, res: ServerResponse, campaignId: string): Promise<boolean> {
  const cookies = req.headers.cookie === undefined ? {} : parseCookie(req.headers.cookie);
  const token = credentialFrom(req.headers.authorization, cookies[SESSION_COOKIE]);
  if (token === undefined) return false;
  const session = verifySessionToken(ctx, token);
  const campaign = await ctx.campaigns.get(campaignId);
  const person = await personOfKey(ctx, session.personKey, session);
  const request = { campaign, person, by: null, sealed: sealedFacts(session, campaign.id), ticketCookie: cookies[TICKET_COOKIE], personSeal: session.seal };
  const taken = await takePlace(ctx, ctx.waitingRoom, request);
  const body = JSON.stringify(await joinAnswer(ctx, request, taken));
  res.writeHead(taken.created ? 201 : 200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'set-cookie': ticketSetCookie(ctx, campaign.id, taken.ticket),
  });
  res.end(body);
  ctx.metrics.joinFastPath.inc();
  return true;
}
