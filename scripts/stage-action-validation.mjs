// Stages what running the shipped Action on a GPU machine needs, into one
// ignored folder that travels with the working tree:
//   <out>/shipped.tar     the repository at HEAD as `uses:` gets it (git archive:
//                         committed dist/, no node_modules)
//   <out>/fake-github.mjs the tests' local GitHub REST server, bundled to run with plain node
//
//   node scripts/stage-action-validation.mjs [out-dir]   (default .gpu/)
//   # there: examples/vggt-torch/validation/action-run.sh <label> <head-change>
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const out = process.argv[2] ?? '.gpu';
mkdirSync(out, { recursive: true });
execFileSync('git', ['archive', '--format=tar', '-o', join(out, 'shipped.tar'), 'HEAD']);
await build({
  entryPoints: ['packages/action/test/serve-github.ts'],
  outfile: join(out, 'fake-github.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
console.log(`staged the shipped Action (git archive HEAD) and the fake GitHub server in ${out}`);
