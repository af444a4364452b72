import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';

/** Which sign-in methods this deployment offers, so the site shows only buttons that work. */
export const identityMethodRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const methods = { dev: ctx.config.devIdentity, mobile: true, oidc: Object.keys(ctx.config.oidcProviders).sort() };
  app.get(
    '/api/v1/identity/methods',
    { schema: { tags: ['identity'], response: { 200: Type.Object({ dev: Type.Boolean(), mobile: Type.Boolean(), oidc: Type.Array(Type.String()) }) } } },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=60');
      return methods;
    },
  );
};
