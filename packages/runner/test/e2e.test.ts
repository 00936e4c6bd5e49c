import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildVggtShapedModel, DEMO_MODEL_OPTIONS } from '../src/demo/vggt-onnx.js';
import { acquireRunLock, LOCK_FILE } from '../src/gate/run-lock.js';
import type { GateResults } from '../src/results/types.js';
import { repository } from './fixtures/repository.js';
import { isGone } from './fixtures/workers/helpers.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const pythonClient = fileURLToPath(new URL('../../../clients/python', import.meta.url));

/** `vggt-perf-gate run` on a repository from `repository()`: base HEAD~1, its perf-gate.yml. */
function runArgs(dir: string, resultsPath: string) {
  return [
    cli,
    'run',
    '--base',
    'HEAD~1',
    '--dir',
    dir,
    '--config',
    join(dir, 'perf-gate.yml'),
    '--results',
    resultsPath,
  ];
}

/** A config outside the repository: one quick samples benchmark, the same on both sides. */
function quickConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'perf-gate-quick-'));
  writeFileSync(
    join(dir, 'bench.mjs'),
    "import { writeFileSync } from 'node:fs';\nwriteFileSync(process.env.PERF_GATE_SAMPLES_OUTPUT, JSON.stringify({ version: 1, samples: [10, 10.1, 9.9, 10, 10.05] }));\n",
  );
  writeFileSync(
    join(dir, 'perf-gate.yml'),
    `version: 1
benchmarks:
  - name: quick
    metrics: [latency]
    threshold: { latency: 0.5 }
    budget: { maxRounds: 4 }
    workload: { kind: samples, command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(join(dir, 'bench.mjs'))}], output: samples.json }
`,
  );
  return join(dir, 'perf-gate.yml');
}

function worktreeCount(dir: string): number {
  const list = spawnSync('git', ['worktree', 'list'], { cwd: dir, encoding: 'utf8' });
  return list.stdout.trim().split('\n').length;
}

function gate(dir: string, args: string[] = []) {
  const r = spawnSync(
    process.execPath,
    [...runArgs(dir, join(dir, 'out', 'results.json')), ...args],
    {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: pythonClient, CI: 'true' },
      timeout: 170_000,
    },
  );
  const resultsPath = join(dir, 'out', 'results.json');
  const results = existsSync(resultsPath)
    ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as GateResults)
    : null;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, results };
}

const onnxConfig = `version: 1
defaults:
  threshold: { latency: 0.05 }
  budget: { maxSeconds: 60, maxRounds: 20, iterationsPerRound: 8 }
  warmup: { iterations: 5 }
benchmarks:
  - name: tiny
    metrics: [latency]
    workload: { kind: onnx, model: model.onnx, provider: cpu }
`;

describe('vggt-perf-gate run, end to end on a git repository', () => {
  it('catches an injected slowdown in an ONNX model: exit 1, regression in the results file', () => {
    const repo = repository();
    repo.commit(
      {
        'perf-gate.yml': onnxConfig,
        'model.onnx': buildVggtShapedModel({ ...DEMO_MODEL_OPTIONS, slowdown: 0 }),
      },
      'base',
    );
    repo.commit(
      { 'model.onnx': buildVggtShapedModel({ ...DEMO_MODEL_OPTIONS, slowdown: 6 }) },
      'head',
    );
    const run = gate(repo.dir, ['--markdown', join(repo.dir, 'out', 'report.md')]);
    expect(run.stderr).toContain('checked out in');
    expect(run.status).toBe(1);
    expect(run.results?.status).toBe('complete');
    expect(run.results?.verdict).toBe('regression');
    expect(run.results?.commits.base.sha).toMatch(/^[0-9a-f]{40}$/);
    const latency = run.results?.benchmarks[0]?.metrics[0];
    expect(latency?.verdict).toBe('regression');
    expect(latency?.ratio).toBeGreaterThan(1.05);
    expect(run.stdout).toMatch(/tiny\s+latency\s+[\d.]+ ms\s+[\d.]+ ms\s+\+[\d.]+% \[/);
    expect(readFileSync(join(repo.dir, 'out', 'report.md'), 'utf8')).toContain(
      'Performance regression',
    );
  }, 180_000);

  it('passes the same model on both sides (no false alarm): exit 0', () => {
    const repo = repository();
    const model = buildVggtShapedModel({ ...DEMO_MODEL_OPTIONS, slowdown: 0 });
    repo.commit({ 'perf-gate.yml': onnxConfig, 'model.onnx': model }, 'base');
    repo.commit({ 'README.md': 'docs only\n' }, 'head: no code change');
    const run = gate(repo.dir);
    expect(run.results?.benchmarks[0]?.metrics[0]?.verdict).not.toBe('regression');
    expect([0]).toContain(run.status);
  }, 180_000);

  it('gates a Python worker workload through the protocol', () => {
    const repo = repository();
    // The step's length also depends on options from the config, so the test shows they arrive.
    const worker = (ms: number) => `import time
import perf_gate
def setup(ctx):
    return ctx.options['scale']
def step(scale):
    time.sleep(${ms} * scale / 1000)
perf_gate.serve(setup, step, items_per_iteration=2)
`;
    const config = `version: 1
defaults:
  budget: { maxSeconds: 60, maxRounds: 12, iterationsPerRound: 5 }
  warmup: { iterations: 2 }
benchmarks:
  - name: py-step
    metrics: [latency, throughput]
    workload: { kind: worker, command: [python3, worker.py], options: { scale: 2 } }
`;
    repo.commit({ 'perf-gate.yml': config, 'worker.py': worker(2) }, 'base');
    repo.commit({ 'worker.py': worker(3) }, 'head: slower step');
    const run = gate(repo.dir);
    expect(run.status).toBe(1);
    const bench = run.results?.benchmarks[0];
    expect(bench?.ran.head?.framework).toBeTruthy();
    expect(bench?.metrics.find((m) => m.metric === 'latency')?.verdict).toBe('regression');
    expect(bench?.metrics.find((m) => m.metric === 'throughput')?.verdict).toBe('regression');
  }, 180_000);
});

/**
 * `vggt-perf-gate run` started in the background on a fresh repository (base
 * and head the same worker), CI-style output, its stderr piped. The worker
 * records its PID (`<side>-<pid>` in a temporary directory) first thing in
 * setup, then runs the Python in `setup`; `step` is its iteration.
 */
function backgroundGate(options: { setup: string; step: string; benchmark: string }) {
  const repo = repository();
  const pids = mkdtempSync(join(tmpdir(), 'perf-gate-pids-'));
  const worker = `import os, time
import perf_gate
def setup(ctx):
    open(os.path.join(ctx.options['pids'], ctx.side + '-' + str(os.getpid())), 'w').close()
    ${options.setup}
def step(state):
    ${options.step}
perf_gate.serve(setup, step)
`;
  const config = `version: 1
benchmarks:
  - ${options.benchmark}
    workload: { kind: worker, command: [python3, worker.py], startupTimeoutSeconds: 300, options: { pids: ${JSON.stringify(pids)} } }
`;
  repo.commit({ 'perf-gate.yml': config, 'worker.py': worker }, 'base');
  repo.commit({ 'a.txt': 'a' }, 'head');
  const resultsPath = join(repo.dir, 'out', 'results.json');
  const child = spawn(process.execPath, runArgs(repo.dir, resultsPath), {
    env: { ...process.env, PYTHONPATH: pythonClient, CI: 'true' },
  });
  const started = () => readdirSync(pids).map((name) => Number(name.split('-')[1]));
  return { repo, child, started, resultsPath };
}

describe('an interrupted run (Ctrl-C, a cancelled CI job)', () => {
  it('stops the workers, keeps the samples taken and writes a partial results file', async () => {
    // A threshold no A/A run can decide: the run goes on until interrupted.
    const { repo, child, started, resultsPath } = backgroundGate({
      setup: '',
      step: 'time.sleep(0.01)',
      benchmark: `name: endless
    metrics: [latency]
    threshold: { latency: 0.0001 }
    budget: { maxSeconds: 600, maxRounds: 10000, iterationsPerRound: 3 }
    warmup: { iterations: 1 }`,
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/\b6 rounds:/.test(stderr)) resolve();
      });
    });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/SIGINT: stopping workers/);
    const results = JSON.parse(readFileSync(resultsPath, 'utf8')) as GateResults;
    expect(results.status).toBe('partial');
    const bench = results.benchmarks[0];
    expect(bench?.error).toMatch(/interrupted by SIGINT after \d+ rounds/);
    expect(bench?.samples?.latency?.base.length).toBeGreaterThanOrEqual(18);
    // Every worker process the run started is gone, and so is the base checkout.
    expect(started().length).toBeGreaterThanOrEqual(2);
    for (const pid of started()) expect(isGone(pid)).toBe(true);
    const worktrees = spawnSync('git', ['worktree', 'list'], { cwd: repo.dir, encoding: 'utf8' });
    expect(worktrees.stdout.trim().split('\n')).toHaveLength(1);
  }, 120_000);
});

describe('a runner killed with SIGKILL (OOM killer, a hard-killed CI job)', () => {
  it('leaves no worker behind, even one stuck in a long setup', async () => {
    // A setup that would hold its process (and on a GPU, its memory) for two minutes.
    const { repo, child, started } = backgroundGate({
      setup: 'time.sleep(120)',
      step: 'pass',
      benchmark: `name: stuck
    metrics: [latency]`,
    });
    child.stdout.resume(); // nobody reads the run's output here: never let a pipe fill
    child.stderr.resume();
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    try {
      const upBy = Date.now() + 30_000;
      while (started().length < 2) {
        if (child.exitCode !== null || Date.now() > upBy)
          throw new Error(`the workers did not start (runner exit ${child.exitCode})`);
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      // The workers watch the runner (a pidfd on Linux, else once a second); give them a few.
      const goneBy = Date.now() + 10_000;
      while (started().some((pid) => !isGone(pid)) && Date.now() < goneBy)
        await new Promise((r) => setTimeout(r, 100));
      expect(started().filter((pid) => !isGone(pid))).toEqual([]);

      // Its base worktree and run lock outlived it; the next run removes both and measures.
      expect(worktreeCount(repo.dir)).toBe(2);
      const next = spawnSync(
        process.execPath,
        [...runArgs(repo.dir, join(repo.dir, 'out', 'next.json')), '--config', quickConfig()],
        { encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 120_000 },
      );
      expect(next.stderr).toMatch(/removed 1 base worktree\(s\) an earlier, interrupted run left/);
      expect(next.status).toBe(0);
      expect(worktreeCount(repo.dir)).toBe(1);
      expect(existsSync(join(repo.dir, '.git', LOCK_FILE))).toBe(false);
    } finally {
      child.kill('SIGKILL');
      for (const pid of started().filter((p) => !isGone(p))) process.kill(pid, 'SIGKILL');
    }
  }, 60_000);
});

describe('one run per repository at a time', () => {
  it('a second run is refused, naming the first, and writes nothing', () => {
    const repo = repository();
    repo.commit({ 'a.txt': 'a' }, 'base');
    repo.commit({ 'a.txt': 'b' }, 'head');
    const lock = acquireRunLock(join(repo.dir, '.git'), '/elsewhere/results.json');
    try {
      const resultsPath = join(repo.dir, 'out', 'results.json');
      const run = spawnSync(
        process.execPath,
        [...runArgs(repo.dir, resultsPath), '--config', quickConfig()],
        { encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 120_000 },
      );
      expect(run.stderr).toContain(
        `another vggt-perf-gate run is using this repository (pid ${process.pid}`,
      );
      expect(run.stderr).toContain('writing /elsewhere/results.json');
      expect(run.status).not.toBe(0);
      expect(existsSync(resultsPath)).toBe(false);
      expect(worktreeCount(repo.dir)).toBe(1);
    } finally {
      lock.release();
    }
    expect(existsSync(lock.path)).toBe(false);
  });
});

describe('faults end with a clear message and a non-zero exit', () => {
  it('a malformed config: exit 2 with file:line:col', () => {
    const repo = repository();
    repo.commit(
      { 'perf-gate.yml': 'version: 1\nbenchmarks:\n  - name: x\n    workload: { kind: onx }\n' },
      'base',
    );
    repo.commit({ 'a.txt': 'a' }, 'head');
    const run = gate(repo.dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/perf-gate\.yml:4:\d+: .*kind/);
    expect(run.results).toBeNull();
  });

  it('a base ref that does not exist: exit 3, says how to fetch it', () => {
    const repo = repository();
    repo.commit(
      { 'perf-gate.yml': onnxConfig, 'model.onnx': buildVggtShapedModel(DEMO_MODEL_OPTIONS) },
      'only commit',
    );
    const r = spawnSync(
      process.execPath,
      [
        cli,
        'run',
        '--base',
        'origin/does-not-exist',
        '--dir',
        repo.dir,
        '--config',
        join(repo.dir, 'perf-gate.yml'),
        '--results',
        join(repo.dir, 'r.json'),
      ],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/"origin\/does-not-exist" names no commit.*fetch-depth: 0/);
  });

  it('a worker that crashes mid-run: the benchmark fails, exit 3, the results say failed', () => {
    const repo = repository();
    const crashing = `import os, perf_gate
n = {'runs': 0}
def setup(ctx):
    return None
def step(state):
    n['runs'] += 1
    if n['runs'] > 12:
        os._exit(7)
perf_gate.serve(setup, step)
`;
    const config = `version: 1
benchmarks:
  - name: crashy
    metrics: [latency]
    budget: { maxSeconds: 30, maxRounds: 10, iterationsPerRound: 5 }
    warmup: { iterations: 1 }
    workload: { kind: worker, command: [python3, worker.py], restartEveryRounds: 4 }
`;
    // A process lives 4 rounds: 1 warm-up and 20 measured steps, so the 13th step crashes it.
    repo.commit({ 'perf-gate.yml': config, 'worker.py': crashing }, 'base');
    repo.commit({ 'b.txt': 'b' }, 'head');
    const run = gate(repo.dir);
    expect(run.status).toBe(3);
    expect(run.results?.verdict).toBe('failed');
    expect(run.results?.benchmarks[0]?.status).toBe('failed');
    expect(run.results?.benchmarks[0]?.error).toMatch(/7/);
  }, 120_000);

  it('a results directory that is not writable: exit 2 before measuring, and no results file', () => {
    const repo = repository();
    repo.commit(
      { 'perf-gate.yml': onnxConfig, 'model.onnx': buildVggtShapedModel(DEMO_MODEL_OPTIONS) },
      'base',
    );
    repo.commit({ 'c.txt': 'c' }, 'head');
    const locked = join(repo.dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    const r = spawnSync(process.execPath, runArgs(repo.dir, join(locked, 'sub', 'r.json')), {
      encoding: 'utf8',
    });
    // root can write anywhere: then the test can only check the file is complete.
    if (process.getuid?.() === 0) {
      expect(JSON.parse(readFileSync(join(locked, 'sub', 'r.json'), 'utf8')).status).toBe(
        'complete',
      );
      return;
    }
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`cannot write --results ${join(locked, 'sub', 'r.json')}`);
    expect(r.stderr).toContain('(EACCES)');
    expect(r.stderr).not.toContain('checked out');
    expect(existsSync(join(locked, 'sub', 'r.json'))).toBe(false);
  }, 120_000);
});
