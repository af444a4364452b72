import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { parseCsv, rejectRows, rowProblem, type RowProblem } from '../../http/csv.ts';
import { errorResponses, jsonOrCsvBody } from '../../http/schemas.ts';
import { inTransaction } from '../../infra/db/transaction.ts';
import { ClaimedIdentityBody, contactHashOf } from '../identity/index.ts';
import { auditedAs, type AuditInTransaction, operatorOf, requireOperator } from '../operator/index.ts';
import { upsertPriorityEntries } from './priority-entries.repository.ts';

const PriorityRow = Type.Object({ ...ClaimedIdentityBody.properties, group: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
type PriorityRow = { name: string; birthDate: string; phone: string; group: string };

/** Validates every row; any bad row is reported by number (and CSV line) and nothing is imported. */
function validRows(rows: unknown[], lines?: readonly number[]): PriorityRow[] {
  const problems: RowProblem[] = [];
  rows.forEach((row, index) => {
    const errors = [...Value.Errors(PriorityRow, row)].map((e) => `${e.instancePath || '/'} ${e.message}`);
    if (errors.length > 0) problems.push(rowProblem(index, errors, lines));
  });
  rejectRows(problems);
  return rows as PriorityRow[];
}

/**
 * Uploads a priority list (exam takers, disabled people, local priority groups): people outside
 * the cohort who may book. Identifiers are hashed at upload (HMAC of name, birth date and phone)
 * and the clear values are dropped at once; a verified person is matched by the same hash.
 */
async function importPriorityList(ctx: Pick<Ctx, 'campaigns' | 'clock' | 'config' | 'db'>, campaignId: string, body: unknown, audit: AuditInTransaction): Promise<number> {
  await ctx.campaigns.get(campaignId);
  const csv = typeof body === 'string' ? parseCsv(body) : null;
  const raw = csv ? csv.records : Array.isArray(body) ? body : null;
  if (!raw) throw new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems: ['expected a JSON array or text/csv'] } });
  const rows = validRows(raw, csv?.lines);
  const now = ctx.clock.now();
  const pepper = ctx.config.secrets.personPepper;
  const entries = [...new Map(rows.map((r) => [contactHashOf(pepper, r.name, r.birthDate, r.phone), r.group])).entries()];
  await inTransaction(ctx.db, async (trx) => {
    await upsertPriorityEntries(trx, campaignId, entries, now);
    await audit(trx, { upserted: entries.length });
  });
  // This node refuses nobody on the list from now on; the others within their catalog's reload.
  ctx.campaigns.invalidate();
  return entries.length;
}

/** `POST /api/v1/admin/campaigns/{campaignId}/priority-list` (JSON array or text/csv: name,birthDate,phone,group). */
export const priorityListRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  app.post(
    '/api/v1/admin/campaigns/:campaignId/priority-list',
    {
      onRequest: requireOperator(ctx, ['operator']),
      schema: {
        tags: ['operator'],
        params: Type.Object({ campaignId: Type.String() }),
        body: jsonOrCsvBody(100_000, 'The priority list: [{name, birthDate, phone, group}].'),
        response: { 200: Type.Object({ upserted: Type.Integer() }), ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => {
      const audit = auditedAs(operatorOf(request), ctx.clock.now(), 'priority-list.uploaded', request.params.campaignId);
      return { upserted: await importPriorityList(ctx, request.params.campaignId, request.body, audit) };
    },
  );
};
