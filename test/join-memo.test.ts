import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySessionToken } from '../src/modules/identity/session-auth.ts';
import { signTicket, ticketSetCookie } from '../src/modules/waiting-room/credentials.ts';
import { ok, openCampaign, operator, person } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The join remembers what it verified and signed for the people who ask again (session-auth.ts,
 * credentials.ts). What it remembers must never outlive the clock's verdict, nor answer for
 * another token or another place.
 */
let t: TestApp;
let origin: string;
beforeAll(async () => {
  t = await startTestApp({ now: '2026-08-09T10:30:00Z' });
  await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign('memo'), operator);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  origin = `http://127.0.0.1:${address.port}`;
  t.clock.advance(60 * 60_000); // the queue opens
  await t.ctx.waitingRoom.refresh();
});
afterAll(() => t.close());

const join = (headers: Record<string, string>) => fetch(`${origin}/api/v1/campaigns/memo/queue/tickets`, { method: 'POST', headers });
const tokenOf = (who: { authorization: string }) => who.authorization.slice('Bearer '.length);
const refusal = (token: string) => {
  try {
    verifySessionToken(t.ctx, token);
    return null;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('remembered sessions', () => {
  it('are refused once the clock passes their expiry, over the fast path and when verified directly', async () => {
    const who = await person(t.app);
    expect((await join(who)).status).toBe(201);
    expect((await join(who)).status).toBe(200); // verified again: now remembered
    expect(verifySessionToken(t.ctx, tokenOf(who)).personKey).toEqual(expect.any(String));
    t.clock.advance(t.ctx.config.sessionTtlSeconds * 1000);
    expect(refusal(tokenOf(who))).toBe('YEYAK_ERR_UNAUTHENTICATED');
    const late = await join(who);
    expect(late.status).toBe(401);
    expect((await late.json()).error.code).toBe('YEYAK_ERR_UNAUTHENTICATED');
  });

  it('answer only for their exact token: another person gets their own, an altered signature none', async () => {
    const [a, b] = [await person(t.app), await person(t.app, '1968-02-02')];
    const sessionA = verifySessionToken(t.ctx, tokenOf(a));
    const sessionB = verifySessionToken(t.ctx, tokenOf(b));
    expect(sessionB.personKey).not.toBe(sessionA.personKey);
    // Kept from its second verification on (a token seen once is not worth keeping), then answered.
    const kept = verifySessionToken(t.ctx, tokenOf(a));
    expect(kept).not.toBe(sessionA);
    expect(verifySessionToken(t.ctx, tokenOf(a))).toBe(kept);
    expect(sessionB.person?.birthDate).toBe('1968-02-02');
    const token = tokenOf(a);
    const altered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(refusal(altered)).toBe('YEYAK_ERR_UNAUTHENTICATED');
    expect((await join({ authorization: `Bearer ${altered}` })).status).toBe(401);
  });
});

describe('remembered tickets', () => {
  const ticketClaims = (token: string) => t.ctx.signer.verify('ticket', token, t.clock.now()).claims;

  it('are the token signing gives for the same claims in the same second, and a new one when the place or the second changes', () => {
    const base = { personKey: 'pk-memo', by: null, campaignId: 'memo', position: 7 };
    const first = signTicket(t.ctx, base);
    expect(signTicket(t.ctx, base)).toBe(first);
    expect(t.ctx.signer.sign('ticket', 'pk-memo', t.clock.now(), 3 * 24 * 3600, { cid: 'memo', pos: 7, by: null })).toBe(first);
    const moved = signTicket(t.ctx, { ...base, position: 8 });
    expect(moved).not.toBe(first);
    expect(ticketClaims(moved).pos).toBe(8);
    const sealed = signTicket(t.ctx, { ...base, personSeal: 'seal' });
    expect(ticketClaims(sealed).pd).toBe('seal');
    expect(ticketClaims(signTicket(t.ctx, { ...base, by: 'guardian' })).by).toBe('guardian');
    const iat = ticketClaims(first).iat as number;
    t.clock.advance(1000);
    const later = signTicket(t.ctx, base);
    expect(later).not.toBe(first);
    expect(ticketClaims(later).iat).toBe(iat + 1);
  });

  it('set a cookie that carries the token given and is scoped to its campaign', () => {
    const token = signTicket(t.ctx, { personKey: 'pk-cookie', by: null, campaignId: 'memo', position: 1 });
    const other = signTicket(t.ctx, { personKey: 'pk-cookie', by: null, campaignId: 'memo', position: 2 });
    expect(ticketSetCookie(t.ctx, 'memo', token)).toMatch(new RegExp(`^yeyak_ticket=${token.replace(/\./g, '\\.')};.*Path=/api/v1/campaigns/memo`));
    expect(ticketSetCookie(t.ctx, 'memo', other)).toContain(other);
    expect(ticketSetCookie(t.ctx, 'other', token)).toContain('Path=/api/v1/campaigns/other');
  });
});
