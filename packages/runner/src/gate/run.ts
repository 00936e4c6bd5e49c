import { resolve } from 'node:path';
import {
  type DeviceProbe,
  type GpuReader,
  openGpuReader,
  probeDevice,
} from '@vggt-perf-gate/device';
import { type GateConfig, hashConfig } from '../config/index.js';
import { writeResults } from '../results/io.js';
import { type GateResults, type NoiseFloor, RESULTS_SCHEMA_VERSION } from '../results/types.js';
import { ResultsNotSavedError } from '../results/unsaved.js';
import { gateVerdict } from '../results/verdict.js';
import { VERSION } from '../version.js';
import { runBenchmark } from './benchmark.js';
import {
  type BaseCheckout,
  checkoutBase,
  gitCommonDir,
  isDirty,
  pruneStaleBaseCheckouts,
  resolveCommit,
} from './git.js';
import { verdictsOf } from './plan.js';
import type { BenchmarkProgress } from './progress-events.js';
import { acquireRunLock, type RunLock } from './run-lock.js';
import { selectBenchmarks } from './select-benchmarks.js';

/**
 * What runGate needs: the config, the two sides (`dir` and `baseRef`), where
 * the results go and where log lines go. The rest is optional.
 */
export interface GateOptions {
  config: GateConfig;
  /** The head side: the working tree to gate (a git checkout). */
  dir: string;
  /** The base side: a git ref, checked out into a temporary worktree. */
  baseRef: string;
  /** Where the results JSON goes (written atomically, also for a failed run). */
  resultsPath: string;
  /** Progress and workload output, one line at a time. */
  log: (line: string) => void;
  /** Only these benchmarks (by name); all when absent. A name not in the config is an error. */
  only?: readonly string[];
  /** Names these results as one shard of a matrix run (`merge` joins shards); null when absent. */
  shard?: string | null;
  /** Device probe to use (tests); probed here when absent. */
  probe?: DeviceProbe;
  /** Called as each benchmark measures, for a live progress display. */
  onProgress?: (progress: BenchmarkProgress) => void;
  /**
   * Aborting stops the run: the benchmark being measured ends as failed with
   * every sample it took, no further benchmark starts, and the results are
   * written with status "partial".
   */
  signal?: AbortSignal;
  /**
   * The runner's calibrated noise per benchmark name, from its fresh A/A
   * runs (history's noiseFloors): those benchmarks' latency intervals are
   * never narrower than it allows, and the report says so.
   */
  noiseFloors?: Readonly<Record<string, NoiseFloor>>;
}

/**
 * Runs the whole gate: probe the device, check the base out, run each
 * side's setup, measure every benchmark base vs head, and write the results.
 * The base worktree is removed and every worker is stopped whatever happens.
 * A benchmark that cannot be measured does not throw: it is a `failed`
 * result, and the benchmarks after it still run.
 *
 * @throws ResultsNotSavedError when the results file cannot be written at the
 *   end; it carries the results, so the caller can still report and keep them
 * @throws BenchmarkSelectionError when `only` names a benchmark the config
 *   does not have, before anything runs
 * @throws RunnerError `BASE_CHECKOUT_FAILED` when the base ref cannot be
 *   checked out, `ALREADY_RUNNING` when another run holds the repository's lock
 * @example
 * import { loadConfig, renderMarkdown, runGate } from '@vggt-perf-gate/runner';
 * const config = await loadConfig('perf-gate.yml');
 * const log = (line: string) => console.error(line);
 * const results = await runGate({ config, dir: '.', baseRef: 'origin/main', resultsPath: 'perf-gate-results.json', log });
 * console.log(renderMarkdown(results));
 */
export async function runGate(options: GateOptions): Promise<GateResults> {
  const { config, log } = options;
  const dir = resolve(options.dir);
  const probe = options.probe ?? probeDevice();
  const warnings = probe.state === 'ok' ? [...probe.warnings] : [];
  if (probe.state === 'no-gpu')
    log(`device: no NVIDIA GPU (${probe.reason.split('\n')[0]}); GPU metrics will not be measured`);
  const results = await newResults(options, dir, probe, warnings);
  const benchmarks = selectBenchmarks(config, options.only);
  // Counted over the whole config, not the selection: shards of one run then share one budget.
  const verdicts = verdictsOf(config.benchmarks);
  let reader: GpuReader | null = null;
  const lock = await lockRepository(dir, options.resultsPath, log, results.warnings);
  let base: BaseCheckout;
  try {
    base = await checkoutBase(dir, options.baseRef);
  } catch (error) {
    lock.release();
    throw error;
  }
  results.commits.base.sha = base.sha;
  log(`base ${options.baseRef} (${base.sha.slice(0, 12)}) checked out in ${base.dir}`);
  try {
    if (probe.state === 'ok') reader = openGpuReader();
    for (const benchmark of benchmarks) {
      if (options.signal?.aborted) break;
      log(`benchmark ${benchmark.name}: ${benchmark.workload.kind}`);
      results.benchmarks.push(
        await runBenchmark(benchmark, {
          dirs: { base: base.dir, head: dir },
          probe,
          reader,
          log,
          verdicts,
          noiseFloor: options.noiseFloors?.[benchmark.name] ?? null,
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      );
      // Written after every benchmark: a crash later loses nothing measured (status stays partial).
      // A failed write does not stop measuring: the final write below reports it, results attached.
      await writeResults(options.resultsPath, results).catch((e: Error) =>
        log(`results not saved to ${options.resultsPath} yet (${e.message}); measuring goes on`),
      );
    }
    if (!options.signal?.aborted) results.status = 'complete';
  } finally {
    // Nothing in cleanup may cost the measured results, or leave the lock held.
    try {
      closeReader(reader, results.warnings);
      const leftover = await base.remove();
      if (leftover) results.warnings.push(leftover);
      Object.assign(results, gateVerdict(results.benchmarks));
      if (results.status !== 'complete' && results.verdict === 'pass')
        results.verdict = 'inconclusive';
      await writeResults(options.resultsPath, results).catch((cause) => {
        throw new ResultsNotSavedError(options.resultsPath, results, cause);
      });
    } finally {
      lock.release();
    }
  }
  return results;
}

/** The results of a run about to start: status partial and verdict failed until it ends. */
async function newResults(
  options: GateOptions,
  dir: string,
  probe: DeviceProbe,
  warnings: string[],
): Promise<GateResults> {
  const gpu0 = probe.state === 'ok' ? probe.inventory.gpus[0] : undefined;
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    tool: { name: 'vggt-perf-gate', version: VERSION },
    createdAt: new Date().toISOString(),
    configHash: hashConfig(options.config),
    commits: {
      base: { ref: options.baseRef, sha: null },
      head: {
        ref: 'working tree',
        sha: await resolveCommit(dir, 'HEAD'),
        dirty: await isDirty(dir),
      },
    },
    device:
      probe.state === 'ok' && gpu0
        ? {
            state: 'ok',
            name: gpu0.name,
            computeCapability: gpu0.computeCapability
              ? `${gpu0.computeCapability.major}.${gpu0.computeCapability.minor}`
              : null,
            driver: probe.inventory.driverVersion,
            source: probe.inventory.source,
          }
        : { state: 'no-gpu', reason: probe.state === 'no-gpu' ? probe.reason : 'no GPU listed' },
    status: 'partial',
    verdict: 'failed',
    regressions: 0,
    benchmarks: [],
    warnings,
    shard: options.shard ?? null,
  };
}

function closeReader(reader: GpuReader | null, warnings: string[]): void {
  try {
    reader?.close();
  } catch (error) {
    warnings.push(
      `closing the GPU reader failed (${(error as Error).message}); the results are unaffected`,
    );
  }
}

/**
 * Takes the repository's run lock, then removes the base worktrees a killed
 * run left behind: with the lock held, none of them can be a live run's.
 * What could not be removed becomes a warning of the run.
 */
async function lockRepository(
  dir: string,
  resultsPath: string,
  log: (line: string) => void,
  warnings: string[],
): Promise<RunLock> {
  const gitDir = await gitCommonDir(dir).catch(() => null);
  // Not a repository: checkoutBase says so, with what to do.
  if (gitDir === null) return { path: '', release: () => {} };
  const lock = acquireRunLock(gitDir, resolve(resultsPath));
  const { removed, problems } = await pruneStaleBaseCheckouts(dir);
  if (removed.length > 0)
    log(
      `removed ${removed.length} base worktree(s) an earlier, interrupted run left: ${removed.join(', ')}`,
    );
  warnings.push(...problems);
  return lock;
}
