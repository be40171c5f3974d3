import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Both cores of the CI machine (vitest's default leaves one idle on 2 cores): the suite is mostly
    // child processes, servers and I/O; one worker took 22 min, over CI's 20-minute limit.
    maxWorkers: 2,
  },
});
