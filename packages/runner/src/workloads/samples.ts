import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { RunnerError } from '../errors.js';
import type { Workload, WorkloadInfo } from './types.js';

const exec = promisify(execFile);

/**
 * The samples file a `samples` command writes (docs/samples-file.md):
 * `{ "version": 1, "samples": [ms, ...], "framework"?: string, "dtype"?: string,
 *    "memory"?: [{ "device", "maxAllocatedBytes", "maxReservedBytes" }] }`.
 * For teams with a harness of their own: one run of the command is one round.
 */
export interface SamplesFile {
  version: 1;
  samples: number[];
  framework?: string;
  dtype?: string;
  memory?: Array<{ device: number; maxAllocatedBytes: number; maxReservedBytes: number }>;
}

export interface SamplesWorkloadOptions {
  command: string | string[];
  output: string;
  cwd: string;
  env: Record<string, string>;
  timeoutSeconds: number;
}

export function samplesWorkload(options: SamplesWorkloadOptions): Workload {
  return {
    kind: 'samples',
    open: async (context) => {
      const cwd = resolve(context.cwd, options.cwd);
      const output = resolve(cwd, options.output);
      const env = {
        ...process.env,
        ...context.env,
        ...options.env,
        PERF_GATE_SAMPLES_OUTPUT: output,
      };
      let info: WorkloadInfo = {
        framework: 'samples file',
        frameworkVersion: null,
        device: null,
        dtype: null,
        itemsPerIteration: null,
        extra: {},
      };
      const runOnce = async (): Promise<SamplesFile> => {
        await rm(output, { force: true });
        const [file, args] = Array.isArray(options.command)
          ? [options.command[0]!, options.command.slice(1)]
          : ['sh', ['-c', options.command]];
        try {
          const { stdout, stderr } = await exec(file, args, {
            cwd,
            env,
            timeout: options.timeoutSeconds * 1000,
            maxBuffer: 64 * 1024 * 1024,
          });
          for (const line of `${stdout}${stderr}`.split('\n').filter(Boolean)) context.log(line);
        } catch (cause) {
          const e = cause as { code?: unknown; signal?: unknown; stderr?: string };
          throw new RunnerError(
            'WORKLOAD_FAILED',
            `the samples command ${JSON.stringify(options.command)} failed in ${cwd} (${e.signal ? `signal ${e.signal}` : `exit ${e.code}`}): ${(e.stderr ?? '').trim().split('\n').slice(-20).join('\n') || (cause as Error).message}`,
            { cause },
          );
        }
        let parsed: SamplesFile;
        try {
          parsed = JSON.parse(await readFile(output, 'utf8')) as SamplesFile;
        } catch (cause) {
          throw new RunnerError(
            'WORKLOAD_FAILED',
            `the samples command ran but ${output} is missing or not JSON (${(cause as Error).message}): it must write { "version": 1, "samples": [ms, ...] } there (its path is also in $PERF_GATE_SAMPLES_OUTPUT).`,
            { cause },
          );
        }
        if (
          parsed?.version !== 1 ||
          !Array.isArray(parsed.samples) ||
          parsed.samples.length === 0
        ) {
          throw new RunnerError(
            'WORKLOAD_FAILED',
            `${output} must be { "version": 1, "samples": [ms, ...] } with at least one sample; got ${JSON.stringify(parsed).slice(0, 200)}`,
          );
        }
        info = {
          ...info,
          framework: parsed.framework ?? info.framework,
          dtype: parsed.dtype ?? null,
        };
        return parsed;
      };
      return {
        get info() {
          return info;
        },
        pid: process.pid,
        warmup: async (iterations) => {
          if (iterations > 0) await runOnce();
        },
        run: async () => {
          const file = await runOnce();
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
