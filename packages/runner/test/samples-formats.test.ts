import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { samplesWorkload } from '../src/workloads/samples.js';
import { parseSamplesFile } from '../src/workloads/samples-file.js';

/**
 * Output of other harnesses, read as they write it. The fixtures are real:
 * pytest-benchmark 5.2.3's --benchmark-json of two parametrised sleeps (1 ms
 * and 2 ms, 12 rounds each; the machine's details replaced), and
 * torch.utils.benchmark Measurements from torch 2.13 on the CPU
 * (dataclasses.asdict of blocked_autorange), one and a list of two.
 */
const FIXTURES = fileURLToPath(new URL('./fixtures/samples-formats/', import.meta.url));
const text = (name: string) => readFileSync(`${FIXTURES}${name}`, 'utf8');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

describe('pytest-benchmark JSON', () => {
  const json = text('pytest-benchmark.json');
  const data = JSON.parse(json);

  it("is read as it is: one benchmark's per-round times, in ms", () => {
    const file = parseSamplesFile(json, 'bench.json', 'test_sleep[2]');
    expect(file.framework).toBe('pytest-benchmark');
    expect(file.samples).toEqual(data.benchmarks[1].stats.data.map((s: number) => s * 1000));
    expect(file.samples).toHaveLength(12);
    expect(median(file.samples)).toBeGreaterThan(2);
    // By fullname too.
    expect(
      parseSamplesFile(json, 'bench.json', 'test_bench.py::test_sleep[1]').samples,
    ).toHaveLength(12);
  });

  it('with several benchmarks and no select, names them and the key to set', () => {
    expect(() => parseSamplesFile(json, 'bench.json')).toThrow(
      /bench\.json is pytest-benchmark output with several benchmarks \("test_bench\.py::test_sleep\[1\]", "test_bench\.py::test_sleep\[2\]"\): set "select"/,
    );
    expect(() => parseSamplesFile(json, 'bench.json', 'test_other')).toThrow(
      /no benchmark named "test_other"/,
    );
  });

  it('without the per-round times says how to get them', () => {
    const summary = structuredClone(data);
    delete summary.benchmarks[0].stats.data;
    expect(() => parseSamplesFile(JSON.stringify(summary), 'bench.json', 'test_sleep[1]')).toThrow(
      /without the per-round times \(stats\.data\) of test_bench\.py::test_sleep\[1\]: run pytest with --benchmark-json/,
    );
  });
});

describe('torch.utils.benchmark Measurements', () => {
  it('one Measurement: each run over number_per_run calls, in ms', () => {
    const m = JSON.parse(text('torch-measurement.json'));
    const file = parseSamplesFile(text('torch-measurement.json'), 'm.json');
    expect(file.framework).toBe('torch.utils.benchmark');
    expect(file.samples).toEqual(m.raw_times.map((t: number) => (t / m.number_per_run) * 1000));
  });

  it('a list of several tasks needs select, by label or title', () => {
    const json = text('torch-measurements.json');
    expect(() => parseSamplesFile(json, 'm.json')).toThrow(
      /several benchmarks \("matmul: 128x128", "add"\)/,
    );
    const add = JSON.parse(json)[1];
    expect(parseSamplesFile(json, 'm.json', 'add').samples).toHaveLength(add.raw_times.length);
    expect(parseSamplesFile(json, 'm.json', 'matmul: 128x128').samples).toHaveLength(
      JSON.parse(json)[0].raw_times.length,
    );
  });
});

describe('a samples workload over pytest-benchmark', () => {
  it('takes select from perf-gate.yml, and what ran names the harness', async () => {
    const config = parseConfig(
      `version: 1
benchmarks:
  - name: sleep-2ms
    metrics: [latency]
    workload:
      kind: samples
      command: ${JSON.stringify(['cp', `${FIXTURES}pytest-benchmark.json`, 'bench.json'])}
      output: bench.json
      select: "test_sleep[2]"
`,
      'perf-gate.yml',
    );
    const w = config.benchmarks[0]!.workload;
    if (w.kind !== 'samples') throw new Error('not a samples workload');
    expect(w.select).toBe('test_sleep[2]');
    const dir = mkdtempSync(join(tmpdir(), 'perf-gate-pytest-benchmark-'));
    const session = await samplesWorkload({ ...w, cwd: '.' }).open({
      side: 'head',
      cwd: dir,
      dtype: 'fp32',
      log: () => undefined,
    });
    try {
      const { samples } = await session.run(1);
      expect(samples).toHaveLength(12);
      expect(session.info.framework).toBe('pytest-benchmark');
    } finally {
      await session.close();
    }
  });
});
