import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['source'] },
  test: { name: 'device', include: ['test/**/*.test.ts'] },
});
