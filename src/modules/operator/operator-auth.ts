import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { TokenInvalidError } from '../../lib/signed-tokens.ts';
import { documentedAs } from '../../http/credential-docs.ts';

export const OPERATOR_ROLES = ['operator', 'clinic_staff', 'agent'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** The authenticated staff member behind a request. */
export interface OperatorPrincipal {
  /** The operator account's id, or `operator-key` for the automation key. */
  id: string;
  role: OperatorRole;
  /** The clinic a `clinic_staff` account is bound to; null for the other roles. */
  institutionId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireOperator`. */
    operator?: OperatorPrincipal;
  }
}

/**
 * The console's credential: the operator token as an HttpOnly cookie, because EventSource (the live
 * dashboard) cannot send an Authorization header. Scoped to the operator API and SameSite=Strict,
 * so no other site's page can make the browser send it.
 */
export const OPERATOR_COOKIE = 'yeyak_operator';
export const OPERATOR_COOKIE_PATH = '/api/v1/admin';
/** A clinic staff login gets the same cookie a second time, scoped to the clinic portal's API only. */
export const CLINIC_COOKIE_PATH = '/api/v1/clinic';

/** The principal of the automation key (`YEYAK_OPERATOR_KEY`). */
const OPERATOR_KEY_PRINCIPAL: OperatorPrincipal = Object.freeze({ id: 'operator-key', role: 'operator', institutionId: null });

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function isRole(value: unknown): value is OperatorRole {
  return typeof value === 'string' && (OPERATOR_ROLES as readonly string[]).includes(value);
}

/** Verifies an operator token (kind `operator`, pinned HS256) into its principal; null if not one. */
async function verifyOperatorToken(ctx: Pick<Ctx, 'clock' | 'signer'>, token: string): Promise<OperatorPrincipal | null> {
  try {
    const { subject, claims } = ctx.signer.verify('operator', token, ctx.clock.now());
    const institutionId = typeof claims.institutionId === 'string' ? claims.institutionId : null;
    if (!isRole(claims.role) || (claims.role === 'clinic_staff') !== (institutionId !== null)) return null;
    return { id: subject, role: claims.role, institutionId };
  } catch (error) {
    if (error instanceof TokenInvalidError) return null;
    throw error;
  }
}

/**
 * onRequest hook for staff endpoints: `Authorization: Bearer <YEYAK_OPERATOR_KEY>` (automation,
 * role operator; compared in constant time over digests so neither content nor length leaks) or
 * `Bearer <operator token>` from `POST /api/v1/admin/login`, or — with no Authorization header —
 * the console's `yeyak_operator` cookie holding such a token. No valid credential → 401; a valid one
 * whose role is not in `roles` → 403. Sets `request.operator`.
 *
 * @example app.post('/api/v1/admin/campaigns', { onRequest: requireOperator(ctx, ['operator']) }, …)
 */
export function requireOperator(ctx: Pick<Ctx, 'clock' | 'config' | 'signer'>, roles: readonly OperatorRole[]): onRequestAsyncHookHandler {
  if (roles.length === 0) throw new Error('requireOperator needs at least one role');
  const expected = ctx.config.operatorKey === null ? null : digest(ctx.config.operatorKey);
  return documentedAs('operator', async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    if (header === undefined) {
      // The cookie carries login tokens only; the automation key is never a cookie.
      const cookie = request.cookies[OPERATOR_COOKIE];
      const principal = cookie ? await verifyOperatorToken(ctx, cookie) : null;
      return admit(request, principal, roles);
    }
    const presented = /^Bearer (\S+)$/.exec(header)?.[1];
    if (!presented) throw new YeyakError('YEYAK_ERR_OPERATOR_UNAUTHENTICATED');
    const principal =
      expected !== null && timingSafeEqual(digest(presented), expected) ? OPERATOR_KEY_PRINCIPAL : await verifyOperatorToken(ctx, presented);
    admit(request, principal, roles);
  });
}

function admit(request: FastifyRequest, principal: OperatorPrincipal | null, roles: readonly OperatorRole[]): void {
  if (!principal) throw new YeyakError('YEYAK_ERR_OPERATOR_UNAUTHENTICATED');
  if (!roles.includes(principal.role)) throw new YeyakError('YEYAK_ERR_FORBIDDEN', { details: { required: [...roles] } });
  request.operator = principal;
}

/** The principal `requireOperator` set on this request. */
export function operatorOf(request: FastifyRequest): OperatorPrincipal {
  if (!request.operator) throw new YeyakError('YEYAK_ERR_OPERATOR_UNAUTHENTICATED');
  return request.operator;
}
