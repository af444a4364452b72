import type { FastifyInstance } from 'fastify';
import { afterAll } from 'vitest';

type Operations = Record<string, Record<string, { responses?: Record<string, unknown> }>>;

/** Answers a route gave that its entry in openapi.json does not list, across the test file. */
const undocumented = new Set<string>();

/**
 * Issue 23: every status a route answers is in openapi.json. Each app a test starts checks each
 * answer its routes give — whatever the test was about — against the document that app serves,
 * so the suite as a whole drives the handlers, and a refusal a handler can give (a 403 for a
 * reason other than a role, a 409, a 425) that the document leaves out fails the test file that
 * met it. Routes openapi.json does not list (the web pages, `/metrics`) and requests no route
 * matched are not checked, nor 500: a server error is a failure, not part of the contract (a test
 * that provokes one on purpose asserts it itself).
 */
export async function checkDocumentedStatuses(app: FastifyInstance): Promise<void> {
  let operations: Operations | null = null;
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route === undefined || operations === null) return;
    const path = route.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const responses = operations[path]?.[request.method.toLowerCase()]?.responses;
    if (responses === undefined) return;
    if (reply.statusCode === 500) return;
    const status = String(reply.statusCode);
    if (!(status in responses) && !(`${status[0]}XX` in responses) && !('default' in responses)) undocumented.add(`${request.method} ${path} → ${status}`);
  });
  await app.ready();
  operations = ((await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Operations }).paths;
}

afterAll(() => {
  if (undocumented.size > 0) throw new Error(`statuses answered that openapi.json does not document for the route: ${[...undocumented].sort().join('; ')}`);
});
