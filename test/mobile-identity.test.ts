import { describe, expect, it } from 'vitest';
import { ok } from './support/fixtures.ts';
import { startTestApp, useTestApp } from './support/test-app.ts';

const t = useTestApp();

let n = 0;
function someone() {
  n += 1;
  return { name: `모바일${n}`, birthDate: '1958-07-07', phone: `010-3000-${String(n).padStart(4, '0')}` };
}

async function start(who: { name: string; birthDate: string; phone: string }) {
  const { challengeId } = await ok(t.app, 'POST', '/api/v1/identity/mobile/start', who);
  const { code } = await ok(t.app, 'GET', `/api/v1/identity/mobile/dev-inbox/${challengeId}`);
  return { challengeId, code: code as string };
}

const verify = (challengeId: string, code: string) => t.app.inject({ method: 'POST', url: '/api/v1/identity/mobile/verify', payload: { challengeId, code } });

describe('mobile one-time code', () => {
  it('verifies a person by the code sent to their phone, as the same person as other providers', async () => {
    const who = someone();
    const { challengeId, code } = await start(who);
    expect(code).toMatch(/^\d{6}$/);
    const res = await verify(challengeId, code);
    expect(res.statusCode).toBe(201);
    expect(res.json().person).toEqual({ maskedName: `모**${who.name.slice(-1)}`, birthDate: who.birthDate });
    const viaDev = await ok(t.app, 'POST', '/api/v1/identity/dev', who);
    const meMobile = await ok(t.app, 'GET', '/api/v1/me', undefined, { authorization: `Bearer ${res.json().session}` });
    const meDev = await ok(t.app, 'GET', '/api/v1/me', undefined, { authorization: `Bearer ${viaDev.session}` });
    expect(meMobile).toEqual(meDev);
    // The code is consumed: a second use is refused.
    const again = await verify(challengeId, code);
    expect(again.statusCode).toBe(401);
    expect(again.json().error.code).toBe('YEYAK_ERR_OTP_EXPIRED');
  });

  it('counts wrong codes and locks the challenge after five', async () => {
    const { challengeId, code } = await start(someone());
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 1; i <= 5; i++) {
      const res = await verify(challengeId, wrong);
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toMatchObject({ code: 'YEYAK_ERR_OTP_INVALID', details: { attemptsLeft: 5 - i } });
    }
    const locked = await verify(challengeId, code);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('YEYAK_ERR_OTP_TOO_MANY_ATTEMPTS');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('expires a code after three minutes', async () => {
    const { challengeId, code } = await start(someone());
    t.clock.advance(3 * 60_000);
    const res = await verify(challengeId, code);
    t.clock.advance(-3 * 60_000);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('YEYAK_ERR_OTP_EXPIRED');
  });

  it('limits codes per phone and identity attempts per person, with Retry-After in seconds', async () => {
    const who = someone();
    for (let i = 0; i < 5; i++) await start(who);
    const sixth = await t.app.inject({ method: 'POST', url: '/api/v1/identity/mobile/start', payload: who });
    expect(sixth.statusCode).toBe(429);
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
    const other = someone();
    const codes = [];
    for (let i = 0; i < 11; i++) codes.push((await t.app.inject({ method: 'POST', url: '/api/v1/identity/dev', payload: other })).statusCode);
    expect(codes.slice(0, 10)).toEqual(Array(10).fill(201));
    expect(codes[10]).toBe(429);
  });

  it('limits identity attempts per network address', async () => {
    const strict = await startTestApp({ env: { YEYAK_IDENTITY_LIMIT_PER_ADDRESS: '3' } });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await strict.app.inject({ method: 'POST', url: '/api/v1/identity/dev', payload: someone() })).statusCode);
    await strict.close();
    expect(codes).toEqual([201, 201, 201, 429]);
  });

  it('never writes the code, name or phone to the database in clear', async () => {
    const who = someone();
    const { code } = await start(who);
    const rows = await t.ctx.db.selectFrom('otp_challenges').selectAll().execute();
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(who.name);
    expect(dump).not.toContain(who.phone.slice(-4) + '"');
    expect(rows.some((r) => r.code_hash.includes(code))).toBe(false);
  });
});
