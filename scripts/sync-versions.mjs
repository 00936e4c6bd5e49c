#!/usr/bin/env node
// Writes each package's version, from its package.json (the one source, which
// changesets bumps), into src/version.ts for the code that reports it:
// `--version`, and the results file's tool.version (the Action's bundle has
// no package.json to read at run time). `npm run version-packages` runs this
// after `changeset version`; a test fails when the two disagree.
import { readFileSync, writeFileSync } from 'node:fs';

const PACKAGES = ['runner', 'device'];

for (const name of PACKAGES) {
  const dir = new URL(`../packages/${name}/`, import.meta.url);
  const { version } = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8'));
  writeFileSync(
    new URL('src/version.ts', dir),
    `/** This package's version, from its package.json (scripts/sync-versions.mjs writes this file). */\nexport const VERSION = '${version}';\n`,
  );
}
