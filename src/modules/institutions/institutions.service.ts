import { Value } from 'typebox/value';
import type { Ctx } from '../../context.ts';
import { parseCsv, rejectRows, rowProblem, type RowProblem } from '../../http/csv.ts';
import { YeyakError } from '../../errors.ts';
import type { Institution } from './institution.ts';
import { existingInstitutionIds, upsertInstitutions } from './institutions.repository.ts';
import { InstitutionBody } from './institutions.schemas.ts';
import type { AuditInTransaction } from '../operator/index.ts';

/** Checks each row against the institution schema; every bad row is reported (with its CSV line), none is imported. */
function institutionsFromRows(rows: unknown[], lines?: readonly number[]): Institution[] {
  const problems: RowProblem[] = [];
  const seen = new Set<string>();
  rows.forEach((row, index) => {
    const errors = [...Value.Errors(InstitutionBody, row)].map((e) => `${e.instancePath || '/'} ${e.message}`);
    const id = (row as { id?: unknown })?.id;
    if (typeof id === 'string' && seen.has(id)) errors.push(`duplicate id ${id}`);
    if (typeof id === 'string') seen.add(id);
    if (errors.length > 0) problems.push(rowProblem(index, errors, lines));
  });
  rejectRows(problems);
  return rows as Institution[];
}

/** CSV columns: id,name,address,sido,sigungu,lat,lng. */
function institutionsFromCsv(text: string): Institution[] {
  const { records, lines } = parseCsv(text);
  // A blank or non-numeric coordinate stays a string, so the report says "must be number", not "NaN".
  const numeric = (v: string | undefined) => (v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : v);
  return institutionsFromRows(records.map((r) => ({ ...r, lat: numeric(r.lat), lng: numeric(r.lng) })), lines);
}

/** Upserts institutions from a JSON array or CSV text, all or nothing. */
export async function importInstitutions(ctx: Pick<Ctx, 'db'>, body: unknown, audit: AuditInTransaction): Promise<number> {
  const institutions = typeof body === 'string' ? institutionsFromCsv(body) : Array.isArray(body) ? institutionsFromRows(body) : null;
  if (!institutions) throw new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems: ['expected a JSON array or text/csv'] } });
  if (institutions.length === 0) return 0;
  return upsertInstitutions(ctx.db, institutions, (trx) => audit(trx, { upserted: institutions.length }));
}

/** Stores clinics the server makes itself (the demo's, the probe's), all or nothing: trusted as written, so neither checked nor audited as an operator's import is. */
export async function seedInstitutions(ctx: Pick<Ctx, 'db'>, institutions: Institution[]): Promise<number> {
  return upsertInstitutions(ctx.db, institutions);
}

/** The ids among `ids` that name no institution, in their order: what a list of clinics from a request may not hold. */
export async function unknownInstitutionIds(ctx: Pick<Ctx, 'db'>, ids: string[]): Promise<string[]> {
  const known = await existingInstitutionIds(ctx.db, ids);
  return ids.filter((id) => !known.has(id));
}
