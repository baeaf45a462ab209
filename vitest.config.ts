import { defineConfig } from 'vitest/config';

/** The black-box tests that run a second time with the bot on PostgreSQL (DATABASE_URL) instead of SQLite. */
const ON_POSTGRES_TOO = [
  'test/security/mentions.test.ts',
  'test/reliability/delivery.test.ts',
  'test/reliability/crash.test.ts',
  'test/approvals/approvals.test.ts',
  'test/connect/connect-flow.test.ts',
  'test/audit/accountability.test.ts',
  'test/watches/watch-start.test.ts',
  'test/watches/watch-poller.test.ts',
  'test/watches/watch-budget.test.ts',
  'test/conversation-cards/card-clicks.test.ts',
  'test/connect/connection-lifecycle.test.ts',
  'test/queue/my-queue.test.ts',
  // Only here: several bot processes on one database.
  'test/reliability/replicas.test.ts',
];

export default defineConfig({
  test: {
    env: { MASTRA_TELEMETRY_DISABLED: '1' },
    testTimeout: 20_000,
    hookTimeout: 20_000,
    isolate: false,
    // A throwaway PostgreSQL cluster for the run (or TEST_DATABASE_URL): the stores and the bot run on both drivers.
    globalSetup: ['test/helpers/postgres-cluster.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'sqlite', include: ['test/**/*.test.ts'], exclude: ['test/reliability/replicas.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'postgres', include: ON_POSTGRES_TOO, env: { BOT_TEST_DATABASE: 'postgres' } },
      },
    ],
  },
});
