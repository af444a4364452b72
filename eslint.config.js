// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import moduleBoundaries from './eslint/module-boundaries.js';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // Domain code is plain TypeScript: it never touches clients, HTTP or SQL (STYLE.md).
    files: ['src/modules/**/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/infra/**', 'fastify', 'kysely', 'pg', '@electric-sql/*', 'ioredis'] }],
    },
  },
  {
    // The module boundaries (docs/architecture.md, "Module boundaries"); test/module-graph.test.ts adds the cycle check.
    files: ['src/**/*.ts'],
    plugins: { 'module-boundaries': moduleBoundaries },
    rules: {
      'module-boundaries/public-entry': 'error',
      // Repositories are private to their module: another module calls a function that says what it is for.
      'module-boundaries/private-repositories': 'error',
    },
  },
  {
    // The waiting room's store is its own: the rest of the server goes through the WaitingRoom facade.
    files: ['src/**/*.ts'],
    ignores: ['src/modules/waiting-room/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='store'][object.property.name='waitingRoom']",
          message: "The queue store is private to the waiting room: use the WaitingRoom's own methods (add one there if it is missing).",
        },
      ],
    },
  },
  {
    // A file that passes 300 lines is asking to be split (STYLE.md).
    files: ['**/*.ts', '**/*.js'],
    rules: { 'max-lines': ['error', { max: 300 }] },
  },
  {
    files: ['bench/**', 'load/**', 'sim/**', 'scripts/**', 'deploy/**', 'chaos/**'],
    rules: { 'no-console': 'off' },
  },
);
