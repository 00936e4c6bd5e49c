import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const root = fileURLToPath(new URL('../../../', import.meta.url));

declare module 'vitest' {
  export interface ProvidedContext {
    /** A fresh bundle of the current sources, laid out like the repository's dist/. */
    bundleDir: string;
  }
}

/**
 * The tests run the action the way the Actions runner does, `node
 * dist/index.js`, on a bundle made here from the current sources (the
 * committed dist/ is compared with it by a test of its own).
 */
export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'perf-gate-action-bundle-'));
  execFileSync(process.execPath, [join(root, 'scripts/bundle-action.mjs'), dir], { stdio: 'pipe' });
  project.provide('bundleDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
