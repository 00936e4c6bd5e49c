/**
 * The Action as users get it: `uses: org/vggt-perf-gate@v1` gives the runner
 * the repository's files at a tag, with no node_modules and no npm install,
 * and the runner starts `node dist/index.js`. These tests take the committed
 * dist/ from `git archive HEAD` (what a tag holds) and run it that way, the
 * GPU path included: the VRAM sampler's worker thread loads the device
 * package and NVML from inside the bundle. A recorded NVML snapshot stands in
 * for the driver ($PERF_GATE_NVML_RECORDING), so this runs where no GPU is.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { gitRepository } from './git-repository.js';
import { FakeGitHub } from './github-server.js';
import { runAction } from './run-action.js';

const repoRoot = new URL('../../../', import.meta.url).pathname;
const TOKEN = 'ghs_fakeJobToken0123456789abcdefABCDEF';
const GIB = 2 ** 30;

/** Loaded at run time from outside the bundle on purpose: the gated repository installs it. */
const FROM_THE_GATED_REPOSITORY = new Set(['onnxruntime-node']);

let shipped: string;

beforeAll(() => {
  shipped = mkdtempSync(join(tmpdir(), 'perf-gate-shipped-'));
  const archive = execFileSync('git', ['archive', '--format=tar', 'HEAD'], {
    cwd: repoRoot,
    maxBuffer: 256 * 1024 * 1024,
  });
  execFileSync('tar', ['-x', '-C', shipped], { input: archive });
});
afterAll(() => rmSync(shipped, { recursive: true, force: true }));

/** A bare package specifier (a name, maybe scoped, maybe with a subpath): not a path, not a URL. */
const PACKAGE_SPECIFIER = /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(?:\/[\w.-]+)*$/;

/**
 * Every package a bundled file names in an import, an import() or a
 * require() with a literal, outside comments, Node built-ins aside. A specifier held in a
 * variable cannot be found this way: the run below catches those.
 */
function packagesNamed(source: string): Set<string> {
  const found = new Set<string>();
  // Comments name packages too (a bundled library's doc examples): they load nothing. Only
  // comments that open a line: a "/*" inside a string ("**/*.js") must not hide code.
  const code = source.replace(/^\s*\/\*[\s\S]*?\*\//gm, '').replace(/^\s*\/\/.*$/gm, '');
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)["']([^"'\n]+)["']/g;
  for (const match of code.matchAll(pattern)) {
    const name = match[1] as string;
    if (name.startsWith('node:') || !PACKAGE_SPECIFIER.test(name)) continue;
    const parts = name.split('/');
    found.add(name.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string));
  }
  return found;
}

describe('the committed dist/, as a uses: step gets it', () => {
  it('ships every package its files load, with nothing installed beside it', () => {
    const dist = join(shipped, 'dist');
    const builtins = new Set(createRequire(import.meta.url)('node:module').builtinModules);
    const missing: string[] = [];
    for (const file of readdirSync(dist).filter((f) => f.endsWith('.js'))) {
      const resolveHere = createRequire(join(dist, file));
      for (const name of packagesNamed(readFileSync(join(dist, file), 'utf8'))) {
        if (builtins.has(name) || FROM_THE_GATED_REPOSITORY.has(name)) continue;
        try {
          resolveHere.resolve(name);
        } catch {
          missing.push(`${file} -> ${name}`);
        }
      }
    }
    expect(missing, 'run npm run bundle and commit dist/').toEqual([]);
  });

  it('holds exactly the files, byte for byte, that bundling the current sources makes', () => {
    const fresh = inject('bundleDir');
    const committed = join(shipped, 'dist');
    const files = (dir: string) =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
        .sort();
    expect(files(committed), 'run npm run bundle and commit dist/').toEqual(files(fresh));
    const stale = files(fresh).filter(
      (file) => !readFileSync(join(fresh, file)).equals(readFileSync(join(committed, file))),
    );
    expect(stale, 'run npm run bundle and commit dist/').toEqual([]);
  });

  it('loads koffi, the NVML binding, from the bundle and calls a C library through it', () => {
    // Resolving the name is not enough: koffi loads files of its own at start.
    const koffi = createRequire(join(shipped, 'dist', 'index.js'))('koffi') as {
      load(name: string): { func(signature: string): () => number };
    };
    const getpid = koffi.load('libc.so.6').func('int getpid()');
    expect(getpid()).toBe(process.pid);
  });

  it('without a GPU, tries NVML through koffi and says why it failed, not that a file is missing', async () => {
    const github = await new FakeGitHub(TOKEN).start();
    try {
      const repo = gitRepository({
        'perf-gate.yml': `version: 1
benchmarks:
  - name: harness
    metrics: [latency]
    budget: { maxRounds: 4 }
    workload: { kind: samples, command: [${JSON.stringify(process.execPath)}, -e, "require('fs').writeFileSync(process.env.PERF_GATE_SAMPLES_OUTPUT, JSON.stringify({ version: 1, samples: [10, 10.1, 9.9] }))"], output: s.json }
`,
      });
      await runAction({
        bundleDir: join(shipped, 'dist'),
        apiUrl: github.url,
        workspace: repo,
        inputs: { 'github-token': TOKEN, 'base-ref': 'HEAD~1', comment: 'never' },
      });
      const results = JSON.parse(readFileSync(join(repo, 'perf-gate-results.json'), 'utf8'));
      expect(results.device.state).toBe('no-gpu');
      // koffi itself loaded and asked the dynamic linker for the driver's library.
      expect(results.device.reason).toContain('cannot load the NVIDIA management library');
      expect(results.device.reason).not.toMatch(/Cannot find module|MODULE_NOT_FOUND/);
    } finally {
      await github.stop();
    }
  });

  it('measures GPU memory through the bundled sampler and comments base vs head', async () => {
    const github = await new FakeGitHub(TOKEN).start();
    try {
      const recording = recordedGpu();
      const repo = gatedRepository();
      const run = await runAction({
        bundleDir: join(shipped, 'dist'),
        apiUrl: github.url,
        workspace: repo,
        inputs: { 'github-token': TOKEN, 'base-ref': 'HEAD~1' },
        env: {
          PERF_GATE_NVML_RECORDING: recording,
          PYTHONPATH: join(shipped, 'clients/python'),
        },
      });
      const results = JSON.parse(readFileSync(join(repo, 'perf-gate-results.json'), 'utf8'));
      const [bench] = results.benchmarks;
      expect(bench.error ?? null, run.stdout.slice(-3000)).toBeNull();
      expect(results.device).toMatchObject({ state: 'ok', source: 'nvml' });
      const memory = bench.metrics.find((m: { metric: string }) => m.metric === 'memory');
      expect(memory.base.median).toBe(1 * GIB);
      expect(memory.head.median).toBe(1.5 * GIB);
      expect(memory.verdict).toBe('regression');
      expect(run.exitCode).toBe(1);
      const body = github.commentsOn(42)[0]?.body ?? '';
      expect(body).toMatch(
        /\| peak VRAM \| 1\.00 GiB \| 1\.50 GiB \| \+50\.00% .*\| 🔴 \*\*regression\*\* \|/,
      );
      // The report says the readings were not a real GPU's.
      expect(body).toContain('GPU readings come from the NVML recording');
    } finally {
      await github.stop();
    }
  });
});

/** An idle GPU recorded on a real H100, copied where the test's workers may add themselves. */
function recordedGpu(): string {
  const dir = mkdtempSync(join(tmpdir(), 'perf-gate-nvml-'));
  const path = join(dir, 'nvml.json');
  writeFileSync(
    path,
    readFileSync(join(repoRoot, 'packages/device/fixtures/nvml-idle.json'), 'utf8'),
  );
  return path;
}

/**
 * A Python worker that, like a CUDA process, appears in the GPU's process
 * list holding `heldGiB` once its setup ran: it adds itself to the recording
 * (under a lock: base and head start at the same time).
 */
const worker = (heldGiB: number) => `import json, os, time
import perf_gate

def appear_on_gpu(held):
    path = os.environ["PERF_GATE_NVML_RECORDING"]
    while True:
        try:
            os.mkdir(path + ".lock")
            break
        except FileExistsError:
            time.sleep(0.005)
    try:
        with open(path) as f:
            recording = json.load(f)
        recording["devices"][0]["computeProcesses"].append({"pid": os.getpid(), "usedGpuMemory": str(held)})
        with open(f"{path}.{os.getpid()}", "w") as f:
            json.dump(recording, f)
        os.replace(f"{path}.{os.getpid()}", path)
    finally:
        os.rmdir(path + ".lock")

def setup(ctx):
    appear_on_gpu(int(${heldGiB} * ${GIB}))
    return {}

def step(state):
    time.sleep(0.002)

perf_gate.serve(setup, step, name="vram-harness")
`;

function gatedRepository(): string {
  return gitRepository(
    {
      'worker.py': worker(1),
      'perf-gate.yml': `version: 1
benchmarks:
  - name: vram-harness
    metrics: [latency, memory]
    threshold: { latency: 0.9, memory: 0.05 }
    budget: { maxRounds: 4, iterationsPerRound: 3 }
    warmup: { iterations: 1 }
    workload: { kind: worker, command: [python3, worker.py], restartEveryRounds: 2 }
`,
    },
    { 'worker.py': worker(1.5) },
  );
}
