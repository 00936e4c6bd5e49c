import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { BenchmarkSelectionError, selectBenchmarks } from '../src/gate/select-benchmarks.js';

const config = parseConfig(
  `version: 1
benchmarks:
  - name: vggt-forward-20f
    workload: { kind: onnx, model: a.onnx }
  - name: vggt-forward-10f
    workload: { kind: onnx, model: b.onnx }
  - name: harness
    workload: { kind: samples, command: ./bench, output: s.json }
`,
  'perf-gate.yml',
);

function selectionError(only: string[]): BenchmarkSelectionError {
  try {
    selectBenchmarks(config, only, '--only');
  } catch (error) {
    expect(error).toBeInstanceOf(BenchmarkSelectionError);
    return error as BenchmarkSelectionError;
  }
  throw new Error('expected a BenchmarkSelectionError');
}

const names = (only: string[] | null) => selectBenchmarks(config, only).map((b) => b.name);

describe('selectBenchmarks', () => {
  it('keeps every benchmark without a filter', () => {
    expect(names(null)).toEqual(['vggt-forward-20f', 'vggt-forward-10f', 'harness']);
  });

  it('keeps the named ones, in config order', () => {
    expect(names(['harness', 'vggt-forward-20f'])).toEqual(['vggt-forward-20f', 'harness']);
  });

  it('a filter that matches nothing names it and lists the known benchmarks', () => {
    const error = selectionError(['nope']);
    expect(error.code).toBe('USAGE');
    expect(error.unknown).toEqual(['nope']);
    expect(error.known).toEqual(['vggt-forward-20f', 'vggt-forward-10f', 'harness']);
    expect(error.message).toBe(
      `--only names a benchmark the config does not have: "nope". The config's benchmarks: vggt-forward-20f, vggt-forward-10f, harness. Fix the name in --only, or leave --only out to measure every benchmark.`,
    );
  });

  it('an unknown name among known ones fails too, with a did-you-mean', () => {
    const error = selectionError(['harness', 'vggt-forward-2of', 'other']);
    expect(error.unknown).toEqual(['vggt-forward-2of', 'other']);
    expect(error.message).toContain(
      'names benchmarks the config does not have: "vggt-forward-2of" (did you mean "vggt-forward-20f"?), "other".',
    );
  });

  it('an empty list is not "every benchmark"', () => {
    expect(selectionError([]).message).toContain('--only names no benchmark.');
  });
});
