import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A throwaway PostgreSQL cluster for the run (or TEST_DATABASE_URL): the stores and the bot run on both drivers.
    globalSetup: ['test/helpers/postgres-cluster.ts'],
    env: { MASTRA_TELEMETRY_DISABLED: '1' },
    testTimeout: 20_000,
    hookTimeout: 20_000,
    isolate: false,
  },
});
