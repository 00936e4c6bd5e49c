import { defineConfig } from 'vitest/config';

// One `npm test` runs every package: each package is a vitest project with its
// own config. Packages resolve each other's `source` export condition, so tests
// run against src/ and never against a stale dist/.
export default defineConfig({
  test: {
    projects: ['packages/*'],
  },
});
