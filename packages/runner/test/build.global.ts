import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * End-to-end tests run the built CLI (dist/cli.js) the way users and the
 * Action do, and the memory sampler's worker is a built file: build every
 * package this one depends on, in dependency order, first.
 */
export default function setup(): void {
  const tsc = join(
    dirname(createRequire(import.meta.url).resolve('typescript/package.json')),
    'bin',
    'tsc',
  );
  const packages = fileURLToPath(new URL('../../', import.meta.url));
  for (const name of ['timing', 'device', 'memory', 'runner']) {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
      cwd: join(packages, name),
      stdio: 'inherit',
    });
  }
}
