import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunnerError } from '../src/errors.js';
import { measureBenchmark } from '../src/gate/measure/measure-benchmark.js';
import { samplesWorkload } from '../src/workloads/samples.js';
import { parseSamplesFile } from '../src/workloads/samples-file.js';
import { killLiveWorkerGroups } from '../src/workloads/worker-process.js';
import { killPids, pidsIn } from './fixtures/pids.js';
import { plan } from './fixtures/plan.js';
import { isGone, testContext } from './fixtures/workers/helpers.js';

const FILE = '/repo/bench/perf-samples.json';

/** The message parseSamplesFile throws for `text`. */
function problem(text: string): string {
  try {
    parseSamplesFile(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(RunnerError);
    expect((error as RunnerError).code).toBe('WORKLOAD_FAILED');
    return (error as RunnerError).message;
  }
  throw new Error('expected the samples file to be rejected');
}

describe('parseSamplesFile: every sample a finite time above 0', () => {
  it.each([
    ['1e999', 'Infinity', 'a number too large for JSON, e.g. 1e999, reads as Infinity'],
    ['"12.5"', '"12.5"', ''],
    ['null', 'null', ''],
    ['-3', '-3', ''],
    ['0', '0', ''],
    ['{ "ms": 12 }', '{"ms":12}', ''],
  ])('samples[1] = %s names the file, the index, the value and the shape', (raw, shown, note) => {
    const message = problem(`{ "version": 1, "samples": [12.5, ${raw}, 13] }`);
    expect(message).toContain(`the samples file ${FILE} has samples[1] = ${shown}`);
    expect(message).toContain(note);
    expect(message).toContain('every sample must be a finite time in milliseconds above 0');
    expect(message).toContain(
      'The samples command must write { "version": 1, "samples": [12.5, 12.7, ...] }',
    );
  });

  it('counts the other invalid samples after the first', () => {
    expect(problem('{ "version": 1, "samples": [1, "a", null, 2] }')).toContain(
      'samples[1] = "a", and 1 more of its 4 samples are invalid',
    );
  });

  it('rejects a file that is not JSON, not an object, of another version, or without samples', () => {
    expect(problem('{ "version": 1, ')).toMatch(/is not JSON \(/);
    expect(problem('[12.5, 13]')).toContain('holds [12.5,13], not an object');
    expect(problem('{ "version": 2, "samples": [1] }')).toContain('has "version" 2; it must be 1');
    expect(problem('{ "version": 1 }')).toContain(
      'has no "samples"; it must be a list of at least one time',
    );
    expect(problem('{ "version": 1, "samples": [] }')).toContain('has "samples" []');
    expect(problem('{ "version": 1, "samples": [1], "dtype": 16 }')).toContain(
      'has "dtype" 16; it must be a string when present',
    );
  });

  it('checks memory entries: an index and byte counts, 0 or more', () => {
    const withMemory = (entry: string) =>
      problem(`{ "version": 1, "samples": [1], "memory": [${entry}] }`);
    expect(withMemory('{ "device": -1, "maxAllocatedBytes": 1, "maxReservedBytes": 1 }')).toContain(
      'has memory[0].device = -1; it must be a device index, 0 or more',
    );
    expect(
      withMemory('{ "device": 0, "maxAllocatedBytes": "1 GB", "maxReservedBytes": 1 }'),
    ).toContain(
      'has memory[0].maxAllocatedBytes = "1 GB"; it must be a number of bytes, 0 or more',
    );
    expect(withMemory('{ "device": 0, "maxAllocatedBytes": 1 }')).toContain(
      'has memory[0].maxReservedBytes = nothing',
    );
    expect(withMemory('7')).toContain('has memory[0] = 7; it must be an object');
  });

  it('accepts a valid file with memory, framework and dtype', () => {
    const text =
      '{ "version": 1, "samples": [12.5, 0.001], "framework": "jax", "dtype": "bf16", "memory": [{ "device": 0, "maxAllocatedBytes": 1024, "maxReservedBytes": 2048 }] }';
    expect(parseSamplesFile(text, FILE)).toEqual({
      version: 1,
      samples: [12.5, 0.001],
      framework: 'jax',
      dtype: 'bf16',
      memory: [{ device: 0, maxAllocatedBytes: 1024, maxReservedBytes: 2048 }],
    });
  });
});

describe('samples workload: the command runs through the shared command runner', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'perf-gate-samples-'));
  });
  afterEach(() => {
    killPids(pidsIn(dir));
    rmSync(dir, { recursive: true, force: true });
  });

  it('past timeoutSeconds the whole tree is stopped, and the message names timeoutSeconds', async () => {
    // Long enough for the shell to start its child and record it on a loaded machine.
    const workload = samplesWorkload({
      command: 'sleep 30 & touch "child-$!.pid"; wait',
      output: 's.json',
      cwd: '.',
      env: {},
      timeoutSeconds: 5,
    });
    const { context } = testContext({ cwd: dir });
    const session = await workload.open(context);
    const error = await session.run(1).then(
      () => null,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(RunnerError);
    expect(error?.message).toContain('the head samples command "sleep 30 & touch');
    expect(error?.message).toContain('did not finish within 5 s (timeoutSeconds)');
    expect(error?.message).toContain(
      "raise timeoutSeconds under the benchmark's `workload:` (kind: samples) in perf-gate.yml",
    );
    const children = pidsIn(dir);
    expect(children).not.toEqual([]);
    for (const pid of children) expect(isGone(pid)).toBe(true);
  });

  /**
   * A samples workload whose round records its child's PID, then says
   * "started" and waits for it (5 minutes).
   */
  const longRound = () =>
    samplesWorkload({
      command: 'sleep 300 & touch "child-$!.pid"; echo started; wait',
      output: 's.json',
      cwd: '.',
      env: {},
      timeoutSeconds: 600,
    });

  it('an interrupted round stops its whole tree and says it was interrupted, not out of memory', async () => {
    const workload = longRound();
    const interrupt = new AbortController();
    const { context } = testContext({
      cwd: dir,
      signal: interrupt.signal,
      // As the CLI's SIGINT handler does: abort, then SIGKILL every live group.
      log: (line) => {
        if (line !== 'started') return;
        interrupt.abort(new Error('interrupted by SIGINT'));
        killLiveWorkerGroups();
      },
    });
    const session = await workload.open(context);
    const error = await session.run(1).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(
      /^the head samples command ".*" was stopped: interrupted by SIGINT$/,
    );
    expect(error?.message).not.toContain('out-of-memory');
    const children = pidsIn(dir);
    expect(children).not.toEqual([]);
    for (const pid of children) expect(isGone(pid)).toBe(true);
  });

  it("an interrupted gate's signal reaches the round: measureBenchmark returns without waiting it out", async () => {
    const interrupt = new AbortController();
    const harness = plan(longRound(), {
      name: 'harness',
      thresholds: { latency: 0.02, memory: 0.05, throughput: 0.02 },
      iterationsPerRound: 1,
      maxRounds: 4,
      maxSeconds: 600,
    });
    // Only the signal: nothing here kills the groups, so without it the round would run 5 minutes.
    const log = (line: string) => {
      if (line.endsWith('] started')) interrupt.abort(new Error('interrupted by SIGINT'));
    };
    const result = await measureBenchmark(harness, { base: dir, head: dir }, log, {
      signal: interrupt.signal,
    });
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^interrupted by SIGINT after 0 rounds/);
    const children = pidsIn(dir);
    expect(children).not.toEqual([]);
    for (const pid of children) expect(isGone(pid)).toBe(true);
  });

  it('a bad value in the file fails the round with the file, index and value', async () => {
    const workload = samplesWorkload({
      command: `echo '{"version": 1, "samples": [1.5, 1e999]}' > "$PERF_GATE_SAMPLES_OUTPUT"`,
      output: 'out.json',
      cwd: '.',
      env: {},
      timeoutSeconds: 60,
    });
    const session = await workload.open(testContext({ cwd: dir }).context);
    await expect(session.run(1)).rejects.toThrow(
      `the samples file ${join(dir, 'out.json')} has samples[1] = Infinity`,
    );
  });
});
