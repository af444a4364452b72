// The load generator's source addresses (load/lib/client.ts): with `localAddresses`, each pool
// connects from its own loopback address, so a balancer in front sees many clients.
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadClient } from '../load/lib/client.ts';

describe('LoadClient source addresses', () => {
  const server = createServer((request, response) => response.end(JSON.stringify(request.socket.remoteAddress)));
  let origin: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('connects pool i from localAddresses[i], and from 127.0.0.1 without them', async () => {
    const spread = new LoadClient([origin, origin, origin], 2, Date.now(), 5, ['127.3.0.7', '127.3.0.8']);
    const seen = await Promise.all([0, 1, 2].map(async (node) => (await spread.call('status', node, 'GET', '/')).body));
    await spread.close();
    expect(seen).toEqual(['127.3.0.7', '127.3.0.8', '127.3.0.7']);
    const plain = new LoadClient([origin], 2, Date.now(), 5);
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
