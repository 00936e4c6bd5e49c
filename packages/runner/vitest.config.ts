import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['source'] },
  test: {
    name: 'runner',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    globalSetup: ['test/build.global.ts'],
  },
});
