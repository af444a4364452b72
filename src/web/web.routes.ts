import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { buildWebAssets, WEB_AREAS, type WebAsset, type WebAssets } from './web-assets.ts';

const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

let built: Promise<WebAssets> | null = null;

/** The pages are built once per process (tests build many apps) and kept in memory. */
export function webAssets(): Promise<WebAssets> {
  built ??= Promise.all(WEB_AREAS.map(buildWebAssets)).then((areas) => new Map(areas.flatMap((a) => [...a])));
  return built;
}

/**
 * Serves the citizen site, the operator console and the clinic portal: static files, gzipped once at start, with
 * ETags. Pages (`public, max-age=60`) may sit in a CDN; hashed scripts are immutable. They call
 * the same public API as every other client.
 */
export const webRoutes: FastifyPluginAsync = async (app) => {
  const assets = await webAssets();
  for (const [path, file] of assets) {
    app.get(path, { schema: { hide: true } }, async (request, reply) => send(request, reply, file));
  }
  // `/console` and `/clinic` without their slash are the console and the clinic portal too.
  for (const area of ['/console', '/clinic']) {
    if (assets.has(`${area}/`)) app.get(area, { schema: { hide: true } }, async (_request, reply) => reply.redirect(`${area}/`, 301));
  }
  // Browsers ask for /favicon.ico whatever the page links; the icon is an SVG (every page links it).
  if (assets.has('/favicon.svg')) app.get('/favicon.ico', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/favicon.svg', 301));
};

function send(request: FastifyRequest, reply: FastifyReply, file: WebAsset): FastifyReply {
  reply.header('etag', file.etag);
  reply.header('vary', 'accept-encoding');
  reply.header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=60');
  reply.header('x-content-type-options', 'nosniff');
  reply.type(file.contentType);
  // Pages load only our own scripts and styles, and talk only to our own API.
  if (file.contentType.startsWith('text/html')) reply.header('content-security-policy', CSP);
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) {
    reply.header('content-encoding', 'gzip');
    return reply.send(file.gzipped);
  }
  return reply.send(file.body);
}
