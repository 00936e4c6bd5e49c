import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['source'] },
  test: {
    name: 'memory',
    include: ['test/**/*.test.ts'],
    // The sampler's worker thread runs compiled JavaScript from dist/, so build it first.
    globalSetup: ['test/build.global.ts'],
  },
});
