import type { Ctx } from '../../context.ts';
import type { RegistryClient } from './registry-client.ts';
import { addVaccinationRecords, saveSyncCursor, syncCursor, upsertRegistryClinics, upsertRegistryStock } from './registry.repository.ts';

const HISTORY_PAGE = 500;

export interface ImportResult {
  clinics: number;
  stock: number;
  vaccinations: number;
}

/**
 * One import from the registry: clinics and stock in full, vaccination history from the last
 * cursor on (so "already vaccinated" is read locally by the booking path, never from the registry).
 * A failure leaves the cursor where the last saved page ended; the next import resumes there.
 */
async function importFromRegistry(ctx: Pick<Ctx, 'clock' | 'db'>, client: RegistryClient): Promise<ImportResult> {
  const clinics = await upsertRegistryClinics(ctx.db, await client.clinics(), ctx.clock.now());
  const stock = await upsertRegistryStock(ctx.db, await client.stock(), ctx.clock.now());
  let vaccinations = 0;
  let after = Number((await syncCursor(ctx.db, 'vaccinations')) ?? '0');
  for (;;) {
    const page = await client.vaccinations(after, HISTORY_PAGE);
    await addVaccinationRecords(ctx.db, page.records);
    vaccinations += page.records.length;
    if (page.records.length === 0 || page.last <= after) break;
    after = page.last;
    await saveSyncCursor(ctx.db, 'vaccinations', String(after), ctx.clock.now());
    if (page.records.length < HISTORY_PAGE) break;
  }
  return { clinics, stock, vaccinations };
}

/** Runs `importFromRegistry` at most once per `intervalMs` of the injected clock (called every worker round). */
export function scheduledImport(ctx: Pick<Ctx, 'clock' | 'db'>, client: RegistryClient, intervalMs: number): () => Promise<ImportResult | null> {
  let lastStartedAt = Number.NEGATIVE_INFINITY;
  return async () => {
    const now = ctx.clock.now().getTime();
    if (now - lastStartedAt < intervalMs || !client.available()) return null;
    lastStartedAt = now;
    return importFromRegistry(ctx, client);
  };
}
