import { createHash, timingSafeEqual } from 'node:crypto';
import type { onRequestAsyncHookHandler } from 'fastify';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * onRequest hook for the operator API: `Authorization: Bearer <YEYAK_OPERATOR_KEY>`. Compared in
 * constant time over digests so neither content nor length leaks. Without a configured key (and
 * until operator accounts exist) the operator API refuses everyone.
 */
export function requireOperator(ctx: Ctx): onRequestAsyncHookHandler {
  const expected = ctx.config.operatorKey === null ? null : digest(ctx.config.operatorKey);
  return async (request) => {
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    if (!match?.[1] || expected === null || !timingSafeEqual(digest(match[1]), expected)) {
      throw new YeyakError('YEYAK_ERR_OPERATOR_UNAUTHENTICATED');
    }
  };
}
