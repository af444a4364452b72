import { parse } from 'csv-parse/sync';
import { YeyakError } from '../errors.ts';

/** Records of a CSV file with a header row, and the line of the file each record starts on. */
export interface CsvRows {
  records: Record<string, string>[];
  /** `lines[i]` is the 1-based line of the file where `records[i]` starts (the header is line 1). */
  lines: number[];
}

interface ParsedRecord {
  record: Record<string, string>;
  info: { lines: number; empty_lines: number };
}

/**
 * Parses CSV with a header row into records, remembering where each starts in the file so an
 * error report can say "line 7" — the number an operator sees in an editor, even when empty lines
 * are skipped or a quoted field spans several lines. A malformed file is a 400 naming the line.
 */
export function parseCsv(text: string): CsvRows {
  let parsed: ParsedRecord[];
  try {
    parsed = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true, info: true }) as ParsedRecord[];
  } catch (error) {
    const line = (error as { lines?: unknown }).lines;
    throw new YeyakError('YEYAK_ERR_CSV_INVALID', { details: { problems: [(error as Error).message], ...(typeof line === 'number' ? { line } : {}) } });
  }
  const lines: number[] = [];
  // csv-parse reports the line a record ends on and a running count of skipped empty lines; a
  // record starts after the previous one ended plus the empty lines skipped in between.
  let previousEnd = 1;
  let previousEmpty = 0;
  for (const { info } of parsed) {
    lines.push(previousEnd + 1 + (info.empty_lines - previousEmpty));
    previousEnd = info.lines;
    previousEmpty = info.empty_lines;
  }
  return { records: parsed.map((p) => p.record), lines };
}

export interface RowProblem {
  /** 1-based position of the row among the data rows (the header not counted). */
  row: number;
  /** For a CSV upload: the line of the file the row starts on (the header is line 1). */
  line?: number;
  problems: string[];
}

/** A problem report for the row at `index`, with its CSV line when the rows came from a file. */
export function rowProblem(index: number, problems: string[], lines?: readonly number[]): RowProblem {
  const line = lines?.[index];
  return line === undefined ? { row: index + 1, problems } : { row: index + 1, line, problems };
}

/** Throws one 400 listing every bad row (rows are numbered from 1, the header not counted). */
export function rejectRows(rowProblems: RowProblem[]): void {
  if (rowProblems.length > 0) {
    throw new YeyakError('YEYAK_ERR_CSV_INVALID', { details: { rows: rowProblems.slice(0, 1000), badRows: rowProblems.length } });
  }
}
