import { describe, expect, test } from 'vitest';
import {
  type BenchmarkConfig,
  ConfigError,
  type GateConfig,
  hashConfig,
  parseConfig,
  STARTER_CONFIG,
} from '../src/config/index.js';
import { didYouMean, editDistance } from '../src/config/suggest.js';

const FILE = 'perf-gate.yml';

/** Parses text that must be invalid and returns its problems as `file:line:col: path: message` lines. */
function problems(text: string): string[] {
  try {
    parseConfig(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.code).toBe('CONFIG_INVALID');
    return configError.message.split('\n').filter((line) => line.startsWith(`${FILE}:`));
  }
  throw new Error('expected the config to be rejected');
}

function only(config: GateConfig): BenchmarkConfig {
  expect(config.benchmarks).toHaveLength(1);
  return config.benchmarks[0]!;
}

/** A valid benchmark list for tests that are about something else. */
const MINIMAL = `version: 1
benchmarks:
  - name: fwd
    workload:
      kind: worker
      command: python worker.py
`;

const FULL = `version: 1
defaults:
  threshold: { latency: 0.01, memory: 0.1 }
  budget: { maxSeconds: 120, iterationsPerRound: 3 }
  warmup: { iterations: 2 }
  dtype: bf16
  device: 1
  gpuBusy: fail
benchmarks:
  - name: vggt-forward-20f
    metrics: [latency, memory, throughput]
    workload:
      kind: onnx
      model: models/vggt.onnx
      inputs: { batch: 1, frames: 20 }
    threshold: { latency: 0.03 }
    budget: { maxRounds: 10 }
    expectedMemory: { parameters: 1.2e9, activationsGiB: 2 }
    setup: pip install -e .
  - name: vggt-train-step
    dtype: fp32
    device: 0
    workload:
      kind: worker
      command: [torchrun, --nproc-per-node, "2", bench/train_worker.py]
      cwd: training
      env: { PYTORCH_CUDA_ALLOC_CONF: "expandable_segments:True" }
      itemsPerIteration: 20
    setup: { head: make deps }
  - name: legacy.harness_v2
    workload:
      kind: samples
      command: ./bench.sh
      output: out/samples.json
`;

describe('parseConfig: valid files', () => {
  test("throughput's threshold follows latency's unless set, so lowering one lowers both", () => {
    const threshold = (defaults: string, own: string) =>
      parseConfig(
        `version: 1\ndefaults:\n  threshold: ${defaults}\nbenchmarks:\n  - name: b\n    threshold: ${own}\n    workload: { kind: samples, command: ./b.sh, output: s.json }\n`,
        FILE,
      ).benchmarks[0]!.threshold;
    expect(threshold('{}', '{ latency: 0.005 }')).toMatchObject({
      latency: 0.005,
      throughput: 0.005,
    });
    expect(threshold('{ latency: 0.01 }', '{}')).toMatchObject({ latency: 0.01, throughput: 0.01 });
    // Set anywhere, throughput's own threshold wins.
    expect(threshold('{ throughput: 0.03 }', '{ latency: 0.005 }')).toMatchObject({
      latency: 0.005,
      throughput: 0.03,
    });
    expect(threshold('{}', '{ latency: 0.005, throughput: 0.04 }')).toMatchObject({
      throughput: 0.04,
    });
    expect(threshold('{}', '{}')).toEqual({ latency: 0.02, memory: 0.05, throughput: 0.02 });
    // The benchmark's latency, not the defaults' it overrides, is what throughput follows.
    expect(threshold('{ latency: 0.01 }', '{ latency: 0.05 }')).toMatchObject({ throughput: 0.05 });
    expect(threshold('{ latency: 0.01 }', '{ throughput: 0.03 }')).toMatchObject({
      latency: 0.01,
      throughput: 0.03,
    });
  });

  test('a full config resolves defaults into every benchmark, benchmark values winning', () => {
    const config = parseConfig(FULL, FILE);
    expect(config.version).toBe(1);
    const [onnx, worker, samples] = config.benchmarks;
    expect(onnx).toEqual({
      name: 'vggt-forward-20f',
      metrics: ['latency', 'memory', 'throughput'],
      workload: {
        kind: 'onnx',
        model: 'models/vggt.onnx',
        provider: 'cuda',
        inputs: { batch: 1, frames: 20 },
        restartEveryRounds: 2,
        processPairsAtOnce: 1,
      },
      // latency from the benchmark, memory from defaults, throughput following latency.
      threshold: { latency: 0.03, memory: 0.1, throughput: 0.03 },
      budget: { maxSeconds: 120, maxRounds: 10, iterationsPerRound: 3 },
      warmup: { iterations: 2 },
      dtype: 'bf16',
      device: 1,
      gpuBusy: 'fail',
      expectedMemory: { parameters: 1.2e9, activationsGiB: 2, factor: 1.5 },
      setup: { base: 'pip install -e .', head: 'pip install -e .' },
      setupTimeoutSeconds: 1800,
    } satisfies BenchmarkConfig);
    expect(worker).toMatchObject({
      metrics: ['latency', 'memory'],
      dtype: 'fp32',
      device: 0,
      threshold: { latency: 0.01, memory: 0.1, throughput: 0.01 },
      budget: { maxSeconds: 120, maxRounds: 1000, iterationsPerRound: 3 },
      expectedMemory: null,
      setup: { base: null, head: 'make deps' },
      workload: {
        kind: 'worker',
        command: ['torchrun', '--nproc-per-node', '2', 'bench/train_worker.py'],
        cwd: 'training',
        env: { PYTORCH_CUDA_ALLOC_CONF: 'expandable_segments:True' },
        startupTimeoutSeconds: 300,
        iterationTimeoutSeconds: null,
        itemsPerIteration: 20,
      },
    });
    expect(samples?.workload).toEqual({
      kind: 'samples',
      command: './bench.sh',
      output: 'out/samples.json',
      cwd: '.',
      env: {},
      timeoutSeconds: 1800,
      select: null,
    });
  });

  test('a minimal config gets the built-in defaults', () => {
    expect(only(parseConfig(MINIMAL, FILE))).toEqual({
      name: 'fwd',
      metrics: ['latency', 'memory'],
      workload: {
        kind: 'worker',
        command: 'python worker.py',
        cwd: '.',
        env: {},
        startupTimeoutSeconds: 300,
        iterationTimeoutSeconds: null,
        itemsPerIteration: null,
        restartEveryRounds: 2,
        processPairsAtOnce: 1,
        options: {},
      },
      threshold: { latency: 0.02, memory: 0.05, throughput: 0.02 },
      budget: { maxSeconds: 300, maxRounds: 1000, iterationsPerRound: 5 },
      warmup: { iterations: 3 },
      dtype: 'auto',
      device: 0,
      gpuBusy: 'fail',
      expectedMemory: null,
      setup: { base: null, head: null },
      setupTimeoutSeconds: 1800,
    } satisfies BenchmarkConfig);
  });

  test('a worker command may be a shell string or an argument list', () => {
    const asString = only(parseConfig(MINIMAL, FILE)).workload;
    expect(asString).toMatchObject({ kind: 'worker', command: 'python worker.py' });
    const asList = only(
      parseConfig(MINIMAL.replace('python worker.py', '[python, -u, worker.py]'), FILE),
    ).workload;
    expect(asList).toMatchObject({ kind: 'worker', command: ['python', '-u', 'worker.py'] });
  });

  test('setupTimeoutSeconds comes from the benchmark, else defaults:, else 1800 s', () => {
    const text = `version: 1
defaults:
  setupTimeoutSeconds: 600
benchmarks:
  - name: own
    setupTimeoutSeconds: 7200
    setup: make deps
    workload: { kind: worker, command: python w.py }
  - name: inherited
    workload: { kind: worker, command: python w.py }
`;
    const [own, inherited] = parseConfig(text, FILE).benchmarks;
    expect(own?.setupTimeoutSeconds).toBe(7200);
    expect(inherited?.setupTimeoutSeconds).toBe(600);
    expect(only(parseConfig(MINIMAL, FILE)).setupTimeoutSeconds).toBe(1800);
  });

  test('iterationTimeoutSeconds on a worker workload is kept; unset it is null (adaptive)', () => {
    const text = MINIMAL.replace(
      'command: python worker.py',
      'command: python worker.py\n      iterationTimeoutSeconds: 45',
    );
    expect(only(parseConfig(text, FILE)).workload).toMatchObject({ iterationTimeoutSeconds: 45 });
    expect(only(parseConfig(MINIMAL, FILE)).workload).toMatchObject({
      iterationTimeoutSeconds: null,
    });
  });

  test('the starter config shown for a missing file is valid', () => {
    expect(only(parseConfig(STARTER_CONFIG, FILE)).name).toBe('model-forward');
  });

  test('YAML anchors and aliases are followed', () => {
    const text = `version: 1
benchmarks:
  - name: a
    workload: &w { kind: worker, command: python w.py }
  - name: b
    workload: *w
`;
    expect(parseConfig(text, FILE).benchmarks.map((b) => b.workload.kind)).toEqual([
      'worker',
      'worker',
    ]);
  });
});

describe('parseConfig: problems name file, line, column and a fix', () => {
  test('unknown key, with a did-you-mean over the keys allowed at that level', () => {
    expect(problems(`${MINIMAL}    thresold: { latency: 0.01 }\n`)).toEqual([
      'perf-gate.yml:7:5: benchmarks[0].thresold: unknown key "thresold"; expected one of name, workload, metrics, threshold, budget, warmup, dtype, device, gpuBusy, setupTimeoutSeconds, expectedMemory, setup (did you mean "threshold"?)',
    ]);
  });

  test('unknown keys inside a workload list the keys of that kind', () => {
    expect(problems(`${MINIMAL}      cmd: x\n`)).toEqual([
      'perf-gate.yml:7:7: benchmarks[0].workload.cmd: unknown key "cmd"; expected one of kind, command, cwd, env, startupTimeoutSeconds, iterationTimeoutSeconds, itemsPerIteration, restartEveryRounds, processPairsAtOnce, options (did you mean "command"?)',
    ]);
  });

  test('unknown enum value, with a did-you-mean', () => {
    const text = MINIMAL.replace('kind: worker', 'kind: onx');
    expect(problems(text)).toEqual([
      'perf-gate.yml:5:13: benchmarks[0].workload.kind: unknown value "onx"; expected one of onnx, worker, samples (did you mean "onnx"?)',
    ]);
    expect(problems(`${MINIMAL}    dtype: bfloat16\n`)).toEqual([
      'perf-gate.yml:7:12: benchmarks[0].dtype: unknown value "bfloat16"; expected one of auto, fp32, fp16, bf16 (did you mean "bf16"?)',
    ]);
  });

  test('wrong type says what was expected and what was found', () => {
    expect(problems(`${MINIMAL}    device: "1"\n`)).toEqual([
      'perf-gate.yml:7:13: benchmarks[0].device: expected a number, got the string "1"; remove the quotes',
    ]);
    expect(problems(`${MINIMAL}    warmup: { iterations: 2.5 }\n`)).toEqual([
      'perf-gate.yml:7:27: benchmarks[0].warmup.iterations: expected a whole number, got the number 2.5',
    ]);
    expect(problems(MINIMAL.replace('python worker.py', '{ run: x }'))).toEqual([
      'perf-gate.yml:6:16: benchmarks[0].workload.command: expected a string or a list, got a mapping',
    ]);
  });

  test('missing required key points at the mapping that should hold it', () => {
    const text = `version: 1
benchmarks:
  - name: onnx-fwd
    workload:
      kind: onnx
      provider: cuda
`;
    expect(problems(text)).toEqual([
      'perf-gate.yml:5:7: benchmarks[0].workload.model: required key "model" is missing; add it under benchmarks[0].workload, e.g. model: models/vggt.onnx',
    ]);
    expect(
      problems('benchmarks:\n  - name: x\n    workload: { kind: worker, command: x }\n'),
    ).toEqual([
      'perf-gate.yml:1:1: version: required key "version" is missing; add it at the top level, e.g. version: 1',
    ]);
  });

  test('a workload without kind lists the kinds', () => {
    expect(problems(MINIMAL.replace('      kind: worker\n', ''))).toEqual([
      'perf-gate.yml:5:7: benchmarks[0].workload.kind: required key "kind" is missing; add "kind:" under benchmarks[0].workload with one of onnx, worker, samples',
    ]);
  });

  test('value out of range gives the bound and, for fractions, how to write a percentage', () => {
    expect(problems(`${MINIMAL}    threshold: { latency: 2 }\n`)).toEqual([
      'perf-gate.yml:7:27: benchmarks[0].threshold.latency: 2 is out of range; expected at most 1 (thresholds are fractions of the base value: write 0.02 for 2%)',
    ]);
    expect(problems(`${MINIMAL}    threshold: { memory: 0 }\n`)).toEqual([
      'perf-gate.yml:7:26: benchmarks[0].threshold.memory: 0 is out of range; expected more than 0',
    ]);
    expect(problems(`${MINIMAL}    device: -1\n`)).toEqual([
      'perf-gate.yml:7:13: benchmarks[0].device: -1 is out of range; expected at least 0',
    ]);
  });

  test('the new time limits must be positive seconds, at most a day', () => {
    expect(problems(`${MINIMAL}    setupTimeoutSeconds: 0\n`)).toEqual([
      expect.stringMatching(
        /^perf-gate\.yml:7:26: benchmarks\[0\]\.setupTimeoutSeconds: 0 is out of range/,
      ),
    ]);
    const text = `${MINIMAL}      iterationTimeoutSeconds: 90000\n`;
    expect(problems(text)).toEqual([
      expect.stringMatching(
        /benchmarks\[0\]\.workload\.iterationTimeoutSeconds: 90000 is out of range/,
      ),
    ]);
  });

  test('version must be 1', () => {
    expect(problems(MINIMAL.replace('version: 1', 'version: 2'))).toEqual([
      'perf-gate.yml:1:10: version: unknown value 2; expected 1 (the only config version this runner reads)',
    ]);
  });

  test('every problem is reported at once, in file order', () => {
    const text = `version: 1
defaults:
  thresold: { latency: 0.02 }
  gpuBusy: ignore
benchmarks:
  - name: Forward Pass
    metrics: [latency, vram]
    workload:
      kind: samples
      command: ./bench.sh
  - name: train
    workload: { kind: onnx, model: m.onnx, provider: gpu }
    budget: { maxSeconds: 300000 }
`;
    expect(problems(text)).toEqual([
      'perf-gate.yml:3:3: defaults.thresold: unknown key "thresold"; expected one of metrics, threshold, budget, warmup, dtype, device, gpuBusy, setupTimeoutSeconds (did you mean "threshold"?)',
      'perf-gate.yml:4:12: defaults.gpuBusy: unknown value "ignore"; expected one of warn, fail',
      'perf-gate.yml:6:11: benchmarks[0].name: invalid name "Forward Pass"; use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit (did you mean "forward-pass"?)',
      'perf-gate.yml:7:24: benchmarks[0].metrics[1]: unknown value "vram"; expected one of latency, memory, throughput (did you mean "memory"?)',
      'perf-gate.yml:9:7: benchmarks[0].workload.output: required key "output" is missing; add it under benchmarks[0].workload, e.g. output: perf-samples.json',
      'perf-gate.yml:12:54: benchmarks[1].workload.provider: unknown value "gpu"; expected one of cpu, cuda, tensorrt (did you mean "cuda"?)',
      'perf-gate.yml:13:27: benchmarks[1].budget.maxSeconds: 300000 is out of range; expected at most 86400 (the value is in seconds, not milliseconds)',
    ]);
  });

  test('the error carries structured problems and a summary message', () => {
    const text = `${MINIMAL}    dtype: fp8\n    device: x\n`;
    let caught: unknown;
    try {
      parseConfig(text, 'ci/perf-gate.yml');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.name).toBe('ConfigError');
    expect(error.problems).toEqual([
      {
        file: 'ci/perf-gate.yml',
        line: 7,
        column: 12,
        path: 'benchmarks[0].dtype',
        message: 'unknown value "fp8"; expected one of auto, fp32, fp16, bf16',
      },
      {
        file: 'ci/perf-gate.yml',
        line: 8,
        column: 13,
        path: 'benchmarks[0].device',
        message: 'expected a number, got the string "x"',
      },
    ]);
    expect(error.message.split('\n')[0]).toBe('2 problems in ci/perf-gate.yml:');
  });

  test('YAML syntax errors give yaml’s message at its position', () => {
    expect(problems('version: 1\nbenchmarks:\n\t- name: x\n')).toEqual([
      'perf-gate.yml:3:1: YAML syntax error: Tabs are not allowed as indentation; indent with spaces, not tabs',
    ]);
    expect(problems('version: 1\nversion: 1\n')).toEqual([
      'perf-gate.yml:2:1: YAML syntax error: Map keys must be unique; each key may appear once per mapping; remove or merge the repeated one',
    ]);
    const [unclosed] = problems('version: 1\nbenchmarks: [\n  { name: x\n');
    expect(unclosed).toMatch(/^perf-gate\.yml:\d+:\d+: YAML syntax error: /);
  });

  test('duplicate benchmark names point at the repeat and name the first', () => {
    const text = `${MINIMAL}  - name: fwd
    workload: { kind: worker, command: python other.py }
`;
    expect(problems(text)).toEqual([
      'perf-gate.yml:7:11: benchmarks[1].name: duplicate benchmark name "fwd", already used by benchmarks[0]; give each benchmark a unique name',
    ]);
  });

  test('a samples workload needs output', () => {
    const text = MINIMAL.replace('kind: worker', 'kind: samples');
    expect(problems(text)).toEqual([
      'perf-gate.yml:5:7: benchmarks[0].workload.output: required key "output" is missing; add it under benchmarks[0].workload, e.g. output: perf-samples.json',
    ]);
    const fixed = text.replace(
      'command: python worker.py',
      'command: ./h.sh\n      output: s.json',
    );
    expect(only(parseConfig(fixed, FILE)).workload).toMatchObject({ output: 's.json' });
  });

  test('a worker command must not be empty, and list items must be strings', () => {
    expect(problems(MINIMAL.replace('python worker.py', '[]'))).toEqual([
      'perf-gate.yml:6:16: benchmarks[0].workload.command: expected at least 1 item, got an empty list',
    ]);
    expect(problems(MINIMAL.replace('python worker.py', '[python, 3]'))).toEqual([
      'perf-gate.yml:6:25: benchmarks[0].workload.command[1]: expected a string, got the number 3',
    ]);
    expect(problems(MINIMAL.replace('python worker.py', '""'))).toEqual([
      'perf-gate.yml:6:16: benchmarks[0].workload.command: must not be empty',
    ]);
  });

  test('a blank command is rejected at its position, not left to fail when it runs', () => {
    expect(problems(MINIMAL.replace('python worker.py', '"   "'))).toEqual([
      'perf-gate.yml:6:16: benchmarks[0].workload.command: is blank; give the command line to run, e.g. command: python bench/worker.py',
    ]);
    expect(problems(MINIMAL.replace('python worker.py', '["  ", bench.py]'))).toEqual([
      'perf-gate.yml:6:17: benchmarks[0].workload.command[0]: is blank; the first item of the list is the program to run, e.g. command: [python3, bench/worker.py]',
    ]);
    // The same schema checks a samples command.
    const samples = MINIMAL.replace('kind: worker', 'kind: samples').replace(
      'command: python worker.py',
      'command: "\\t"\n      output: s.json',
    );
    expect(problems(samples)).toEqual([
      'perf-gate.yml:6:16: benchmarks[0].workload.command: is blank; give the command line to run, e.g. command: python bench/worker.py',
    ]);
    // Only the program must be there: a blank argument after it is the program's business.
    expect(
      only(parseConfig(MINIMAL.replace('python worker.py', '[echo, " "]'), FILE)),
    ).toMatchObject({ workload: { command: ['echo', ' '] } });
  });

  test('env values must be strings, with the quoting fix', () => {
    expect(problems(`${MINIMAL}      env: { OMP_NUM_THREADS: 4 }\n`)).toEqual([
      'perf-gate.yml:7:31: benchmarks[0].workload.env.OMP_NUM_THREADS: expected a string, got the number 4; quote it so it stays a string, e.g. OMP_NUM_THREADS: "4"',
    ]);
  });

  test('an empty file, a non-mapping file, and an empty benchmark list', () => {
    expect(problems('')).toEqual([
      'perf-gate.yml:1:1: the file is empty; start with "version: 1" and a "benchmarks:" list (see docs/config.md)',
    ]);
    expect(problems('- a\n- b\n')).toEqual([
      'perf-gate.yml:1:1: expected a mapping with "version" and "benchmarks" keys, got a list',
    ]);
    expect(problems('version: 1\nbenchmarks: []\n')).toEqual([
      'perf-gate.yml:2:13: benchmarks: expected at least 1 benchmark, got an empty list',
    ]);
  });

  test('an empty value for a section says to fill it or remove it', () => {
    expect(problems(`version: 1\ndefaults:\n${MINIMAL.slice('version: 1\n'.length)}`)).toEqual([
      'perf-gate.yml:2:10: defaults: expected a mapping (key: value lines), got an empty value; give it a value or remove the key',
    ]);
  });

  test('a metric listed twice is reported', () => {
    expect(problems(`${MINIMAL}    metrics: [memory, memory]\n`)).toEqual([
      'perf-gate.yml:7:23: benchmarks[0].metrics[1]: "memory" is listed twice; remove the repeat',
    ]);
  });
});

describe('hashConfig', () => {
  test('is the same for configs that resolve alike, however they are written', () => {
    const spelledOut = `version: 1
defaults: { dtype: auto }
benchmarks:
  - workload: { command: python worker.py, kind: worker }
    name: fwd
    threshold: { latency: 0.02 }
`;
    const a = hashConfig(parseConfig(MINIMAL, FILE));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(hashConfig(parseConfig(spelledOut, FILE))).toBe(a);
    expect(hashConfig(parseConfig(`${MINIMAL}    device: 1\n`, FILE))).not.toBe(a);
  });
});

describe('didYouMean', () => {
  test('counts a swap of neighbours as one edit', () => {
    expect(editDistance('fp23', 'fp32')).toBe(1);
    expect(editDistance('thresold', 'threshold')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  test('suggests only close words, ignoring case, with synonyms first', () => {
    expect(didYouMean('gpubusy', ['device', 'gpuBusy'])).toBe('gpuBusy');
    expect(didYouMean('gpu', ['cpu', 'cuda', 'tensorrt'])).toBe('cuda');
    expect(didYouMean('banana', ['onnx', 'worker', 'samples'])).toBeUndefined();
  });
});
