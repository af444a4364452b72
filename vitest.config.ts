import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The production topology's suite runs on its own (npm run test:topology, vitest.topology.config.ts).
    exclude: [...configDefaults.exclude, 'test/topology/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // PGlite instances are heavy (WASM); two files at a time keeps a 2-core machine responsive.
    maxWorkers: 2,
  },
});
