import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../../context.ts';
import { errorResponses } from '../../../http/schemas.ts';
import { signIn } from '../sign-in.ts';
import { LOGIN_COOKIE, LOGIN_COOKIE_PATH, LOGIN_TTL_SECONDS, safeReturnTo } from './login-state.ts';
import { OidcClients } from './oidc-clients.ts';
import { completeOidcSignIn, startOidcSignIn } from './oidc-sign-in.ts';
import '@fastify/cookie';

const ProviderParams = Type.Object({ provider: Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$', description: 'a configured provider, e.g. naver' }) });
const StartBody = Type.Union([
  Type.Object({ returnTo: Type.Optional(Type.String({ maxLength: 512, description: 'a path on this site to return to, e.g. /bookings' })) }, { additionalProperties: false }),
  Type.Null(),
]);

/** OpenID Connect sign-in with the certificate services (API.md "Identity"). */
export const oidcRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const clients = new OidcClients(ctx.config.oidcProviders, app.log);
  const loginCookie = { httpOnly: true, secure: ctx.config.secureCookies, sameSite: 'lax', path: LOGIN_COOKIE_PATH } as const;

  app.post(
    '/api/v1/identity/oidc/:provider/start',
    {
      schema: {
        tags: ['identity'],
        params: ProviderParams,
        body: Type.Optional(StartBody),
        response: { 200: Type.Object({ authorizationUrl: Type.String() }), ...errorResponses(400, 404, 502, 503) },
      },
    },
    async (request, reply) => {
      const returnTo = safeReturnTo(request.body?.returnTo);
      const started = await startOidcSignIn(ctx, clients, request.params.provider, returnTo);
      reply.setCookie(LOGIN_COOKIE, started.loginCookie, { ...loginCookie, maxAge: LOGIN_TTL_SECONDS });
      return { authorizationUrl: started.authorizationUrl };
    },
  );

  app.get(
    '/api/v1/identity/oidc/:provider/callback',
    {
      schema: {
        tags: ['identity'],
        description: "The provider's redirect (code, state, iss or error): sets the session cookie and redirects (303) to the returnTo path.",
        params: ProviderParams,
        response: { 303: Type.Null({ description: 'Signed in: the session cookie is set, and `Location` names the returnTo path.' }), ...errorResponses(400, 401, 404, 502, 503) },
      },
    },
    async (request, reply) => {
      // One attempt per login cookie, whatever the outcome: a code is single-use anyway.
      reply.clearCookie(LOGIN_COOKIE, loginCookie);
      const query = new URLSearchParams(request.url.split('?')[1] ?? '');
      const { identity, returnTo } = await completeOidcSignIn(ctx, clients, request.log, request.params.provider, request.cookies[LOGIN_COOKIE], query);
      await signIn(ctx, reply, identity);
      return reply.redirect(returnTo, 303);
    },
  );
};
