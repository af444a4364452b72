// The load generator's source addresses (load/lib/client.ts): with `localAddresses`, each pool
// connects from its own loopback address, so a balancer in front sees many clients.
import { describe, expect, it } from 'vitest';
import { LoadClient } from '../load/lib/client.ts';
import { useLoopbackServer } from './support/loopback-server.ts';

describe('LoadClient source addresses', () => {
  const server = useLoopbackServer((request, response) => response.end(JSON.stringify(request.socket.remoteAddress)));

  it('connects pool i from localAddresses[i], and from 127.0.0.1 without them', async () => {
    const spread = new LoadClient([server.origin, server.origin, server.origin], 2, Date.now(), 5, ['127.3.0.7', '127.3.0.8']);
    const seen = await Promise.all([0, 1, 2].map(async (node) => (await spread.call('status', node, 'GET', '/')).body));
    await spread.close();
    expect(seen).toEqual(['127.3.0.7', '127.3.0.8', '127.3.0.7']);
    const plain = new LoadClient([server.origin], 2, Date.now(), 5);
    expect((await plain.call('status', 0, 'GET', '/')).body).toBe('127.0.0.1');
    await plain.close();
  });

  it('counts failures and deliberate 503s per second apart from the other answers', async () => {
    const client = new LoadClient(['http://127.0.0.1:1'], 1, Date.now(), 5);
    const answer = await client.call('status', 0, 'GET', '/');
    await client.close();
    expect(answer.status).toBe(0);
    expect(client.failures.values.reduce((a, b) => a + b, 0)).toBe(1);
    expect(client.deliberate.values.reduce((a, b) => a + b, 0)).toBe(0);
  });
});
