import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAccountsAllowed } from '../src/modules/demo/demo-accounts.ts';
import { seedDemoIfEmpty, describeSeedProgress, type DemoSeed, type SeedProgress } from '../src/modules/demo/demo-seed.ts';
import { demoAccountsText, servedUrls } from '../src/start-up-messages.ts';
import { onPostgres, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The first start's demo seed on a fresh store: clinics, the two campaigns with capacity, and — on
 * the embedded database only — an operator and a clinic-staff account whose initial passwords the
 * seed hands back once (the server prints them), which log in like any account.
 */
let t: TestApp;
let seed: DemoSeed | null;
const progress: SeedProgress[] = [];
const lines: string[] = [];

beforeAll(async () => {
  t = await startTestApp({ env: { LOG_LEVEL: 'info' }, logStream: { write: (line) => void lines.push(line) } });
  seed = await seedDemoIfEmpty(t.ctx, { clinicCount: 20, onProgress: (p) => progress.push(p) });
});
afterAll(() => t.close());

const login = (username: string, password: string) => t.app.inject({ method: 'POST', url: '/api/v1/admin/login', payload: { username, password } });

describe('the demo seed', () => {
  it('reports each step as it goes, and seeds once', async () => {
    expect(progress.slice(0, 2)).toEqual([
      { stage: 'start', clinics: 20 },
      { stage: 'clinics', done: 20, total: 20 },
    ]);
    expect(describeSeedProgress(progress[1]!)).toBe('seeding demo data: clinics 20/20');
    const covid = progress.filter((p) => p.stage === 'capacity' && p.campaignId === 'covid-2026');
    expect(covid.length).toBeGreaterThan(1);
    expect(covid.at(-1)).toMatchObject({ done: 49, total: 49 });
    expect(progress).toContainEqual({ stage: 'shares', campaignId: 'flu-2026-rotation' });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/campaigns' })).json().map((c: { id: string }) => c.id).sort()).toEqual(['covid-2026', 'flu-2026-rotation']);
    expect(await seedDemoIfEmpty(t.ctx, { clinicCount: 20 })).toBeNull();
  });

  it.skipIf(onPostgres)('makes an operator and a clinic-staff account on the embedded database, whose printed passwords log in', async () => {
    expect(seed!.accounts.map((a) => [a.role, a.username, a.institutionId])).toEqual([
      ['operator', 'demo-operator', null],
      ['clinic_staff', 'demo-clinic', 'H000001'],
    ]);
    const [operator, clinic] = seed!.accounts;
    for (const account of seed!.accounts) expect(account.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(operator!.password).not.toBe(clinic!.password);

    const asOperator = await login(operator!.username, operator!.password);
    expect(asOperator.statusCode, asOperator.body).toBe(200);
    expect(asOperator.json().role).toBe('operator');
    const opAuth = { authorization: `Bearer ${asOperator.json().token}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/admin/me', headers: opAuth })).statusCode).toBe(200);

    // The clinic portal signs in through the same login and then reads its clinic's day.
    const asClinic = await login(clinic!.username, clinic!.password);
    expect(asClinic.statusCode, asClinic.body).toBe(200);
    expect(asClinic.json().role).toBe('clinic_staff');
    // As the portal's page does: with the HttpOnly cookie the login set on the clinic API's path.
    const cookie = asClinic.cookies.find((c) => c.path === '/api/v1/clinic');
    expect(cookie?.httpOnly).toBe(true);
    const day = await t.app.inject({ method: 'GET', url: '/api/v1/clinic/appointments', cookies: { [cookie!.name]: cookie!.value } });
    expect(day.statusCode, day.body).toBe(200);
    expect(day.json().institutionId).toBe('H000001');
    expect((await login(operator!.username, clinic!.password)).statusCode).toBe(401);
  });

  it.skipIf(onPostgres)('stores only argon2id hashes, logs no password, and audits the accounts as made by the seed', async () => {
    const rows = await t.ctx.db.selectFrom('operators').select(['username', 'password_hash']).orderBy('username').execute();
    expect(rows.map((r) => r.username)).toEqual(['demo-clinic', 'demo-operator']);
    for (const row of rows) expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const dump = JSON.stringify((await sql`SELECT * FROM operators`.execute(t.ctx.db)).rows);
    const log = lines.join('\n');
    for (const { password } of seed!.accounts) {
      expect(dump).not.toContain(password);
      expect(log).not.toContain(password);
    }
    const audit = await t.ctx.db.selectFrom('audit_log').select(['actor', 'action']).where('action', '=', 'operator.created').execute();
    expect(audit).toEqual([
      { actor: 'system:demo-seed', action: 'operator.created' },
      { actor: 'system:demo-seed', action: 'operator.created' },
    ]);
  });

  it.runIf(onPostgres)('makes no account with a printed password on PostgreSQL (YEYAK_DEMO=1 with DATABASE_URL)', async () => {
    expect(seed!.accounts).toEqual([]);
    expect(await t.ctx.db.selectFrom('operators').select('id').execute()).toEqual([]);
  });

  it('allows demo accounts only where no DATABASE_URL is set', () => {
    expect(demoAccountsAllowed({ databaseUrl: null })).toBe(true);
    expect(demoAccountsAllowed({ databaseUrl: 'postgres://db.example:5432/yeyak' })).toBe(false);
  });
});

describe('the start-up messages', () => {
  it('point a browser on this machine at the site, the console and the clinic portal', () => {
    expect(servedUrls({ address: '127.0.0.1', family: 'IPv4', port: 3000 }, '127.0.0.1')).toEqual({
      site: 'http://localhost:3000/',
      console: 'http://localhost:3000/console/',
      clinic: 'http://localhost:3000/clinic/',
    });
    expect(servedUrls({ address: '0.0.0.0', family: 'IPv4', port: 8080 }, '0.0.0.0').site).toBe('http://localhost:8080/');
    expect(servedUrls({ address: '10.0.0.5', family: 'IPv4', port: 80 }, '10.0.0.5').console).toBe('http://10.0.0.5:80/console/');
  });

  it('print each demo account with where to use it', () => {
    const text = demoAccountsText(
      [
        { role: 'operator', username: 'demo-operator', password: 'p'.repeat(24), institutionId: null },
        { role: 'clinic_staff', username: 'demo-clinic', password: 'q'.repeat(24), institutionId: 'H000001' },
      ],
      servedUrls({ address: '127.0.0.1', family: 'IPv4', port: 3000 }, '127.0.0.1'),
    );
    expect(text).toContain(`operator console  http://localhost:3000/console/  username demo-operator  password ${'p'.repeat(24)}`);
    expect(text).toContain(`clinic portal     http://localhost:3000/clinic/   username demo-clinic    password ${'q'.repeat(24)}  (clinic H000001)`);
  });
});
