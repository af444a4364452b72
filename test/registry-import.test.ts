import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxWorker } from '../src/outbox-workers.ts';
import { ok, openCampaign, operator, personKeyOfSession } from './support/fixtures.ts';
import { freePort, standInAdmin, startRegistryProcess, type StandInProcess } from './support/stand-in-process.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The scheduled import from the registry stand-in (a real child process): clinics and stock, and
 * the vaccination history into the local copy the booking path reads for "already vaccinated".
 */
describe('registry import', () => {
  let t: TestApp;
  let registry: StandInProcess;

  beforeAll(async () => {
    const port = await freePort();
    registry = await startRegistryProcess(port, ['--clinics', '4', '--latency-ms', '1-5', '--failure-rate', '0']);
    t = await startTestApp({ env: { YEYAK_REGISTRY_URL: registry.url, YEYAK_REGISTRY_IMPORT_INTERVAL_SECONDS: '300' } });
  });

  afterAll(async () => {
    await registry.kill();
    await t.close();
  });

  it('imports clinics, stock and history on schedule, and the booking path sees "already vaccinated" locally', async () => {
    await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign('imp'), operator);
    const session = { authorization: `Bearer ${(await ok(t.app, 'POST', '/api/v1/identity/dev', { name: '오접종', birthDate: '1960-01-01', phone: '010-8000-0001' })).session}` };
    const other = { authorization: `Bearer ${(await ok(t.app, 'POST', '/api/v1/identity/dev', { name: '나중에', birthDate: '1961-01-01', phone: '010-8000-0002' })).session}` };
    const [first, second] = [session, other].map((credential) => ({ person_key: personKeyOfSession(credential) }));
    const clinics = (await standInAdmin<{ clinics: { id: string }[] }>(registry.url, '/v1/clinics')).clinics;
    expect(clinics).toHaveLength(4);
    await standInAdmin(registry.url, '/_admin/stock', [{ clinicId: clinics[0]!.id, vaccine: 'mRNA', doses: 300 }]);
    await standInAdmin(registry.url, '/_admin/vaccinations', [
      { personKey: first!.person_key, vaccine: 'mRNA', dose: 1, administeredOn: '2026-06-01' },
      { personKey: first!.person_key, vaccine: 'mRNA', dose: 2, administeredOn: '2026-06-22' },
    ]);

    const worker = createOutboxWorker(t.ctx);
    await worker.runOnce();
    const imported = await t.ctx.db.selectFrom('institutions').select('id').where('id', 'in', clinics.map((c) => c.id)).execute();
    expect(imported).toHaveLength(4);
    expect(await t.ctx.db.selectFrom('clinic_stock').select(['institution_id', 'doses', 'source']).execute()).toEqual([{ institution_id: clinics[0]!.id, doses: 300, source: 'registry' }]);
    const me = await ok(t.app, 'GET', '/api/v1/me', undefined, session);
    expect(me.eligibility.find((e: { campaignId: string }) => e.campaignId === 'imp')).toMatchObject({ eligible: false, reason: 'ALREADY_VACCINATED' });
    expect((await ok(t.app, 'GET', '/api/v1/me', undefined, other)).eligibility.find((e: { campaignId: string }) => e.campaignId === 'imp')).toMatchObject({ eligible: true });

    // New history arrives at the registry: the next import (not before its interval) picks up only what is new.
    await standInAdmin(registry.url, '/_admin/vaccinations', [
      { personKey: second!.person_key, vaccine: 'mRNA', dose: 1, administeredOn: '2026-07-01' },
      { personKey: second!.person_key, vaccine: 'mRNA', dose: 2, administeredOn: '2026-07-22' },
    ]);
    await worker.runOnce();
    expect(await t.ctx.db.selectFrom('vaccination_records').select('person_key').execute()).toHaveLength(2);
    t.clock.advance(301_000);
    await worker.runOnce();
    expect(await t.ctx.db.selectFrom('vaccination_records').select('person_key').execute()).toHaveLength(4);
    expect(await t.ctx.db.selectFrom('registry_sync').select(['name', 'cursor']).execute()).toEqual([{ name: 'vaccinations', cursor: '4' }]);
    expect((await ok(t.app, 'GET', '/api/v1/me', undefined, other)).eligibility.find((e: { campaignId: string }) => e.campaignId === 'imp')).toMatchObject({ reason: 'ALREADY_VACCINATED' });
  }, 90_000);
});
