import { createHash, createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * A synthetic person's key: HMAC of the label under the pepper, in a domain of its own (`probe:`,
 * where every citizen's is `ci:`), so no identity provider's answer can ever name a synthetic
 * person, nor the probe's label a citizen.
 */
export function syntheticPersonKeyOf(pepper: KeyObject, label: string): string {
  return createHmac('sha256', pepper).update(`probe:${label}`).digest('base64url');
}

/**
 * The probe credential (`Authorization: Bearer <YEYAK_PROBE_KEY>`), compared in constant time over
 * digests: 404 while none is configured, 401 when absent or wrong. It opens one door only — the
 * sign-in of a registered synthetic person (`probe.routes.ts`); no other route reads it.
 */
export function checkProbeKey(ctx: Pick<Ctx, 'config'>, request: FastifyRequest): void {
  const configured = ctx.config.probeKey;
  if (configured === null) throw new YeyakError('YEYAK_ERR_PROBE_DISABLED');
  const presented = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (!presented || !timingSafeEqual(digest(presented), digest(configured))) throw new YeyakError('YEYAK_ERR_PROBE_UNAUTHENTICATED');
}
