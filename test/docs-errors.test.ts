import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../src/errors.ts';

/**
 * docs/errors.md lists every code of `ERRORS` with its status and message, and nothing else.
 * When this fails, paste the table printed in the failure message into docs/errors.md.
 */

interface Row {
  status: number;
  message: string;
}

const DOC = new URL('../docs/errors.md', import.meta.url);
// A table row of the page: | `YEYAK_ERR_…` | 409 | message |
const ROW = /^\|\s*`([^`]+)`\s*\|\s*(\d{3})\s*\|\s*(.*?)\s*\|\s*$/;

function documentedRows(markdown: string): [string, Row][] {
  return markdown
    .split(/\r?\n/)
    .map((line) => ROW.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, { status: Number(m[2]), message: m[3]! }]);
}

function expectedTable(): string {
  const lines = Object.entries(ERRORS).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.message} |`);
  return ['| code | HTTP status | message |', '|---|---|---|', ...lines].join('\n');
}

describe('docs/errors.md', () => {
  const rows = documentedRows(readFileSync(DOC, 'utf8'));
  const hint = `docs/errors.md is out of step with src/errors.ts; its table should read:\n\n${expectedTable()}\n`;

  it('lists each code once', () => {
    const codes = rows.map(([code]) => code);
    const repeated = codes.filter((code, i) => codes.indexOf(code) !== i);
    expect(repeated, hint).toEqual([]);
  });

  it('lists exactly the codes of ERRORS, with the same status and message', () => {
    const documented = Object.fromEntries(rows);
    const expected = Object.fromEntries(Object.entries(ERRORS).map(([code, e]): [string, Row] => [code, { status: e.status, message: e.message }]));
    expect(documented, hint).toEqual(expected);
  });
});
