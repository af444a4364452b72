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
});
