import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import { YeyakError } from '../errors.ts';
import { sendError } from './error-handler.ts';

/**
 * Text the API takes in (issue 23): Unicode that PostgreSQL can store. No U+0000 (its `text` cannot
 * hold one, so it failed the statement: a 500, and once a stored pause reason stopped the queue
 * journal), no lone surrogate (not Unicode: UTF-8 cannot encode it) and, in bodies, only valid UTF-8
 * (a decoder that replaces bad bytes with U+FFFD changes what the person sent). Checked once, at the
 * edge, for every path parameter, query value and body — a 400 `YEYAK_ERR_VALIDATION` before any
 * handler runs — so no module has to remember it.
 */
function isCleanText(text: string): boolean {
  return !text.includes('\u0000') && text.isWellFormed();
}

/** Where the first unclean string of a parsed value is (`/name`, `/items/3/reason`, a key's own path), or null. */
function uncleanAt(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return isCleanText(value) ? null : path || '/';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = uncleanAt(value[i], `${path}/${i}`);
      if (found !== null) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const at = `${path}/${key}`;
      if (!isCleanText(key)) return at;
      const found = uncleanAt(item, at);
      if (found !== null) return found;
    }
  }
  return null;
}

function refused(part: string, at: string): YeyakError {
  return new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems: [`${part}${at === '/' ? '' : at} holds U+0000, a lone surrogate or bytes that are not UTF-8`] } });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A body's bytes as text, refusing bytes that are not UTF-8 instead of replacing them. */
function bodyText(body: Buffer): string {
  try {
    return strictUtf8.decode(body);
  } catch {
    throw refused('body', '/');
  }
}

/**
 * Parses JSON, CSV and plain-text bodies from their bytes (strict UTF-8), keeping Fastify's JSON
 * parser and its prototype-poisoning protection; then checks every path parameter, query value
 * and body string before validation.
 */
export function acceptOnlyCleanText(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    let text: string;
    try {
      text = bodyText(body);
    } catch (error) {
      return done(error as Error, undefined);
    }
    json(request, text, done);
  });
  for (const type of ['text/plain', 'text/csv']) {
    app.addContentTypeParser(type, { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
      try {
        done(null, bodyText(body));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
  }
  app.addHook('onRequest', async (request) => checkAddress(request));
  app.addHook('preValidation', async (request) => {
    const at = uncleanAt(request.body);
    if (at !== null) throw refused('body', at);
  });
}

function checkAddress(request: FastifyRequest): void {
  // The query's own decoder keeps a sequence that is not UTF-8 as it stands; here it is refused.
  const query = request.url.indexOf('?');
  if (query >= 0 && !decodes(request.url.slice(query + 1))) throw refused('query', '/');
  const params = uncleanAt(request.params);
  if (params !== null) throw refused('path', params);
  const values = uncleanAt(request.query);
  if (values !== null) throw refused('query', values);
}

/**
 * Whether a raw query string (after `?`) is one the API takes: percent-encoding that decodes as
 * UTF-8 to text with no U+0000 — what the checks above refuse, for a path answered before Fastify.
 */
export function isCleanQuery(query: string): boolean {
  if (!query.includes('%')) return true;
  try {
    return isCleanText(decodeURIComponent(query));
  } catch {
    return false;
  }
}

/** Whether a query string's percent-encoding is UTF-8 throughout. */
function decodes(query: string): boolean {
  try {
    decodeURIComponent(query);
    return true;
  } catch {
    return false;
  }
}

/**
 * Fastify's own refusals of an address, in the API's error shape: a path that does not decode as
 * UTF-8 (400) and a path parameter past its limit (414).
 */
export const addressErrors: FastifyServerOptions['frameworkErrors'] = (error, _request, reply) => {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  sendError(reply, new YeyakError(tooLong ? 'YEYAK_ERR_URI_TOO_LONG' : 'YEYAK_ERR_VALIDATION', tooLong ? {} : { details: { problems: ['the address does not decode as UTF-8'] } }));
};
