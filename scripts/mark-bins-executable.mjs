#!/usr/bin/env node
// Gives a package's bins (package.json "bin") their run bit after a build:
// tsc writes plain files, and npm links node_modules/.bin/<name> to them, so
// without this `npx vggt-perf-gate` says "Permission denied" after every build.
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Marks every bin of the package at `packageDir` executable (0755); returns
 * the files marked. A bin not built yet is left for the build to write.
 *
 * @example
 * markBinsExecutable('packages/runner'); // ['packages/runner/dist/cli.js']
 */
export function markBinsExecutable(packageDir) {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const bins =
    typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
  const marked = [];
  for (const bin of bins) {
    const file = join(packageDir, bin);
    if (!existsSync(file)) continue;
    chmodSync(file, 0o755);
    marked.push(file);
  }
  return marked;
}

if (import.meta.url === `file://${process.argv[1]}`)
  markBinsExecutable(resolve(process.argv[2] ?? '.'));
