import Fastify, { type FastifyInstance } from 'fastify';
import { webRoutes } from '../../src/web/web.routes.ts';

/** Only the pages: the same routes the app registers, without a database (for tests of the served HTML and scripts). */
export async function startWebOnlyApp(): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(webRoutes);
  await app.ready();
  return app;
}
