import type { BenchmarkConfig } from '../config/index.js';
import { runCommand, type TimeoutSetting } from '../workloads/command.js';

/** Where the setup limit is set, for its timeout message. */
const SETUP_TIMEOUT: TimeoutSetting = {
  key: 'setupTimeoutSeconds',
  where: 'on the benchmark, or under `defaults:`, in perf-gate.yml',
};

/** How a benchmark's setup went: the first failure (null if none) and warnings for its results. */
export interface SetupOutcome {
  error: string | null;
  warnings: string[];
}

/**
 * Runs each side's `setup` command in that side's checkout, base first,
 * through the shared command runner: a process group of its own, the
 * benchmark's `setupTimeoutSeconds`, output logged line by line; aborting
 * `signal` stops it. Stops at the first failure; never rejects.
 */
export async function runSetup(
  benchmark: BenchmarkConfig,
  dirs: { base: string; head: string },
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<SetupOutcome> {
  const warnings: string[] = [];
  for (const side of ['base', 'head'] as const) {
    const command = benchmark.setup[side];
    if (!command) continue;
    const prefix = `[${benchmark.name} ${side}]`;
    log(`${prefix} setup: ${command}`);
    const outcome = await runCommand({
      command,
      cwd: dirs[side],
      env: process.env,
      timeoutMs: benchmark.setupTimeoutSeconds * 1000,
      timeoutSetting: SETUP_TIMEOUT,
      what: `the ${side} setup command`,
      log: (line) => log(`${prefix} ${line}`),
      signal,
    });
    warnings.push(...outcome.warnings);
    if (outcome.state === 'failed') return { error: outcome.error, warnings };
  }
  return { error: null, warnings };
}
