import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['source'] },
  test: {
    name: 'timing',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/build.global.ts'],
  },
});
