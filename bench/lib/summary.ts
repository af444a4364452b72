/**
 * The machine-readable side of a bench report: each bench writes `bench/results/<name>-latest.json`
 * beside its markdown, with one figure per measured path (its rate, the baseline measured in the
 * same run, the ratio and the BRIEF §6 target), so `npm run bench` can put them in one table.
 */
import { readFileSync } from 'node:fs';
import { writeResult } from './report.ts';

export interface BenchFigure {
  /** The setup measured: `embedded`, `scale-out`, `PostgreSQL`. */
  setup: string;
  path: string;
  value: number;
  unit: string;
  baseline: number;
  baselineLabel: string;
  ratio: number;
  /** The least ratio BRIEF §6 asks for, or null. */
  target: number | null;
  /** Instead, for a cost: the most `value` may be (e.g. the write-ahead log per booking, ≤ 3 kB). */
  atMost?: number;
  /** Decimals to print `value`, `baseline` and `atMost` with (0 when absent). */
  digits?: number;
  /** The same ratio from CPU cost per operation (shrugs off neighbours); null when not measured. */
  costRatio: number | null;
}

export interface BenchSummary {
  bench: string;
  at: string;
  revision: string;
  figures: BenchFigure[];
  problems: string[];
  warnings: string[];
}

export function writeSummary(file: string, summary: BenchSummary): void {
  writeResult(file, JSON.stringify(summary, null, 2));
}

export function readSummary(file: string): BenchSummary {
  return JSON.parse(readFileSync(file, 'utf8')) as BenchSummary;
}
