// Stages the GPU suites for a GPU machine that has Node but no npm access:
// the built packages (dist + package.json) and koffi's native module in a
// node_modules of their own, and every packages/*/{test-gpu,bench-gpu,scripts}
// file beside it, so `node <dir>/<file>.mjs` resolves @vggt-perf-gate/* there.
//
//   npm run build && node scripts/stage-gpu-suite.mjs [out-dir]   (default .gpu/)
//   # on the GPU machine: node --test <out-dir>/*.gpu.test.mjs
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2] ?? '.gpu';
mkdirSync(join(out, 'node_modules', '@vggt-perf-gate'), { recursive: true });
for (const pkg of readdirSync('packages')) {
  const root = join('packages', pkg);
  if (!existsSync(join(root, 'dist')))
    throw new Error(`${root}/dist is missing: run npm run build first`);
  const target = join(out, 'node_modules', '@vggt-perf-gate', pkg);
  cpSync(join(root, 'dist'), join(target, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(target, 'package.json'));
  for (const dir of ['test-gpu', 'bench-gpu', 'scripts']) {
    if (!existsSync(join(root, dir))) continue;
    for (const file of readdirSync(join(root, dir))) {
      if (file.endsWith('.mjs') || file.endsWith('.py'))
        cpSync(join(root, dir, file), join(out, file));
    }
  }
}
// koffi (native) and the runner's own dependencies.
for (const dir of ['koffi', `@koromix/koffi-${process.platform}-${process.arch}`, 'yaml', 'zod']) {
  cpSync(join('node_modules', dir), join(out, 'node_modules', dir), { recursive: true });
}
console.log(`staged in ${out}`);
