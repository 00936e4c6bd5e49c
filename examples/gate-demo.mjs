// The built-in example: the real gate, end to end, on a machine with no GPU.
//
//   npm install && npm run demo
//
// 1. Makes a throwaway git repository with two commits: the base commit holds
//    a small VGGT-shaped ONNX model (patch embedding, alternating frame-wise
//    and global attention blocks, camera and depth heads; tiny widths), the
//    head commit the same model with an injected slowdown (redundant matmuls
//    in every attention block), and a perf-gate.yml that gates it.
// 2. Runs `vggt-perf-gate run --base HEAD~1` there, exactly as the Action
//    will: base checked out into a temporary worktree, base and head
//    interleaved in ABBA rounds on the onnxruntime CPU provider, results
//    JSON + Markdown report written, exit code 1 on the regression.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildVggtShapedModel,
  DEMO_HEAD_SLOWDOWN,
  DEMO_MODEL_OPTIONS,
  DEMO_MODEL_PATH,
} from '@vggt-perf-gate/runner/demo';

const repo = mkdtempSync(join(tmpdir(), 'perf-gate-demo-'));
const git = (...args) => {
  const r = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
};
const writeModel = (slowdown) => {
  mkdirSync(join(repo, 'models'), { recursive: true });
  writeFileSync(
    join(repo, DEMO_MODEL_PATH),
    buildVggtShapedModel({ ...DEMO_MODEL_OPTIONS, slowdown }),
  );
};

git('init', '-q', '-b', 'main');
git('config', 'user.email', 'demo@example.com');
git('config', 'user.name', 'perf-gate demo');
writeFileSync(
  join(repo, 'perf-gate.yml'),
  `# Gate a VGGT-shaped model on the onnxruntime CPU provider.
version: 1
defaults:
  # JavaScript-hosted CPU inference on a shared machine is noisier than a GPU:
  # a 5% threshold (GPU gates default to 2%).
  threshold: { latency: 0.05 }
  # No maxRounds: the 120 s decide, so a loaded machine gets more rounds, not a shrug.
  budget: { maxSeconds: 120, iterationsPerRound: 10 }
  warmup: { iterations: 10 }
benchmarks:
  - name: vggt-tiny-4f
    metrics: [latency, memory]
    workload:
      kind: onnx
      model: ${DEMO_MODEL_PATH}
      provider: cpu
`,
);
writeModel(0);
git('add', '.');
git('commit', '-q', '-m', 'base: VGGT-shaped model');
writeModel(DEMO_HEAD_SLOWDOWN);
git('commit', '-q', '-am', 'head: an accidental slowdown in every attention block');

console.log(`demo repository: ${repo} (base = HEAD~1, head = HEAD)\n`);
const cli = fileURLToPath(new URL('../packages/runner/dist/cli.js', import.meta.url));
const gate = spawnSync(
  process.execPath,
  [
    cli,
    'run',
    '--base',
    'HEAD~1',
    '--dir',
    repo,
    '--config',
    join(repo, 'perf-gate.yml'),
    '--results',
    join(repo, 'results.json'),
    '--markdown',
    join(repo, 'report.md'),
  ],
  { stdio: 'inherit' },
);
console.log(`\nMarkdown report (what the PR comment shows): ${join(repo, 'report.md')}`);
console.log(readFileSync(join(repo, 'report.md'), 'utf8').split('\n').slice(0, 8).join('\n'));
console.log(
  `\nvggt-perf-gate exited with ${gate.status} (1 = regression found, as intended: the head commit is slower).`,
);
// The demo succeeds when the gate caught the injected regression.
process.exitCode = gate.status === 1 ? 0 : 1;
