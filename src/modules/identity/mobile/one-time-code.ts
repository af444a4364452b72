import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Ctx } from '../../../context.ts';
import { YeyakError } from '../../../errors.ts';
import { devConnectingInformation } from '../person-key.ts';
import type { VerifiedIdentity } from '../sign-in.ts';

/** A code lives 3 minutes and allows 5 tries; a phone gets at most 5 codes in 10 minutes. */
const OTP_POLICY = { ttlMs: 3 * 60_000, maxAttempts: 5, perPhonePer10Min: 5 };

export interface ClaimedIdentity {
  name: string;
  birthDate: string;
  phone: string;
}

function keyedHash(ctx: Pick<Ctx, 'config'>, value: string): string {
  return createHmac('sha256', ctx.config.secrets.personPepper).update(value).digest('base64url');
}

/**
 * Starts a mobile-phone verification: stores only a hash of a random 6-digit code (the claimed
 * identity encrypted) and sends the code through the message gateway. Never logged.
 */
export async function startChallenge(ctx: Pick<Ctx, 'clock' | 'config' | 'crypto' | 'db' | 'messages'>, claimed: ClaimedIdentity): Promise<string> {
  const now = ctx.clock.now();
  const phoneHash = keyedHash(ctx, `phone:${claimed.phone.replace(/\D/g, '')}`);
  const recent = await ctx.db
    .selectFrom('otp_challenges')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('phone_hash', '=', phoneHash)
    .where('created_at', '>', new Date(now.getTime() - 10 * 60_000))
    .executeTakeFirstOrThrow();
  if (recent.n >= OTP_POLICY.perPhonePer10Min) throw new YeyakError('YEYAK_ERR_RATE_LIMITED', { retryAfterSeconds: 600 });
  const id = randomUUID();
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  await ctx.db
    .insertInto('otp_challenges')
    .values({
      id,
      code_hash: keyedHash(ctx, `otp:${id}:${code}`),
      identity_enc: ctx.crypto.encrypt(JSON.stringify(claimed), `otp:${id}`),
      phone_hash: phoneHash,
      expires_at: new Date(now.getTime() + OTP_POLICY.ttlMs),
      created_at: now,
    })
    .execute();
  try {
    await ctx.messages.send({ to: claimed.phone, template: 'otp', params: { code }, idempotencyKey: `otp:${id}` });
  } catch {
    throw new YeyakError('YEYAK_ERR_MESSAGE_GATEWAY_UNAVAILABLE', { retryAfterSeconds: 5 });
  }
  return id;
}

/**
 * Checks a code: wrong codes count against the challenge (5 at most), an expired or used
 * challenge is refused, and a right code is consumed exactly once (a conditional update, so two
 * concurrent verifications cannot both succeed). Returns the verified identity.
 */
export async function verifyChallenge(ctx: Pick<Ctx, 'clock' | 'config' | 'crypto' | 'db'>, challengeId: string, code: string): Promise<VerifiedIdentity> {
  const now = ctx.clock.now();
  const row = await ctx.db.selectFrom('otp_challenges').selectAll().where('id', '=', challengeId).executeTakeFirst();
  if (!row || row.consumed_at !== null || row.expires_at.getTime() <= now.getTime()) throw new YeyakError('YEYAK_ERR_OTP_EXPIRED');
  if (row.attempts >= OTP_POLICY.maxAttempts) throw new YeyakError('YEYAK_ERR_OTP_TOO_MANY_ATTEMPTS', { retryAfterSeconds: 600 });
  const expected = Buffer.from(row.code_hash);
  const given = Buffer.from(keyedHash(ctx, `otp:${challengeId}:${code}`));
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    const counted = await ctx.db
      .updateTable('otp_challenges')
      .set({ attempts: sql`attempts + 1` })
      .where('id', '=', challengeId)
      .returning('attempts')
      .executeTakeFirstOrThrow();
    throw new YeyakError('YEYAK_ERR_OTP_INVALID', { details: { attemptsLeft: Math.max(0, OTP_POLICY.maxAttempts - counted.attempts) } });
  }
  const consumed = await ctx.db
    .updateTable('otp_challenges')
    .set({ consumed_at: now })
    .where('id', '=', challengeId)
    .where('consumed_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  if (!consumed) throw new YeyakError('YEYAK_ERR_OTP_EXPIRED');
  const claimed = JSON.parse(await ctx.crypto.decryptStored(row.identity_enc, `otp:${challengeId}`)) as ClaimedIdentity;
  // The carrier's check vouches for name, birth date and phone together; the stand-in CI is
  // derived from them, so the same person is the same whichever provider they use.
  return { ci: devConnectingInformation(claimed.name, claimed.birthDate, claimed.phone), ...claimed, sex: null };
}
