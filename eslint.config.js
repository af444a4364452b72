// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    files: ['bench/**', 'load/**', 'sim/**', 'scripts/**', 'deploy/**', 'chaos/**'],
    rules: { 'no-console': 'off' },
  },
);
