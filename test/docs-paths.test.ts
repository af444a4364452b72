import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The repository's folders a document may cite a path in. */
const FOLDERS = ['src', 'test', 'docs', 'bench', 'scripts', 'deploy', 'migrations', 'load', 'chaos', 'probe', 'sim', 'reference-data'];

/** README.md, CHANGELOG.md, docs/*.md and every folder's README.md. */
function documents(): string[] {
  const readmes = FOLDERS.flatMap((folder) =>
    existsSync(folder)
      ? readdirSync(folder, { recursive: true })
          .map(String)
          .filter((file) => file.endsWith('README.md') && !file.includes('node_modules'))
          .map((file) => join(folder, file))
      : [],
  );
  return ['README.md', 'CHANGELOG.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => join('docs', f)), ...readmes];
}

/**
 * A newcomer follows the documents' references (issue 24): every repository path a document cites
 * in code font (`src/…`, `migrations/…`) and every relative link must exist. A renamed or deleted
 * file fails here, not in a reader's hands.
 */
describe('the documents’ references', () => {
  it('cite only paths that exist', () => {
    const cited = new RegExp(`\`((?:${FOLDERS.join('|')})/[A-Za-z0-9_./-]+)\``, 'g');
    const missing: string[] = [];
    const files = documents();
    expect(files.length).toBeGreaterThan(15);
    let references = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const [, path] of text.matchAll(cited)) {
        references += 1;
        const clean = path!.replace(/[.,:;]$/, '').replace(/\/$/, '');
        if (!existsSync(clean)) missing.push(`${file}: ${path}`);
      }
      for (const [, target] of text.matchAll(/\]\(((?!https?:|#|mailto:)[^)#\s]+)(?:#[^)]*)?\)/g)) {
        references += 1;
        if (!existsSync(join(dirname(file), target!))) missing.push(`${file}: link ${target}`);
      }
    }
    expect(references).toBeGreaterThan(300);
    expect(missing).toEqual([]);
  });

  it('say "last replaced" of a database function only with the migration that last defines it', () => {
    // Each function's defining migrations, in order (a migration's down may restore an older text, so the latest counts).
    const latest = new Map<string, number>();
    for (const file of readdirSync('migrations').filter((f) => /^\d{4}-.*\.ts$/.test(f)).sort()) {
      for (const [, name] of readFileSync(join('migrations', file), 'utf8').matchAll(/CREATE (?:OR REPLACE )?FUNCTION ([a-z_]+)/g)) latest.set(name!, Number(file.slice(0, 4)));
    }
    expect(latest.get('create_booking')).toBeGreaterThan(13);
    const sources = [...documents(), ...readdirSync('src', { recursive: true }).map(String).filter((f) => f.endsWith('.ts')).map((f) => join('src', f))];
    const wrong: string[] = [];
    let claims = 0;
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/last replaced( it)?/g)) {
        // "as 0025 last replaced it": the migration just before; "last replaced in 0025": the one just after.
        const migration = /(?:migrations\/|migration |as |\b)(\d{4})(?=[-\s`])/g;
        const cited = match[1]
          ? [...text.slice(Math.max(0, match.index - 80), match.index).matchAll(migration)].at(-1)?.[1]
          : text.slice(match.index, match.index + 80).match(new RegExp(migration.source))?.[1];
        const before = text.slice(Math.max(0, match.index - 300), match.index);
        for (const [name, number] of latest) {
          if (!before.includes(`\`${name}\``) || cited === undefined) continue;
          claims += 1;
          if (Number(cited) !== number) wrong.push(`${file}: ${name} cited as last replaced in ${cited}, defined last in ${String(number).padStart(4, "0")}`);
        }
      }
    }
    expect(claims).toBeGreaterThanOrEqual(4);
    expect(wrong).toEqual([]);
  });
});
