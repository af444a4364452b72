/**
 * The baseline's answer: the same small JSON body (`bytes` long) to every request, written as the
 * simplest `node:http` server writes it. `bench/lib/bare-http.ts` serves it from a process of its
 * own; `bench/lib/queue-app.ts` can serve it from inside the app's process too (bench:queue's status
 * rounds), to tell what the app's process costs any request from what its status poll costs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A JSON document of exactly `bytes` bytes (at least 12), shaped like a small status document. */
function jsonOfSize(bytes: number): string {
  const shell = JSON.stringify({ state: 'open', pad: '' });
  const pad = Math.max(0, bytes - shell.length);
  return JSON.stringify({ state: 'open', pad: 'x'.repeat(pad) });
}

/** The request listener, and the length of the body it answers (200 when `bytes` is not a positive whole number). */
export function bareResponse(bytes: number): { listener: (request: IncomingMessage, response: ServerResponse) => void; bodyBytes: number } {
  const body = Buffer.from(jsonOfSize(Number.isInteger(bytes) && bytes > 0 ? bytes : 200));
  const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) };
  const listener = (_request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(200, headers);
    response.end(body);
  };
  return { listener, bodyBytes: body.length };
}
