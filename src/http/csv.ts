import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { YeyakError } from '../errors.ts';

/** Accepts `text/csv` bodies as a string; modules parse them with `parseCsvRecords`. */
export function acceptCsvBodies(app: FastifyInstance): void {
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));
}

/** Parses CSV with a header row into records; a malformed file is a 400 naming the line. */
export function parseCsvRecords(text: string): Record<string, string>[] {
  try {
    return parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  } catch (error) {
    throw new YeyakError('YEYAK_ERR_CSV_INVALID', { details: { problems: [(error as Error).message] } });
  }
}

export interface RowProblem {
  row: number;
  problems: string[];
}

/** Throws one 400 listing every bad row (rows are numbered from 1, the header not counted). */
export function rejectRows(rowProblems: RowProblem[]): void {
  if (rowProblems.length > 0) {
    throw new YeyakError('YEYAK_ERR_CSV_INVALID', { details: { rows: rowProblems.slice(0, 1000), badRows: rowProblems.length } });
  }
}
