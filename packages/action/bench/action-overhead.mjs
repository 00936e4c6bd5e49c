// The action's own cost beyond measuring: start-up, config, probe, base
// checkout, reports, job summary and the PR comment (target: under 5 s).
//
//   npm run bundle && node packages/action/bench/action-overhead.mjs [runs=5]
//
// Runs the bundled dist/index.js as the Actions runner does, on a git
// repository whose benchmark is a samples harness that returns at once, so
// nearly all of the wall time is overhead. The GitHub API is a local server
// (the tests' fake, transpiled here), so on a real runner the network round
// trips of its 2-3 API calls come on top (not measured here).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const runs = Number(process.argv[2] ?? 5);

const scratch = mkdtempSync(join(tmpdir(), 'perf-gate-overhead-'));
await build({
  entryPoints: [join(here, '../test/github-server.ts')],
  outfile: join(scratch, 'github-server.mjs'),
  format: 'esm',
  platform: 'node',
  logLevel: 'warning',
});
const { FakeGitHub } = await import(pathToFileURL(join(scratch, 'github-server.mjs')).href);

function repository() {
  const dir = mkdtempSync(join(tmpdir(), 'perf-gate-overhead-repo-'));
  const git = (...args) => spawnSync('git', args, { cwd: dir, stdio: 'ignore' });
  writeFileSync(
    join(dir, 'bench.mjs'),
    "import { writeFileSync } from 'node:fs';\nwriteFileSync(process.env.PERF_GATE_SAMPLES_OUTPUT, JSON.stringify({ version: 1, samples: [10, 10.1, 9.9, 10.05, 10, 9.95] }));\n",
  );
  writeFileSync(
    join(dir, 'perf-gate.yml'),
    `version: 1\nbenchmarks:\n  - name: instant\n    metrics: [latency]\n    threshold: { latency: 0.05 }\n    budget: { maxRounds: 4 }\n    workload: { kind: samples, command: [${JSON.stringify(process.execPath)}, bench.mjs], output: samples.json }\n`,
  );
  git('init', '-q', '-b', 'main');
  git('-c', 'user.email=a@b', '-c', 'user.name=a', 'add', '.');
  git('-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-q', '-m', 'base');
  git('-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-q', '--allow-empty', '-m', 'head');
  return dir;
}

const token = 'ghs_benchToken';
const event = join(scratch, 'event.json');
writeFileSync(
  event,
  JSON.stringify({
    number: 1,
    pull_request: {
      number: 1,
      base: { sha: 'HEAD~1', repo: { full_name: 'org/app' } },
      head: { sha: 'HEAD', repo: { full_name: 'org/app' } },
    },
  }),
);
const rows = [];
for (let i = 0; i < runs; i++) {
  const github = await new FakeGitHub(token).start();
  const dir = repository();
  const out = join(scratch, `out-${i}`);
  writeFileSync(out, '');
  writeFileSync(join(scratch, `summary-${i}`), '');
  const started = performance.now();
  const child = spawn(process.execPath, [join(root, 'dist/index.js')], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_OUTPUT: out,
      GITHUB_STEP_SUMMARY: join(scratch, `summary-${i}`),
      GITHUB_API_URL: github.url,
      GITHUB_REPOSITORY: 'org/app',
      GITHUB_RUN_ID: '1',
      GITHUB_WORKSPACE: dir,
      'INPUT_GITHUB-TOKEN': token,
      'INPUT_BASE-REF': 'HEAD~1',
    },
  });
  let stdout = '';
  child.stdout.on('data', (c) => {
    stdout += c;
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  const wall = (performance.now() - started) / 1000;
  await github.stop();
  const m = stdout.match(/measuring took ([\d.]+) s, everything else .* ([\d.]+) s/);
  if (code !== 0 || !m) throw new Error(`run ${i} failed (exit ${code}):\n${stdout}`);
  rows.push({ wall, measuring: Number(m[1]), comments: github.comments.length });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const overhead = rows.map((r) => r.wall - r.measuring);
console.log('run  wall (s)  measuring (s)  overhead (s)');
for (const [i, r] of rows.entries()) {
  console.log(
    `${String(i + 1).padStart(3)}  ${r.wall.toFixed(2).padStart(8)}  ${r.measuring.toFixed(2).padStart(13)}  ${(r.wall - r.measuring).toFixed(2).padStart(12)}`,
  );
}
console.log(`median overhead ${median(overhead).toFixed(2)} s over ${runs} runs (target < 5 s)`);
