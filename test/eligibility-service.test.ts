import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Database } from '../src/infra/db/database.ts';
import { migrateToLatest } from '../src/infra/db/migrate.ts';
import { inTransaction } from '../src/infra/db/transaction.ts';
import { ManualClock } from '../src/lib/clock.ts';
import { DEFAULT_ADMISSION, type Campaign } from '../src/modules/campaigns/campaign.ts';
import { CampaignCatalog, seedCampaign } from '../src/modules/campaigns/index.ts';
import { eligibilityOf, LocalVaccinationRegistry } from '../src/modules/eligibility/index.ts';
import { contactHashOf, type PersonRecord } from '../src/modules/identity/index.ts';
import { createDatabase, onPostgres } from './support/test-app.ts';

// The eligibility service on its own: no app, no waiting room, no signer — only the five parts
// `eligibilityOf` takes (a clock, the configuration's pepper, the database, the registry's local
// copy and the campaign catalog, which knows whether a campaign has a priority list).

const config = loadConfig({
  YEYAK_SIGNING_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  YEYAK_PERSON_PEPPER: randomBytes(32).toString('base64'),
  YEYAK_ENCRYPTION_KEYS: `e1:${randomBytes(32).toString('base64')}`,
});
const clock = new ManualClock('2026-08-10T02:00:00Z');

// Open to everyone born 1960–1980 from 2026-08-10 00:00 Seoul (2026-08-09T15:00Z) for ten days.
const campaign: Campaign = {
  id: 'solo',
  name: 'Eligibility alone',
  cohort: { bornFrom: '1960-01-01', bornTo: '1980-12-31' },
  vaccine: { name: 'solo-vaccine', doses: 2, intervalDays: 21 },
  queueOpensAt: new Date('2026-08-09T14:00:00Z'),
  windows: [{ id: 'open', kind: 'open', opensAt: new Date('2026-08-09T15:00:00Z'), closesAt: new Date('2026-08-19T15:00:00Z'), birthDayDigits: null, bornFrom: null, bornTo: null }],
  proxyAllowed: false,
  admission: DEFAULT_ADMISSION,
};

let database: Database;
let drop = async () => {};
let parts: Parameters<typeof eligibilityOf>[0];

const person = (personKey: string, birthDate: string, sealed?: PersonRecord['sealed']): PersonRecord => ({ personKey, birthDate, maskedName: '김*자', ...(sealed ? { sealed } : {}) });

beforeAll(async () => {
  const fresh = onPostgres ? await createDatabase(process.env.DATABASE_URL!, 'yeyak_test') : null;
  if (fresh) drop = fresh.drop;
  database = await openDatabase({ databaseUrl: fresh?.url ?? null, dataDir: null, poolSize: 2 });
  await migrateToLatest(database.db);
  await inTransaction(database.db, (trx) => seedCampaign(trx, campaign));
  parts = { campaigns: new CampaignCatalog(database.db), clock, config, db: database.db, registry: new LocalVaccinationRegistry(database.db) };
});
afterAll(async () => {
  await database.close();
  await drop();
});

describe('eligibilityOf, given only a clock, the configuration, the database and the registry', () => {
  it('admits a person of the cohort in an open window, and refuses one outside it', async () => {
    expect(await eligibilityOf(parts, campaign, person('p-cohort', '1970-05-05'))).toMatchObject({ eligible: true, reason: 'ELIGIBLE', window: { id: 'open' } });
    expect(await eligibilityOf(parts, campaign, person('p-young', '1995-05-05'))).toEqual({ eligible: false, reason: 'NOT_IN_COHORT', window: null });
  });

  it('finds a sealed person on the priority list by their contact hash, with no record of them', async () => {
    const sealed = { name: '김우선', phone: '010-5000-0001', verifiedAt: clock.now() };
    const listed = person('p-listed', '1996-06-06', sealed);
    expect((await eligibilityOf(parts, campaign, listed)).reason).toBe('NOT_IN_COHORT');
    const contactHash = contactHashOf(config.secrets.personPepper, sealed.name, listed.birthDate, sealed.phone);
    await database.db.insertInto('priority_entries').values({ campaign_id: campaign.id, contact_hash: contactHash, group_name: '수험생', created_at: clock.now() }).execute();
    // As the upload does: the catalog learns of the campaign's first list at once (test/eligibility.test.ts: another node's within its reload).
    parts.campaigns.invalidate();
    expect(await eligibilityOf(parts, campaign, listed)).toMatchObject({ eligible: true, reason: 'ELIGIBLE' });
  });

  it('reads "already vaccinated" from the local copy, unless the session already said', async () => {
    await database.db.insertInto('vaccination_records').values([1, 2].map((dose) => ({ person_key: 'p-done', vaccine: campaign.vaccine.name, dose, administered_on: '2026-03-01' }))).execute();
    const done = person('p-done', '1965-01-01');
    expect((await eligibilityOf(parts, campaign, done)).reason).toBe('ALREADY_VACCINATED');
    expect((await eligibilityOf(parts, campaign, done, undefined, { vaccinated: false })).reason).toBe('ELIGIBLE');
  });

  it('answers by the clock it is given: before the window opens, the person is told when it does', async () => {
    const early = { ...parts, clock: new ManualClock('2026-08-09T12:00:00Z') };
    expect(await eligibilityOf(early, campaign, person('p-early', '1970-05-05'))).toMatchObject({ eligible: false, reason: 'NOT_YOUR_WINDOW', window: { id: 'open' } });
  });
});
