// Builds workspace packages with tsc, in the order given, for test setups
// whose tests run compiled code (a worker thread's file, a CLI, a README
// example importing the published entry point).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packages = fileURLToPath(new URL('../packages/', import.meta.url));

/** Builds packages/<name> for each name, in order (dependencies first). */
export function buildPackages(...names) {
  const tsc = join(
    dirname(createRequire(import.meta.url).resolve('typescript/package.json')),
    'bin',
    'tsc',
  );
  for (const name of names) {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
      cwd: join(packages, name),
      stdio: 'inherit',
    });
  }
}
