import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['source'] },
  test: {
    name: 'action',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    globalSetup: ['test/bundle.global.ts'],
  },
});
