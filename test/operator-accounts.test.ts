import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenSigner } from '../src/lib/signed-tokens.ts';
import { ok, openCampaign, operator, person } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

// Staff accounts, login with lockout, operator tokens, roles and the audit log.
let t: TestApp;
const PASSWORD = 'correct horse battery staple';
const ids: Record<string, string> = {};
const institution = { id: 'K1', name: '한빛내과의원', address: '서울특별시 중구 세종대로 9', sido: '서울특별시', sigungu: '중구', lat: 37.56, lng: 126.97 };

type Method = 'GET' | 'POST';
const call = (method: Method, url: string, headers: Record<string, string> = {}, payload?: unknown) => t.app.inject({ method, url, headers, payload: payload as object });
const login = (username: string, password: string) => call('POST', '/api/v1/admin/login', {}, { username, password });

async function bearer(username: string): Promise<{ authorization: string }> {
  const res = await login(username, PASSWORD);
  expect(res.statusCode, res.body).toBe(200);
  return { authorization: `Bearer ${res.json().token}` };
}

async function auditRows() {
  return t.ctx.db.selectFrom('audit_log').selectAll().orderBy('id').execute();
}

beforeAll(async () => {
  t = await startTestApp({ now: '2026-08-10T02:00:00Z' });
  await ok(t.app, 'POST', '/api/v1/admin/institutions', [institution], operator);
  for (const [username, role, institutionId] of [['ops.kim', 'operator'], ['agent.lee', 'agent'], ['clinic.park', 'clinic_staff', 'K1'], ['lock.me', 'agent']]) {
    const created = await ok(t.app, 'POST', '/api/v1/admin/operators', { username, password: PASSWORD, role, institutionId }, operator);
    expect(created).toEqual({ id: expect.any(String), username, role, institutionId: institutionId ?? null });
    ids[username!] = created.id;
  }
});
afterAll(() => t.close());

describe('operator accounts', () => {
  it('stores only an argon2id hash with the OWASP parameters', async () => {
    const rows = await t.ctx.db.selectFrom('operators').select(['username', 'password_hash']).execute();
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('refuses bad accounts: duplicate username, missing or stray institution, short password', async () => {
    const create = (body: Record<string, unknown>) => call('POST', '/api/v1/admin/operators', operator, { username: 'new.one', password: PASSWORD, role: 'agent', ...body });
    expect((await create({ username: 'OPS.KIM'.toLowerCase() })).json().error.code).toBe('YEYAK_ERR_OPERATOR_EXISTS');
    expect((await create({ role: 'clinic_staff' })).json().error.code).toBe('YEYAK_ERR_VALIDATION');
    expect((await create({ role: 'clinic_staff', institutionId: 'NOPE' })).json().error.details.problems).toEqual([expect.stringContaining('NOPE')]);
    expect((await create({ institutionId: 'K1' })).statusCode).toBe(400);
    expect((await create({ password: 'short' })).statusCode).toBe(400);
    expect(await t.ctx.db.selectFrom('operators').select('id').where('username', '=', 'new.one').execute()).toEqual([]);
  });
});

describe('login', () => {
  it('issues an 8-hour operator token with the role', async () => {
    const res = await login('Ops.Kim', PASSWORD);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ token: expect.any(String), role: 'operator', expiresAt: '2026-08-10T19:00:00+09:00' });
    const verified = t.ctx.signer.verify('operator', res.json().token, t.clock.now());
    expect(verified).toMatchObject({ subject: ids['ops.kim'], claims: { role: 'operator', institutionId: null } });
    const clinic = t.ctx.signer.verify('operator', (await login('clinic.park', PASSWORD)).json().token, t.clock.now());
    expect(clinic.claims).toMatchObject({ role: 'clinic_staff', institutionId: 'K1' });
  });

  it('answers a wrong password and an unknown user the same way', async () => {
    const wrong = await login('ops.kim', 'not the password at all');
    const unknown = await login('nobody.here', 'not the password at all');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toBe(wrong.body);
    expect(wrong.json().error.code).toBe('YEYAK_ERR_OPERATOR_LOGIN_FAILED');
    expect(unknown.headers['content-type']).toBe(wrong.headers['content-type']);
    expect((await login('ops.kim', PASSWORD)).statusCode).toBe(200);
  });

  it('locks an account for 15 minutes after 5 failures in a row, then lets it in again', async () => {
    for (let i = 0; i < 5; i++) expect((await login('lock.me', `wrong-${i}`)).statusCode).toBe(401);
    const locked = await login('lock.me', PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('YEYAK_ERR_OPERATOR_LOCKED');
    expect(locked.headers['retry-after']).toBe('900');
    t.clock.advance(14 * 60_000);
    const still = await login('lock.me', 'wrong-again');
    expect([still.statusCode, still.headers['retry-after']]).toEqual([429, '60']);
    t.clock.advance(60_000);
    expect((await login('lock.me', PASSWORD)).statusCode).toBe(200);
    const row = await t.ctx.db.selectFrom('operators').select(['failed_logins', 'locked_until']).where('id', '=', ids['lock.me']!).executeTakeFirstOrThrow();
    expect(row).toEqual({ failed_logins: 0, locked_until: null });
    const actions = (await auditRows()).filter((r) => r.target === `operator:${ids['lock.me']}`).map((r) => r.action);
    expect(actions).toEqual(['operator.created', ...Array(5).fill('operator.login.failed'), 'operator.login.locked', 'operator.login.succeeded']);
  });

  it('locks unknown usernames alike, so a lockout does not tell who exists', async () => {
    for (const username of ['ghost', 'lock.me']) {
      for (let i = 0; i < 5; i++) expect((await login(username, `wrong-${i}`)).statusCode).toBe(401);
    }
    const [ghost, locked] = [await login('ghost', PASSWORD), await login('lock.me', PASSWORD)];
    expect(locked.statusCode).toBe(429);
    expect([ghost.statusCode, ghost.headers['retry-after'], ghost.body]).toEqual([locked.statusCode, locked.headers['retry-after'], locked.body]);
    t.clock.advance(15 * 60_000);
  });
});

describe('operator tokens', () => {
  it('refuses tampered, expired, foreign-key and wrong-kind tokens', async () => {
    const audit = (authorization: string) => call('GET', '/api/v1/admin/audit', { authorization });
    const agentToken = (await login('agent.lee', PASSWORD)).json().token as string;
    // Tampering: the agent rewrites its role claim to operator and keeps the signature.
    const [header, payload, signature] = agentToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, role: 'operator' })).toString('base64url');
    expect((await audit(`Bearer ${header}.${forgedPayload}.${signature}`)).json().error.code).toBe('YEYAK_ERR_OPERATOR_UNAUTHENTICATED');
    // Another key, same kid.
    const foreign = new TokenSigner([{ kid: 'test1', key: randomBytes(32) }]);
    expect((await audit(`Bearer ${await foreign.sign('operator', ids['ops.kim']!, t.clock.now(), 600, { role: 'operator' })}`)).statusCode).toBe(401);
    // Our key, but a role that does not exist.
    expect((await audit(`Bearer ${t.ctx.signer.sign('operator', 'x', t.clock.now(), 600, { role: 'root' })}`)).statusCode).toBe(401);
    // A citizen's session (or a ticket) is not an operator token, and an operator token is no session.
    const session = await person(t.app);
    expect((await audit(session.authorization)).json().error.code).toBe('YEYAK_ERR_OPERATOR_UNAUTHENTICATED');
    expect((await audit(`Bearer ${t.ctx.signer.sign('ticket', ids['ops.kim']!, t.clock.now(), 600, { role: 'operator' })}`)).statusCode).toBe(401);
    const opsToken = (await bearer('ops.kim')).authorization;
    expect((await call('GET', '/api/v1/me', { authorization: opsToken })).json().error.code).toBe('YEYAK_ERR_UNAUTHENTICATED');
    // Expiry, by the server clock.
    expect((await audit(opsToken)).statusCode).toBe(200);
    t.clock.advance(8 * 3600_000);
    expect((await audit(opsToken)).statusCode).toBe(401);
    expect((await audit('Bearer')).statusCode).toBe(401);
  });

  it('checks roles: operator-only endpoints refuse agents and clinic staff', async () => {
    const [agent, clinic, ops] = [await bearer('agent.lee'), await bearer('clinic.park'), await bearer('ops.kim')];
    const refused = async (method: Method, url: string, headers: Record<string, string>, payload?: unknown) => {
      const res = await call(method, url, headers, payload);
      expect([res.statusCode, res.json().error.code], url).toEqual([403, 'YEYAK_ERR_FORBIDDEN']);
    };
    await refused('POST', '/api/v1/admin/campaigns', agent, openCampaign('by-agent'));
    expect(await t.ctx.db.selectFrom('campaigns').select('id').where('id', '=', 'by-agent').execute()).toEqual([]);
    await refused('GET', '/api/v1/admin/audit', clinic);
    await refused('POST', '/api/v1/admin/operators', agent, { username: 'sneaky', password: PASSWORD, role: 'operator' });
    await refused('POST', '/api/v1/admin/institutions', clinic, [institution]);
    await refused('GET', '/api/v1/admin/campaigns/x/stats', agent);
    await refused('POST', '/api/v1/agent/identity', ops, { name: '김철수', birthDate: '1960-01-01', phone: '010-1234-5678' });
    await refused('POST', '/api/v1/agent/identity', clinic, { name: '김철수', birthDate: '1960-01-01', phone: '010-1234-5678' });
    expect((await call('POST', '/api/v1/admin/campaigns', {}, openCampaign('anon'))).statusCode).toBe(401);
  });
});

describe('audit log', () => {
  it('records every operator action with its actor, and no secrets or personal data', async () => {
    const before = (await auditRows()).length;
    const ops = await bearer('ops.kim');
    await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign('audited'), ops);
    await ok(t.app, 'POST', '/api/v1/admin/institutions', [{ ...institution, id: 'K2' }], ops);
    await ok(t.app, 'POST', '/api/v1/admin/campaigns/audited/capacity', [{ institutionId: 'K2', date: '2026-08-25', time: '09:00', doses: 4 }], ops);
    const created = await ok(t.app, 'POST', '/api/v1/admin/operators', { username: 'agent.choi', password: `${PASSWORD}!`, role: 'agent' }, ops);
    await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign('by-key'), operator);
    const added = (await auditRows()).slice(before).map((r) => ({ actor: r.actor, role: r.role, action: r.action, target: r.target, details: r.details }));
    const me = ids['ops.kim'];
    expect(added).toEqual([
      { actor: me, role: 'operator', action: 'operator.login.succeeded', target: `operator:${me}`, details: {} },
      { actor: me, role: 'operator', action: 'campaign.created', target: 'campaign:audited', details: {} },
      { actor: me, role: 'operator', action: 'institutions.uploaded', target: null, details: { upserted: 1 } },
      { actor: me, role: 'operator', action: 'capacity.uploaded', target: 'campaign:audited', details: { upserted: 1 } },
      { actor: me, role: 'operator', action: 'operator.created', target: `operator:${created.id}`, details: { role: 'agent', institutionId: null } },
      { actor: 'operator-key', role: 'operator', action: 'campaign.created', target: 'campaign:by-key', details: {} },
    ]);
    const everything = JSON.stringify(await auditRows());
    for (const secret of [PASSWORD, 'ghost', 'wrong-1', OPERATOR_KEY_TEXT]) expect(everything).not.toContain(secret);
  });

  it('lists newest first with keyset pagination', async () => {
    const ops = await bearer('ops.kim');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { entries: { id: string; at: string }[]; nextCursor: string | null } = await ok(t.app, 'GET', `/api/v1/admin/audit?limit=7${cursor ? `&cursor=${cursor}` : ''}`, undefined, ops);
      expect(page.entries.length).toBeLessThanOrEqual(7);
      expect(page.entries[0]?.at).toMatch(/\+09:00$/);
      seen.push(...page.entries.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    const all = (await auditRows()).map((r) => String(r.id)).reverse();
    expect(seen).toEqual(all);
    expect((await call('GET', '/api/v1/admin/audit?limit=0', ops)).statusCode).toBe(400);
    expect((await call('GET', '/api/v1/admin/audit?cursor=abc', ops)).statusCode).toBe(400);
  });

  it('is append-only: the database refuses UPDATE and DELETE', async () => {
    const before = await auditRows();
    await expect(sql`UPDATE audit_log SET action = 'nothing.happened'`.execute(t.ctx.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log WHERE id = ${before[0]!.id}`.execute(t.ctx.db)).rejects.toThrow(/append-only/);
    await expect(t.ctx.db.updateTable('audit_log').set({ actor: 'someone-else' }).execute()).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_log`.execute(t.ctx.db)).rejects.toThrow(/append-only/);
    expect(await auditRows()).toEqual(before);
  });
});

const OPERATOR_KEY_TEXT = operator.authorization.slice('Bearer '.length);
