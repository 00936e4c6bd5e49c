// Bundles the GitHub Action into one file the Actions runner can start with
// no npm install: dist/index.js (action.yml's `main`) and the VRAM sampler's
// worker-thread script, plus koffi, the NVML
// binding, which carries a native module and so cannot be inlined. The
// bundle is committed; check-dist (and a test) rebuild it and compare.
//
//   node scripts/bundle-action.mjs [out-dir]     (default: dist)
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(root, 'dist');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: {
    index: join(root, 'packages/action/src/index.ts'),
    // The VRAM sampler runs in a worker thread, started from the file next to
    // its caller: here, next to index.js.
    'sampler-worker': join(root, 'packages/memory/src/sampler-worker.ts'),
  },
  outdir: out,
  // Paths in the bundle's comments are relative to this: the repository's root,
  // wherever the script is started from, so every build is byte for byte the same.
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Workspace packages from their TypeScript sources: no stale dist/ of theirs can leak in.
  conditions: ['source'],
  // koffi is loaded through createRequire from the bundle's folder (copied below);
  // onnxruntime-node (hundreds of MB with CUDA) is the gated repository's to install.
  external: ['koffi', 'onnxruntime-node'],
  // Some bundled CommonJS dependencies call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __perfGateCreateRequire } from 'node:module';\nconst require = __perfGateCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  logLevel: 'warning',
});
// The Actions runner starts dist/index.js with plain node: mark it ESM here too,
// so the bundle does not depend on the root package.json.
writeFileSync(join(out, 'package.json'), `${JSON.stringify({ type: 'module' }, null, 2)}\n`);

// koffi's JavaScript and the Linux x64 native module (self-hosted GPU runners);
// without a native module for the platform, the device package falls back to nvidia-smi.
const modules = join(root, 'node_modules');
// Left out: docs, vendored C++ and koffi's C++/assembly sources. Kept: every
// .js/.cjs beside them, which koffi loads at start (src/koffi/src/static.cjs):
// leaving those out once made NVML fail to load and the bundle fall back to
// nvidia-smi without a word.
const NATIVE_SOURCE = /\/src\/koffi\/src\/.*\.(cc|hh|inc|S|asm|def)$/;
const keep = (src) =>
  !/\/(doc|vendor)(\/|$)|CMakeLists\.txt$/.test(src) && !NATIVE_SOURCE.test(src);
cpSync(join(modules, 'koffi'), join(out, 'node_modules/koffi'), { recursive: true, filter: keep });
for (const name of readdirSync(join(modules, '@koromix'))) {
  if (!name.startsWith('koffi-linux-x64')) continue;
  cpSync(join(modules, '@koromix', name), join(out, 'node_modules/@koromix', name), {
    recursive: true,
  });
}
console.log(`bundled the action into ${out}`);
