import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'perf-gate-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loadError(path: string): Promise<ConfigError> {
  const error = await loadConfig(path).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('loadConfig', () => {
  test('reads and resolves a file', async () => {
    const path = join(dir, 'perf-gate.yml');
    await writeFile(
      path,
      'version: 1\nbenchmarks:\n  - name: a\n    workload: { kind: onnx, model: m.onnx }\n',
    );
    const config = await loadConfig(path);
    expect(config.benchmarks[0]?.workload).toEqual({
      kind: 'onnx',
      model: 'm.onnx',
      provider: 'cuda',
      inputs: {},
      restartEveryRounds: 2,
      processPairsAtOnce: 1,
    });
  });

  test('a missing file names the path and shows a config to start from', async () => {
    const path = join(dir, 'perf-gate.yml');
    const error = await loadError(path);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.file).toBe(path);
    expect(error.message).toContain(`config file not found (looked for ${path})`);
    expect(error.message).toContain('version: 1\nbenchmarks:\n  - name: model-forward');
  });

  test('a directory says to pass the file', async () => {
    const error = await loadError(dir);
    expect(error.message).toContain(
      `is a directory; pass the config file itself, e.g. ${join(dir, 'perf-gate.yml')}`,
    );
  });

  test('problems name the file as it was given', async () => {
    const path = join(dir, 'bad.yml');
    await writeFile(path, 'version: 1\nbenchmarks: []\n');
    const error = await loadError(path);
    expect(error.message).toBe(
      `${path}:2:13: benchmarks: expected at least 1 benchmark, got an empty list`,
    );
  });
});
