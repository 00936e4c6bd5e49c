import { killLiveWorkerGroups } from '../workloads/worker-process.js';
import { removeLiveCheckouts } from './git.js';

/** How long a run may take to report after an interrupt before the process exits anyway. */
export const FORCED_EXIT_MS = 15_000;

/** What stopOnSignals does at a signal: the status to exit with, and what to say. */
export interface InterruptOptions {
  /** The exit status when the process has to exit itself (a second signal, or past FORCED_EXIT_MS). */
  exitCode: (signal: NodeJS.Signals) => number;
  /** Said once, at the first signal (a log line, an annotation). */
  onFirst: (signal: NodeJS.Signals) => void;
  /** At every signal, before anything else (e.g. erase a progress line). */
  onEvery?: () => void;
}

/**
 * Ctrl-C or a cancelled CI job, for the CLI and the Action alike. Workers
 * live in their own process groups, so the signal does not reach them: the
 * first SIGINT or SIGTERM stops them here and aborts the returned signal, so
 * the measurement fails fast, keeps every sample taken, and the results and
 * reports are written before the exit. A second signal, or a run that has
 * not finished within FORCED_EXIT_MS, removes the base checkouts and exits.
 *
 * @example
 * const { signal, interrupted } = stopOnSignals({
 *   exitCode: (s) => (s === 'SIGINT' ? 130 : 143),
 *   onFirst: (s) => console.error(`${s}: stopping workers; writing what was measured`),
 * });
 * await runGate({ ...options, signal });
 */
export function stopOnSignals(options: InterruptOptions): {
  signal: AbortSignal;
  interrupted: () => NodeJS.Signals | null;
} {
  const controller = new AbortController();
  let first: NodeJS.Signals | null = null;
  const exitNow = (code: number) => {
    killLiveWorkerGroups();
    void removeLiveCheckouts().finally(() => process.exit(code));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      options.onEvery?.();
      const code = options.exitCode(signal);
      if (first) {
        exitNow(code);
        return;
      }
      first = signal;
      options.onFirst(signal);
      controller.abort(new Error(`interrupted by ${signal}`));
      killLiveWorkerGroups();
      setTimeout(() => exitNow(code), FORCED_EXIT_MS).unref();
    });
  }
  return { signal: controller.signal, interrupted: () => first };
}
