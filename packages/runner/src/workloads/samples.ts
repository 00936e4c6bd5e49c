import { readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { RunnerError } from '../errors.js';
import { runCommand, type TimeoutSetting } from './command.js';
import { parseSamplesFile, type SamplesFile } from './samples-file.js';
import type { Workload, WorkloadContext, WorkloadInfo } from './types.js';

export type { SamplesFile } from './samples-file.js';

/** Where a samples command's limit is set, for its timeout message. */
const SAMPLES_TIMEOUT: TimeoutSetting = {
  key: 'timeoutSeconds',
  where: "under the benchmark's `workload:` (kind: samples) in perf-gate.yml",
};

export interface SamplesWorkloadOptions {
  command: string | string[];
  output: string;
  cwd: string;
  env: Record<string, string>;
  /** Limit for one run of the command; its whole process tree is stopped past it. */
  timeoutSeconds: number;
  /**
   * Which benchmark of an output that holds several (pytest-benchmark's JSON,
   * torch.utils.benchmark Measurements); absent or null when there is one.
   */
  select?: string | null;
  /** Receives warnings for the benchmark's results (processes a round left running). */
  onWarning?: (message: string) => void;
}

/**
 * A workload whose command has a harness of its own: one run of the command
 * is one round, and it writes its times to a samples file (samples-file.ts).
 * The command runs through the shared command runner (command.ts): its own
 * process group, its whole tree stopped on the time limit or when the
 * context's signal aborts, bounded output. `cwd` is relative to the side's
 * checkout and `output` to `cwd`; the command finds the output path in
 * `$PERF_GATE_SAMPLES_OUTPUT`. A round whose command fails, times out or
 * writes no valid file fails with RunnerError 'WORKLOAD_FAILED'.
 *
 * @example
 * import { samplesWorkload } from '@vggt-perf-gate/runner';
 * const workload = samplesWorkload({ command: 'python bench/time_it.py', output: 'samples.json', cwd: '.', env: {}, timeoutSeconds: 600 });
 * const session = await workload.open({ side: 'head', cwd: '.', dtype: 'fp32', log: (line) => console.error(line) });
 * const { samples } = await session.run(1); // one run of the command: every time it wrote
 * await session.close();
 */
export function samplesWorkload(options: SamplesWorkloadOptions): Workload {
  return {
    kind: 'samples',
    open: async (context) => {
      let info: WorkloadInfo = {
        framework: 'samples file',
        frameworkVersion: null,
        device: null,
        dtype: null,
        itemsPerIteration: null,
        extra: {},
      };
      const runRound = async (): Promise<SamplesFile> => {
        const file = await runOnce(options, context);
        info = { ...info, framework: file.framework ?? info.framework, dtype: file.dtype ?? null };
        return file;
      };
      return {
        get info() {
          return info;
        },
        pid: process.pid,
        warmup: async (iterations) => {
          if (iterations > 0) await runRound();
        },
        run: async () => {
          const file = await runRound();
          return {
            samples: file.samples.map((ms) => ({ hostMs: ms, deviceMs: null })),
            memory: file.memory ?? [],
          };
        },
        close: async () => {},
      };
    },
  };
}

/** Runs the command once and reads the samples file it wrote. */
async function runOnce(
  options: SamplesWorkloadOptions,
  context: WorkloadContext,
): Promise<SamplesFile> {
  const cwd = resolve(context.cwd, options.cwd);
  const output = resolve(cwd, options.output);
  // A file left by an earlier round must not pass for this round's.
  await rm(output, { force: true });
  const outcome = await runCommand({
    command: options.command,
    cwd,
    env: { ...process.env, ...context.env, ...options.env, PERF_GATE_SAMPLES_OUTPUT: output },
    timeoutMs: options.timeoutSeconds * 1000,
    timeoutSetting: SAMPLES_TIMEOUT,
    what: `the ${context.side} samples command`,
    log: context.log,
    // An interrupted gate stops the round's whole tree now, not at the time limit,
    // and the failure says it was interrupted (not "killed by SIGKILL, out of memory").
    signal: context.signal,
  });
  for (const warning of outcome.warnings) options.onWarning?.(warning);
  if (outcome.state === 'failed') throw new RunnerError('WORKLOAD_FAILED', outcome.error);
  let text: string;
  try {
    text = await readFile(output, 'utf8');
  } catch (cause) {
    throw new RunnerError(
      'WORKLOAD_FAILED',
      `the samples command ${JSON.stringify(options.command)} exited cleanly but ${output} could not be read (${(cause as Error).message}): it must write { "version": 1, "samples": [ms, ...] } there (its path is also in $PERF_GATE_SAMPLES_OUTPUT).`,
      { cause },
    );
  }
  return parseSamplesFile(text, output, options.select ?? null);
}
