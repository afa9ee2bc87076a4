import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll waits for state that becomes true eventually (a queue drained, a page updated); its default of 1 s
    // is shorter than a busy 2-core CI machine needs while the fuzzer runs beside the browser tests
    expect: { poll: { timeout: 15_000 } },
  },
});
