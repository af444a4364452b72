/**
 * What every benchmark report states about where it ran, and how it is written: the code measured
 * (commit, and whether src/ or migrations/ had changes on top), the machine, number formatting, and
 * the results file (bench/results/<name>-latest.md, committed as the last measured state).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';

/** The code measured: commit, and whether the working tree had changes in src/ or migrations/. */
export function revision(repoRoot: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'migrations'], { cwd: repoRoot, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} + uncommitted changes in src/ or migrations/` : head;
  } catch {
    return 'unknown revision';
  }
}

export function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? cpus()[0]?.model ?? '?';
  } catch {
    return cpus()[0]?.model ?? '?';
  }
}

/** `2 × AMD EPYC … · Node v24.x` */
export function machineLine(): string {
  return `${cpus().length} × ${cpuModel()} · Node ${process.version}`;
}

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

export const fmtCores = (n: number | null | undefined): string => (n === null || n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(2));

/** A markdown table from a header row and data rows. */
export function markdownTable(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Writes a report, creating its directory. */
export function writeResult(file: string, markdown: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
}
