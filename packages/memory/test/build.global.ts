import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The sampler's worker thread and the README example run the compiled
 * package (dist/), so build it before the tests. The replay source used by
 * the tests needs nothing from @vggt-perf-gate/device, so that is not built.
 */
export default function setup(): void {
  const typescript = dirname(createRequire(import.meta.url).resolve('typescript/package.json'));
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, [join(typescript, 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
}
