import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { invalidOption, MemoryError } from './errors.js';
import { checkPid } from './process-tree.js';
import { STOP, type WorkerInput, type WorkerMessage } from './protocol.js';
import { validateRecording } from './recording.js';
import type { VramReport } from './report.js';
import { DEFAULT_TIMELINE_POINTS } from './sampler-core.js';
import type { SourceSpec } from './source.js';
import { DEFAULT_TREE_RESCAN_MS } from './tree-tracker.js';

/** Options of {@link startVramSampler}; only `rootPid` is required. */
export interface VramSamplerOptions {
  /** The process whose tree is measured: its own memory and every descendant's, on every GPU. */
  rootPid: number;
  /**
   * Milliseconds between readings. Default: 1 for NVML (reads cost ~10-15 us),
   * 100 for nvidia-smi (a process start per read), 1 for a replay.
   */
  intervalMs?: number;
  /** Default `{ kind: 'auto' }`: NVML, else nvidia-smi. */
  source?: SourceSpec;
  /** Most timeline points per GPU, default 500. */
  maxPoints?: number;
  /** How often the process tree is re-read (ms), default 50. */
  treeRescanMs?: number;
}

/** A running sampler. Stop it exactly once; `await using` stops it for you. */
export interface VramSampler {
  /** The source the worker opened (`auto` resolved). */
  readonly source: VramReport['source'];
  /** The interval in use (ms). */
  readonly intervalMs: number;
  /**
   * Stops sampling and resolves with the report; the worker is terminated
   * whatever happens. Calling it again returns the same promise.
   */
  stop(): Promise<VramReport>;
  /** Stops and discards the report, for `await using sampler = await startVramSampler(...)`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts sampling the GPU memory of a process tree in a worker thread, so
 * a busy event loop in this thread (the measured work, or the harness
 * driving it) never delays a reading. Resolves once the source is open and
 * the first reading, the baseline, is taken.
 *
 * Always stop it, in a `finally` (or with `await using`): a sampler left
 * running would read the GPU until the process exits.
 *
 * @throws MemoryError SOURCE_UNAVAILABLE without an NVIDIA driver (use a
 *   replay source to run without a GPU), WORKER_NOT_BUILT when the compiled
 *   worker is missing, INVALID_OPTION / INVALID_RECORDING for bad options.
 *
 * @example
 * const sampler = await startVramSampler({ rootPid: launcherPid });
 * try {
 *   await workloadDone;
 * } finally {
 *   const report = await sampler.stop();
 *   console.log(`peak ${formatBytes(report.total.peakBytes)} at ${report.total.peakAtMs} ms`);
 * }
 */
export async function startVramSampler(options: VramSamplerOptions): Promise<VramSampler> {
  const input = checkOptions(options);
  // execArgv: [] so the worker is plain Node: a parent started with
  // --conditions=source or a TypeScript loader must not make the worker load
  // .ts sources; it runs the compiled files.
  const worker = new Worker(workerUrl(), { workerData: input, execArgv: [] });
  // Never keep the process alive for the sampler alone; stop() holds it while it waits.
  worker.unref();
  const stopFlag = new Int32Array(input.stopSignal);

  let settleReady: (message: WorkerMessage) => void = () => {};
  const ready = new Promise<WorkerMessage>((resolve) => {
    settleReady = resolve;
  });
  let settleReport: (result: VramReport | MemoryError) => void = () => {};
  const finished = new Promise<VramReport | MemoryError>((resolve) => {
    settleReport = resolve;
  });
  const fail = (error: MemoryError) => {
    settleReady({ type: 'error', code: error.code, message: error.message });
    settleReport(error);
  };
  worker.on('message', (message: WorkerMessage) => {
    if (message.type === 'ready') settleReady(message);
    else if (message.type === 'report') settleReport(message.report);
    else fail(new MemoryError(message.code, message.message));
  });
  worker.on('error', (error) =>
    fail(
      new MemoryError('SAMPLER_FAILED', `the sampler worker crashed: ${error.message}`, {
        cause: error,
      }),
    ),
  );
  worker.on('exit', (code) =>
    fail(
      new MemoryError(
        'SAMPLER_FAILED',
        `the sampler worker exited (code ${code}) before sending its report; the run's memory numbers are lost. Run it again; if it repeats, report it with the Node version.`,
      ),
    ),
  );

  const terminate = async () => {
    Atomics.store(stopFlag, 0, STOP);
    Atomics.notify(stopFlag, 0);
    await worker.terminate();
  };

  const started = await ready;
  if (started.type !== 'ready') {
    await terminate();
    throw started.type === 'error'
      ? new MemoryError(started.code, started.message)
      : new MemoryError('SAMPLER_FAILED', 'the sampler worker sent a report before starting.');
  }

  let stopping: Promise<VramReport> | undefined;
  const stop = (): Promise<VramReport> => {
    stopping ??= (async () => {
      worker.ref();
      try {
        Atomics.store(stopFlag, 0, STOP);
        Atomics.notify(stopFlag, 0);
        const result = await finished;
        if (result instanceof MemoryError) throw result;
        return result;
      } finally {
        await worker.terminate();
      }
    })();
    return stopping;
  };

  return {
    source: started.source,
    intervalMs: started.intervalMs,
    stop,
    async [Symbol.asyncDispose]() {
      // Disposal is cleanup: the report is not wanted, and a failure to
      // produce one must not mask the error that is unwinding the scope.
      await stop().catch(() => undefined);
    },
  };
}

function checkOptions(options: VramSamplerOptions): WorkerInput {
  if (options === null || typeof options !== 'object') {
    throw invalidOption('options', options, 'an object { rootPid, intervalMs?, source? }');
  }
  checkPid('rootPid', options.rootPid);
  const { intervalMs } = options;
  if (intervalMs !== undefined && !(intervalMs > 0 && Number.isFinite(intervalMs))) {
    throw invalidOption('intervalMs', intervalMs, 'a number of milliseconds > 0, e.g. 1');
  }
  const source: SourceSpec = options.source ?? { kind: 'auto' };
  const kind = (source as { kind?: unknown } | null)?.kind;
  if (source.kind === 'replay') {
    // Checked here so a bad recording fails with the caller's stack, not in the worker.
    validateRecording(source.recording);
    if (source.pace !== undefined && source.pace !== 'recorded' && source.pace !== 'realtime') {
      throw invalidOption('source.pace', source.pace, '"recorded" or "realtime"');
    }
  } else if (kind !== 'nvml' && kind !== 'nvidia-smi' && kind !== 'auto') {
    throw invalidOption('source.kind', kind, '"auto", "nvml", "nvidia-smi" or "replay"');
  }
  const maxPoints = options.maxPoints ?? DEFAULT_TIMELINE_POINTS;
  if (!(Number.isInteger(maxPoints) && maxPoints >= 2)) {
    throw invalidOption('maxPoints', maxPoints, 'an integer >= 2');
  }
  const treeRescanMs = options.treeRescanMs ?? DEFAULT_TREE_RESCAN_MS;
  if (!(treeRescanMs > 0 && Number.isFinite(treeRescanMs))) {
    throw invalidOption('treeRescanMs', treeRescanMs, 'a number of milliseconds > 0');
  }
  return {
    rootPid: options.rootPid,
    intervalMs,
    source,
    maxPoints,
    treeRescanMs,
    stopSignal: new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT),
  };
}

/**
 * The compiled worker. Next to this module in dist/; when this module runs
 * from its TypeScript source (tests, a `source` export condition), the
 * worker still has to be plain JavaScript, so it is taken from ../dist.
 */
function workerUrl(): URL {
  const here = import.meta.url;
  const url = here.endsWith('.ts')
    ? new URL('../dist/sampler-worker.js', here)
    : new URL('./sampler-worker.js', here);
  if (!existsSync(url)) {
    throw new MemoryError(
      'WORKER_NOT_BUILT',
      `the sampler worker ${fileURLToPath(url)} does not exist: build the package first (\`npm run build -w @vggt-perf-gate/memory\`).`,
    );
  }
  return url;
}
