import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { errorResponses, Id } from '../../http/schemas.ts';
import { formatSeoul } from '../../lib/seoul-time.ts';
import { CLINIC_COOKIE_PATH, OPERATOR_COOKIE, OPERATOR_COOKIE_PATH, OPERATOR_ROLES, operatorOf, requireOperator } from './operator-auth.ts';
import { createOperator, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, USERNAME_PATTERN } from './operator-accounts.ts';
import { logIn } from './operator-login.ts';
import { prepareDummyHash } from './passwords.ts';

const Role = Type.Union([Type.Literal('operator'), Type.Literal('clinic_staff'), Type.Literal('agent')]);

const OperatorView = Type.Object({ id: Type.String(), username: Type.String(), role: Role, institutionId: Type.Union([Type.String(), Type.Null()]) });

/** Staff login and account management. */
export const operatorAccountRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  prepareDummyHash();
  const operatorCookie = { httpOnly: true, secure: ctx.config.secureCookies, sameSite: 'strict', path: OPERATOR_COOKIE_PATH } as const;

  app.post(
    '/api/v1/admin/login',
    {
      schema: {
        tags: ['operator'],
        // Loose limits here: a malformed username must get the same 401 as an unknown one.
        body: Type.Object(
          { username: Type.String({ minLength: 1, maxLength: 128 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ token: Type.String(), role: Role, expiresAt: Type.String() }),
          ...errorResponses(400, 401, 429),
        },
      },
    },
    async (request, reply) => {
      const { token, role, expiresAt } = await logIn(ctx, request.body.username, request.body.password);
      reply.header('cache-control', 'no-store');
      // The console's credential (its live dashboard's EventSource cannot send a header).
      reply.setCookie(OPERATOR_COOKIE, token, { ...operatorCookie, maxAge: ctx.config.operatorTokenTtlSeconds });
      // The clinic portal calls /api/v1/clinic/*, outside the console cookie's path; only clinic staff get this one.
      if (role === 'clinic_staff') reply.setCookie(OPERATOR_COOKIE, token, { ...operatorCookie, path: CLINIC_COOKIE_PATH, maxAge: ctx.config.operatorTokenTtlSeconds });
      return { token, role, expiresAt: formatSeoul(expiresAt) };
    },
  );

  app.post(
    '/api/v1/admin/logout',
    { schema: { tags: ['operator'], response: { 204: Type.Null() } } },
    async (_request, reply) => {
      // Clears the console's cookie; a bearer token stays valid until it expires (it is not stored).
      reply.clearCookie(OPERATOR_COOKIE, operatorCookie);
      reply.clearCookie(OPERATOR_COOKIE, { ...operatorCookie, path: CLINIC_COOKIE_PATH });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/admin/me',
    {
      onRequest: requireOperator(ctx, OPERATOR_ROLES),
      schema: { tags: ['operator'], response: { 200: Type.Object({ id: Type.String(), role: Role, institutionId: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(401) } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return operatorOf(request);
    },
  );

  app.post(
    '/api/v1/admin/operators',
    {
      onRequest: requireOperator(ctx, ['operator']),
      schema: {
        tags: ['operator'],
        body: Type.Object(
          {
            username: Type.String({ pattern: USERNAME_PATTERN }),
            password: Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH }),
            role: Role,
            institutionId: Type.Optional(Type.Union([Id, Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 201: OperatorView, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const created = await createOperator(ctx, operatorOf(request), request.body);
      return reply.code(201).send(created);
    },
  );
};
