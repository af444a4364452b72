// @ts-check
/**
 * The module boundaries of src/ as lint rules (docs/architecture.md, "Module boundaries"):
 * - `public-entry`: the server enters a feature module (`src/modules/<name>/`) only through its
 *   public file, `index.ts`; the browser code (`src/web/`) takes only a module's pure `domain/`
 *   files, or types, since everything else is server code.
 * - `private-repositories`: a module's public file does not hand out its repositories (its SQL),
 *   except the exports listed in the rule's `known` option (none are today).
 */
import { dirname, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** @param {string} file an absolute path */
function repositoryPath(file) {
  return relative(ROOT, file).split('\\').join('/');
}

/** @param {string} path a repository path, e.g. `src/modules/booking/booking.service.ts` */
function moduleOf(path) {
  const match = /^src\/modules\/([^/]+)\//.exec(path);
  return match ? match[1] : null;
}

/** @param {string} importer @param {string} specifier */
function targetOf(importer, specifier) {
  return repositoryPath(resolve(dirname(importer), specifier.replace(/\.js$/, '.ts')));
}

/**
 * Calls `check(node, specifier, typeOnly)` for every relative import, re-export and `import()`.
 * @param {(node: any, specifier: string, typeOnly: boolean) => void} check
 */
function eachImport(check) {
  /** @param {any} node */
  const fromDeclaration = (node) => {
    const source = node.source;
    if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
    const specifiers = node.specifiers ?? [];
    const typeOnly =
      node.importKind === 'type' || node.exportKind === 'type' || (specifiers.length > 0 && specifiers.every((/** @type {any} */ s) => s.importKind === 'type' || s.exportKind === 'type'));
    check(source, source.value, typeOnly);
  };
  return {
    ImportDeclaration: fromDeclaration,
    ExportNamedDeclaration: fromDeclaration,
    ExportAllDeclaration: fromDeclaration,
    /** @param {any} node */
    ImportExpression(node) {
      if (node.source.type === 'Literal' && typeof node.source.value === 'string' && node.source.value.startsWith('.')) check(node.source, node.source.value, false);
    },
  };
}

/** @type {import('eslint').Rule.RuleModule} */
const publicEntry = {
  meta: {
    type: 'problem',
    docs: { description: 'Enter a feature module only through its index.ts (the browser code: only its domain/ files or types)' },
    messages: {
      reachIn: "'{{target}}' is private to the {{module}} module: import it from src/modules/{{module}}/index.ts, and export it there if it is meant to be public.",
      serverCodeInBrowser: "'{{target}}' is server code: the browser code takes only a module's domain/ files (pure) or its types.",
    },
    schema: [],
  },
  create(context) {
    const importer = context.filename;
    const from = repositoryPath(importer);
    if (!from.startsWith('src/')) return {};
    const own = moduleOf(from);
    const browser = from.startsWith('src/web/');
    return eachImport((node, specifier, typeOnly) => {
      const target = targetOf(importer, specifier);
      const module = moduleOf(target);
      if (module === null || module === own) return;
      if (browser) {
        if (!typeOnly && !target.startsWith(`src/modules/${module}/domain/`)) context.report({ node, messageId: 'serverCodeInBrowser', data: { target } });
        return;
      }
      if (target !== `src/modules/${module}/index.ts`) context.report({ node, messageId: 'reachIn', data: { target, module } });
    });
  },
};

/** @type {import('eslint').Rule.RuleModule} */
const privateRepositories = {
  meta: {
    type: 'problem',
    docs: { description: "A module's public file does not export its repositories, except those listed as known" },
    messages: {
      repository: "The {{module}} module hands out '{{name}}' from {{file}}: repositories are private; offer a function of the module instead.",
    },
    schema: [{ type: 'object', properties: { known: { type: 'array', items: { type: 'string' } } }, additionalProperties: false }],
  },
  create(context) {
    const importer = context.filename;
    const path = repositoryPath(importer);
    const module = moduleOf(path);
    if (module === null || path !== `src/modules/${module}/index.ts`) return {};
    const known = new Set(/** @type {{ known?: string[] }} */ (context.options[0] ?? {}).known ?? []);
    return {
      /** @param {any} node */
      ExportNamedDeclaration(node) {
        const file = node.source?.value;
        if (typeof file !== 'string' || !/\.repository\.[jt]s$/.test(file)) return;
        for (const specifier of node.specifiers) {
          const name = specifier.exported.name;
          if (!known.has(`${module}/${name}`)) context.report({ node: specifier, messageId: 'repository', data: { module, name, file } });
        }
      },
      /** @param {any} node */
      ExportAllDeclaration(node) {
        const file = node.source?.value;
        if (typeof file === 'string' && /\.repository\.[jt]s$/.test(file)) context.report({ node, messageId: 'repository', data: { module, name: '*', file } });
      },
    };
  },
};

export default { rules: { 'public-entry': publicEntry, 'private-repositories': privateRepositories } };
