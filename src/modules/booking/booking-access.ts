import type { onRequestAsyncHookHandler } from 'fastify';
import type { Ctx } from '../../context.ts';
import { requireSession } from '../identity/session-auth.ts';

/**
 * The one gate in front of every call that reads scarce data or writes a booking (BRIEF §4.2).
 * Until the waiting room lands it requires a session; the admission requirement plugs in here,
 * and no route changes.
 */
export function requireBookingAccess(ctx: Ctx): onRequestAsyncHookHandler {
  return requireSession(ctx);
}
