import { createServer, type RequestListener } from 'node:http';
import { afterAll, beforeAll } from 'vitest';

/**
 * A plain `node:http` server on 127.0.0.1 for a test file: listening in its `beforeAll` on a free
 * port, closed in its `afterAll`. `origin` is its base URL once listening.
 */
export function useLoopbackServer(handler: RequestListener): { readonly origin: string } {
  const server = createServer(handler);
  let origin: string | null = null;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    get origin(): string {
      if (origin === null) throw new Error('the loopback server is not listening yet (use its origin inside a test)');
      return origin;
    },
  };
}
