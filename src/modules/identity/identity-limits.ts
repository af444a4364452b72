import { createHmac } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';

const TEN_MINUTES = 10 * 60_000;

/**
 * Abuse limits on identity attempts (BRIEF §1: proxies and scripts multiplied the load in 2021):
 * per address and, when the request names a person, per person. Past either, 429 with
 * Retry-After in seconds. Keys are hashed so the limiter holds no phone numbers or addresses.
 */
export async function limitIdentityAttempts(ctx: Pick<Ctx, 'clock' | 'config' | 'rateLimiter'>, request: FastifyRequest, person?: { name: string; birthDate: string; phone: string }): Promise<void> {
  const now = ctx.clock.now();
  const hash = (s: string) => createHmac('sha256', ctx.config.secrets.personPepper).update(s).digest('base64url').slice(0, 22);
  const limits = ctx.config.identityLimits;
  const checks: [string, number][] = [[`id:addr:${hash(request.ip)}`, limits.perAddress]];
  if (person) checks.push([`id:person:${hash(`${person.birthDate}|${person.phone.replace(/\D/g, '')}`)}`, limits.perPerson]);
  for (const [key, limit] of checks) {
    const decision = await ctx.rateLimiter.hit(key, limit, TEN_MINUTES, now);
    if (!decision.allowed) throw new YeyakError('YEYAK_ERR_RATE_LIMITED', { retryAfterSeconds: decision.retryAfterSeconds });
  }
}
