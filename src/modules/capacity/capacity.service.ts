import { sql } from 'kysely';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { parseCsv, rejectRows, rowProblem, type RowProblem } from '../../http/csv.ts';
import { DateString, Id, TimeString } from '../../http/schemas.ts';
import { rebuildClinicDays } from '../campaigns/index.ts';
import { minutesOfDay } from '../../lib/seoul-time.ts';
import { inTransaction } from '../../infra/db/transaction.ts';
import { unknownInstitutionIds } from '../institutions/index.ts';
import type { AuditInTransaction } from '../operator/index.ts';

const CapacityRow = Type.Object(
  { institutionId: Id, date: DateString, time: TimeString, doses: Type.Integer({ minimum: 0, maximum: 100_000 }) },
  { additionalProperties: false },
);

interface CapacityInput {
  institutionId: string;
  date: string;
  time: string;
  doses: number;
}

const BATCH = 1000;

/** Validates every row (shape, duplicates, unknown institutions) and reports all bad rows at once, with their CSV lines. */
async function validRows(ctx: Pick<Ctx, 'db'>, rows: unknown[], lines?: readonly number[]): Promise<CapacityInput[]> {
  const problems: RowProblem[] = [];
  const seen = new Set<string>();
  // One look-up for every well-formed clinic id, so unknown clinics are reported with the other problems.
  const ids = rows.map((row) => (row as { institutionId?: unknown })?.institutionId).filter((id): id is string => typeof id === 'string' && Value.Check(Id, id));
  const unknown = new Set(await unknownInstitutionIds(ctx, [...new Set(ids)]));
  rows.forEach((row, index) => {
    const errors = [...Value.Errors(CapacityRow, row)].map((e) => `${e.instancePath || '/'} ${e.message}`);
    const id = (row as { institutionId?: unknown })?.institutionId;
    if (typeof id === 'string' && Value.Check(Id, id) && unknown.has(id)) errors.push(`unknown institution ${id}`);
    if (errors.length === 0) {
      const r = row as CapacityInput;
      const key = `${r.institutionId}|${r.date}|${r.time}`;
      if (seen.has(key)) errors.push(`duplicate slot ${r.institutionId} ${r.date} ${r.time}`);
      seen.add(key);
    }
    if (errors.length > 0) problems.push(rowProblem(index, errors, lines));
  });
  rejectRows(problems);
  return rows as CapacityInput[];
}

/** CSV columns: institutionId,date,time,doses. */
function rowsFromCsv(text: string): { records: unknown[]; lines: number[] } {
  const { records, lines } = parseCsv(text);
  return { records: records.map((r) => ({ ...r, doses: /^-?\d+$/.test(r.doses ?? '') ? Number(r.doses) : r.doses })), lines };
}

/**
 * Sets the doses of each listed half-hour slot, then rebuilds the affected clinic-days and their
 * rotation shares — all in one transaction. A slot cannot go below what is already booked there.
 */
export async function upsertCapacity(ctx: Pick<Ctx, 'campaigns' | 'db'>, campaignId: string, body: unknown, audit: AuditInTransaction): Promise<number> {
  const campaign = await ctx.campaigns.get(campaignId);
  const csv = typeof body === 'string' ? rowsFromCsv(body) : null;
  const raw = csv ? csv.records : Array.isArray(body) ? body : null;
  if (!raw) throw new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems: ['expected a JSON array or text/csv'] } });
  const rows = await validRows(ctx, raw, csv?.lines);
  if (rows.length === 0) return 0;
  // inTransaction: a deadlock with bookings in flight is retried, never a 500.
  await inTransaction(ctx.db, async (trx) => {
    for (let i = 0; i < rows.length; i += BATCH) {
      const batch = rows.slice(i, i + BATCH);
      const written = await trx
        .insertInto('capacity_slots')
        .values(batch.map((r) => ({ campaign_id: campaignId, institution_id: r.institutionId, date: r.date, minute: minutesOfDay(r.time), capacity: r.doses })))
        .onConflict((oc) =>
          oc
            .columns(['campaign_id', 'institution_id', 'date', 'minute'])
            .doUpdateSet({ capacity: sql`excluded.capacity` })
            .where('capacity_slots.booked', '<=', sql<number>`excluded.capacity`),
        )
        .returning('minute')
        .execute();
      if (written.length < batch.length) throw new YeyakError('YEYAK_ERR_CAPACITY_BELOW_BOOKED');
      const pairs = [...new Map(batch.map((r) => [`${r.institutionId}|${r.date}`, { institutionId: r.institutionId, date: r.date }])).values()];
      await rebuildClinicDays(trx, campaign, pairs);
    }
    await audit(trx, { upserted: rows.length });
  });
  return rows.length;
}
