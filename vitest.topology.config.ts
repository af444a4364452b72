import { defineConfig } from 'vitest/config';

/**
 * The topology suite (`npm run test:topology`): `npm run cluster`'s processes through their
 * balancers, one file at a time — it owns fixed ports and most of the machine while it runs.
 */
export default defineConfig({
  test: {
    include: ['test/topology/**/*.topology.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 600_000,
    maxWorkers: 1,
    fileParallelism: false,
  },
});
