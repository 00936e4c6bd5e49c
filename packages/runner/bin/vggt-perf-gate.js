#!/usr/bin/env node
// The bin npm links at install time: it exists before the first build (npm
// links no bin whose file is missing, which left `npx vggt-perf-gate` with "could not
// determine executable to run" on a fresh clone), and it is committed with its
// run bit, which a build cannot take away. It runs the built CLI.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error(
    'vggt-perf-gate is not built yet: run `npm run build` at the repository root (or `npm install && npm run demo`, the README set-up command).',
  );
  process.exit(2);
}
await import(cli.href);
