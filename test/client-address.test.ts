import { describe, expect, it } from 'vitest';
import { DEFAULT_IDENTITY_LIMITS } from '../src/config.ts';
import { startTestApp } from './support/test-app.ts';

const DEFAULT_PER_ADDRESS = DEFAULT_IDENTITY_LIMITS.perAddress;

/**
 * BRIEF §5: behind a load balancer the node limits sign-ins by the client's address, which it
 * takes from `X-Forwarded-For` only when the peer is a proxy it was told to trust
 * (`YEYAK_TRUST_PROXY`); anyone else's header is ignored. The per-address limit is set to 3 here
 * so that a shared bucket shows at once.
 */

let n = 0;
const signIn = (t: Awaited<ReturnType<typeof startTestApp>>, remoteAddress: string, forwardedFor?: string) => {
  n += 1;
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/identity/dev',
    remoteAddress,
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
    payload: { name: `주소${n}`, birthDate: '1975-04-05', phone: `010-${4000 + Math.floor(n / 10_000)}-${String(n % 10_000).padStart(4, '0')}` },
  });
};

describe('the client address behind a proxy', () => {
  it('with no trusted proxy, believes the socket: a forged X-Forwarded-For does not escape the limit', async () => {
    const t = await startTestApp({ env: { YEYAK_IDENTITY_LIMIT_PER_ADDRESS: '3' } });
    try {
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push((await signIn(t, '198.51.100.7', `203.0.113.${i}`)).statusCode);
      expect(answers).toEqual([201, 201, 201, 429, 429]);
    } finally {
      await t.close();
    }
  });

  it('behind a trusted balancer, limits each client by its own address, and a stranger by its real one', async () => {
    const t = await startTestApp({ env: { YEYAK_IDENTITY_LIMIT_PER_ADDRESS: '3', YEYAK_TRUST_PROXY: '127.0.0.1/8,10.0.0.0/8' } });
    try {
      // 20 people from 20 addresses through the balancer: all in.
      for (let i = 0; i < 20; i++) expect((await signIn(t, '127.0.0.1', `198.51.100.${i}`)).statusCode).toBe(201);
      // One address past its limit: 429 with Retry-After in seconds; the others are unaffected.
      const one = [];
      for (let i = 0; i < 5; i++) one.push(await signIn(t, '10.1.2.3', '192.0.2.77'));
      expect(one.map((r) => r.statusCode)).toEqual([201, 201, 201, 429, 429]);
      expect(Number(one[3]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(one[3]!.json().error.code).toBe('YEYAK_ERR_RATE_LIMITED');
      expect((await signIn(t, '127.0.0.1', '192.0.2.78')).statusCode).toBe(201);
      // A peer outside the trusted ranges forging the header is limited by its real address.
      const forged = [];
      for (let i = 0; i < 5; i++) forged.push((await signIn(t, '203.0.113.9', `198.51.100.${100 + i}`)).statusCode);
      expect(forged).toEqual([201, 201, 201, 429, 429]);
    } finally {
      await t.close();
    }
  });

  it('lets a carrier NAT’s worth of people from one address sign in on the default limits', async () => {
    // startTestApp lifts the limit for the other suites: this one puts the shipped default back.
    const t = await startTestApp({ env: { YEYAK_IDENTITY_LIMIT_PER_ADDRESS: String(DEFAULT_PER_ADDRESS) } });
    try {
      const statuses = new Map<number, number>();
      for (let i = 0; i < 2_000; i++) {
        const status = (await signIn(t, '100.64.0.1')).statusCode;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
      expect(Object.fromEntries(statuses)).toEqual({ 201: 2_000 });
    } finally {
      await t.close();
    }
  }, 120_000);
});
