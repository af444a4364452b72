// The load generator counts why the front door shed each 503 (`details.shed`), per endpoint, so a
// night's report tells the main pool's wait from an event loop behind (load/lib/client.ts).
import { describe, expect, it } from 'vitest';
import { LoadClient } from '../load/lib/client.ts';
import { useLoopbackServer } from './support/loopback-server.ts';

describe('LoadClient shed causes', () => {
  const answers: Record<string, { status: number; body: unknown }> = {
    '/pool': { status: 503, body: { error: { code: 'YEYAK_ERR_UNAVAILABLE', details: { shed: 'dbWait' } } } },
    '/loop': { status: 503, body: { error: { code: 'YEYAK_ERR_UNAVAILABLE', details: { shed: 'eventLoopDelay' } } } },
    '/store': { status: 503, body: { error: { code: 'YEYAK_ERR_QUEUE_UNAVAILABLE' } } },
    '/ok': { status: 200, body: { error: { details: { shed: 'not an error' } } } },
  };
  const server = useLoopbackServer((request, response) => {
    const answer = answers[request.url ?? '']!;
    response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
  });

  it('tallies each shed 503 by its cause and endpoint, and nothing for another 503 or a 200', async () => {
    const client = new LoadClient([server.origin], 2, Date.now(), 5);
    for (const [endpoint, path] of [['identity', '/pool'], ['identity', '/pool'], ['identity', '/loop'], ['join', '/store'], ['status', '/ok']] as const) {
      await client.call(endpoint, 0, 'GET', path);
    }
    await client.close();
    expect(client.shed).toEqual({ identity: { dbWait: 2, eventLoopDelay: 1 } });
    expect(client.statuses.identity).toEqual({ '503 YEYAK_ERR_UNAVAILABLE': 3 });
    expect(client.deliberate.values.reduce((a, b) => a + b, 0)).toBe(4);
  });
});
