import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { TokenInvalidError } from '../../lib/signed-tokens.ts';
import { SESSION_COOKIE, VerifiedSession } from '../identity/index.ts';
import { issueAdmission, verifyAdmission, type Admission } from './credentials.ts';
import { documentedAs } from '../../http/credential-docs.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The admission the booking gate verified. */
    admission?: Admission;
  }
}

/**
 * A session cookie sent beside the admission must be the same person's: a borrowed admission
 * next to one's own session is refused. (A stale or broken cookie is ignored: the admission
 * alone identifies the person.)
 */
async function checkSessionCookie(ctx: Pick<Ctx, 'clock' | 'signer'>, request: FastifyRequest, admission: Admission): Promise<void> {
  const cookie = request.cookies?.[SESSION_COOKIE];
  if (!cookie) return;
  try {
    const session = ctx.signer.verify('session', cookie, ctx.clock.now());
    if (session.subject !== (admission.by ?? admission.personKey)) throw new YeyakError('YEYAK_ERR_ADMISSION_MISMATCH');
  } catch (error) {
    if (!(error instanceof TokenInvalidError)) throw error;
  }
}

/** While the person is active, an admission with under half its time left is extended (best effort). */
async function extendIfActive(ctx: Pick<Ctx, 'clock' | 'config' | 'signer' | 'waitingRoom'>, reply: FastifyReply, admission: Admission): Promise<void> {
  const now = ctx.clock.now().getTime();
  const ttlMs = ctx.config.admissionTtlSeconds * 1000;
  if (admission.expiresAt.getTime() - now > ttlMs / 2) return;
  try {
    const expiresAtMs = await ctx.waitingRoom.store.extend(admission.campaignId, admission.personKey, now, ttlMs);
    if (expiresAtMs === null) return;
    const token = await issueAdmission(ctx, reply, { ...admission, expiresAt: new Date(expiresAtMs) });
    reply.header('yeyak-admission', token);
  } catch {
    // The store is down: the admission still holds until it expires (verified locally).
  }
}

/**
 * The one gate in front of every call that reads scarce data or writes a booking (BRIEF §4.2): an
 * admission from the waiting room, verified locally (so admissions already issued keep working
 * while the queue store is down), for this campaign, for the person whose session (if any) came
 * with it. Missing, forged, expired, another campaign's, a session or ticket in its place →
 * refused before the body is read. Routes without the campaign in their path (a change) check
 * `admissionFor(request, campaignId)` once they know it.
 */
export function requireBookingAccess(ctx: Pick<Ctx, 'clock' | 'config' | 'crypto' | 'signer' | 'waitingRoom'>): onRequestAsyncHookHandler {
  return documentedAs('admission', async (request: FastifyRequest, reply: FastifyReply) => {
    const admission = await verifyAdmission(ctx, request);
    const campaignId = (request.params as { campaignId?: string } | undefined)?.campaignId;
    if (campaignId !== undefined && campaignId !== admission.campaignId) throw new YeyakError('YEYAK_ERR_ADMISSION_MISMATCH');
    await checkSessionCookie(ctx, request, admission);
    request.admission = admission;
    // The acting person: the guardian when booking for a dependent, else the person themselves.
    request.personKey = admission.by ?? admission.personKey;
    // One's own admission carries the session's seal (bound to the person key, opened on first
    // use): the person without a `persons` read.
    if (admission.by === null && admission.personSeal) request.session = new VerifiedSession(ctx, admission.personKey, admission.personSeal);
    await extendIfActive(ctx, reply, admission);
  });
}

/** The gate's admission, which must be for `campaignId`. */
export function admissionFor(request: FastifyRequest, campaignId: string): Admission {
  const admission = request.admission;
  if (!admission) throw new YeyakError('YEYAK_ERR_ADMISSION_REQUIRED');
  if (admission.campaignId !== campaignId) throw new YeyakError('YEYAK_ERR_ADMISSION_MISMATCH');
  return admission;
}
