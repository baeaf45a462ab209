import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    env: { MASTRA_TELEMETRY_DISABLED: '1' },
    testTimeout: 20_000,
    hookTimeout: 20_000,
    isolate: false,
  },
});
