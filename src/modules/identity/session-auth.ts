import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { TokenInvalidError } from '../../lib/signed-tokens.ts';
import { findPerson, type PersonRecord } from './persons.repository.ts';
import '@fastify/cookie';

export const SESSION_COOKIE = 'yeyak_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified person behind the request's session, set by `requireSession`. */
    personKey?: string;
  }
}

/** The bearer token, else the named cookie. */
export function credentialOf(request: FastifyRequest, cookieName: string): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
    return match?.[1];
  }
  return request.cookies?.[cookieName];
}

/** Verifies the session credential and returns the person key, or throws 401. */
export async function verifySession(ctx: Ctx, request: FastifyRequest): Promise<string> {
  const token = credentialOf(request, SESSION_COOKIE);
  if (!token) throw new YeyakError('YEYAK_ERR_UNAUTHENTICATED');
  try {
    const verified = ctx.signer.verify('session', token, ctx.clock.now());
    return verified.subject;
  } catch (error) {
    if (error instanceof TokenInvalidError) throw new YeyakError('YEYAK_ERR_UNAUTHENTICATED');
    throw error;
  }
}

/** onRequest: the request must carry a valid session. */
export function requireSession(ctx: Ctx): onRequestAsyncHookHandler {
  return async (request) => {
    request.personKey = await verifySession(ctx, request);
  };
}

/** The person behind an authenticated request (after `requireSession` or the booking gate). */
export async function personOf(ctx: Ctx, request: FastifyRequest): Promise<PersonRecord> {
  const person = request.personKey === undefined ? undefined : await findPerson(ctx.db, request.personKey);
  if (!person) throw new YeyakError('YEYAK_ERR_UNAUTHENTICATED');
  return person;
}
