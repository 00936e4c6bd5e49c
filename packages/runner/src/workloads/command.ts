import { statSync } from 'node:fs';
import { describeExit, type ExitStatus, exitHint } from './exit-status.js';
import { findTokenCarriers, listStrays, processCount, type StrayProcess } from './strays.js';
import { readLines } from './worker-lines.js';
import {
  DEFAULT_KILL_GRACE_MS,
  killProcessGroup,
  spawnCommand,
  type TrackedProcess,
} from './worker-process.js';

/**
 * Running a command to its end: a benchmark's setup, one round of a samples
 * harness. The command runs in a process group of its own, like a worker, and
 * ends the same way (killProcessGroup): on a timeout its whole tree is
 * stopped, not just the shell. The runner waits for the command's exit, never
 * for its pipes to close, so a daemon it started cannot hold the gate; and
 * whatever still carries its run token after it exited is reported and
 * stopped.
 */

/** Lines of output (stdout and stderr, in arrival order) quoted in a failure message. */
const OUTPUT_TAIL_LINES = 20;
/** A log line longer than this is split: a progress bar without newlines must not grow forever. */
const LOG_LINE_MAX_CHARS = 64 * 1024;
const MB = 1024 * 1024;

/** The config key that sets a command's time limit, and where it goes. */
export interface TimeoutSetting {
  /** e.g. "setupTimeoutSeconds". */
  key: string;
  /** e.g. "on the benchmark, or under `defaults:`, in perf-gate.yml". */
  where: string;
}

/** A command to run to its end. */
export interface CommandSpec {
  /** A string runs through `sh -c`; an array runs the program directly. */
  command: string | string[];
  cwd: string;
  /** The whole environment (the run token is added). */
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  timeoutSetting: TimeoutSetting;
  /** Names the command in messages, e.g. "the head setup command". */
  what: string;
  /** Every line of output, as it arrives. */
  log: (line: string) => void;
  killGraceMs?: number;
  /** Aborting stops the command's whole tree (an interrupted gate); the outcome says why. */
  signal?: AbortSignal;
}

/** How a command ended; `warnings` (processes it left running) belong in the results either way. */
export type CommandOutcome =
  | { state: 'ok'; warnings: string[] }
  | { state: 'failed'; error: string; warnings: string[] };

/**
 * Runs the command and resolves once it has exited and everything it
 * started is gone. Never rejects: every failure (no such directory or
 * program, a non-zero exit, a signal, the time limit) is a `failed` outcome
 * whose error says what happened, where, and what to do, with the tail of
 * the output.
 */
export async function runCommand(spec: CommandSpec): Promise<CommandOutcome> {
  const shown = JSON.stringify(spec.command);
  const started = start(spec, shown);
  if ('error' in started) return { state: 'failed', error: started.error, warnings: [] };
  const { proc, viaShell, spawnError } = started;
  const output = new OutputTail(OUTPUT_TAIL_LINES);
  collectOutput(proc, output, spec.log);
  const grace = spec.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const { timedOut, strays } = await waitAndClean(proc, spec.timeoutMs, grace, spec.signal);
  const warnings = strays.length > 0 ? [leftRunning(spec.what, shown, strays)] : [];
  for (const warning of warnings) spec.log(`warning: ${warning}`);
  const status = { code: proc.child.exitCode, signal: proc.child.signalCode };
  const failure = spawnError();
  const error = spec.signal?.aborted
    ? `${spec.what} ${shown} was stopped: ${reasonOf(spec.signal)}`
    : timedOut
      ? timeoutMessage(spec, shown, grace, output)
      : failure !== null
        ? `${spec.what} ${shown} cannot start in ${spec.cwd}: ${failure.message}. Install the program, make sure it is on PATH for the runner, or give an absolute path.`
        : exitMessage(spec, shown, status, viaShell, output);
  return error === null ? { state: 'ok', warnings } : { state: 'failed', error, warnings };
}

/** Spawns the command, or says why it cannot start; spawn errors that arrive later are kept. */
function start(
  spec: CommandSpec,
  shown: string,
): { proc: TrackedProcess; viaShell: boolean; spawnError: () => Error | null } | { error: string } {
  if (!isDirectory(spec.cwd)) {
    return {
      error: `${spec.what} ${shown} cannot start: its working directory ${spec.cwd} does not exist or is not a directory. Check "cwd" (relative paths are resolved against the side's checkout).`,
    };
  }
  const viaShell = typeof spec.command === 'string';
  const [file, ...args] = viaShell ? [spec.command as string] : (spec.command as string[]);
  let proc: TrackedProcess;
  try {
    proc = spawnCommand(file ?? '', args, { cwd: spec.cwd, env: spec.env, shell: viaShell });
  } catch (cause) {
    // Invalid arguments (an empty program name) throw here rather than emit 'error'.
    return { error: `${spec.what} ${shown} cannot start: ${(cause as Error).message}` };
  }
  let spawnError: Error | null = null;
  // ENOENT and EACCES of the program arrive as 'error' with no PID.
  proc.child.once('error', (error) => {
    if (proc.child.pid === undefined) spawnError = error;
  });
  return { proc, viaShell, spawnError: () => spawnError };
}

/**
 * Waits for the command to exit, stopping its tree at the time limit, then
 * stops everything it left running and returns that. Resolves on the exit,
 * never on the pipes closing: a daemon keeps those open.
 */
async function waitAndClean(
  proc: TrackedProcess,
  timeoutMs: number,
  graceMs: number,
  signal: AbortSignal | undefined,
): Promise<{ timedOut: boolean; strays: StrayProcess[] }> {
  let stopping: Promise<StrayProcess[]> | null = null;
  const stop = () => {
    stopping ??= killProcessGroup(proc, graceMs);
    return stopping;
  };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void stop();
  }, timeoutMs);
  const onAbort = () => void stop();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  await proc.exited;
  clearTimeout(timer);
  signal?.removeEventListener('abort', onAbort);
  // Whatever still carries the command's token has outlived it (after a timeout,
  // the tree is being stopped on purpose): found before stop() kills it.
  const outlived = timedOut ? [] : await findTokenCarriers(proc.token);
  // stop() scans again, and may name what the first scan could not see yet.
  const escaped = await stop();
  const strays = [...outlived, ...escaped.filter((e) => !outlived.some((o) => o.pid === e.pid))];
  return { timedOut, strays };
}

/**
 * Why the gate stops what a command left running, rather than leave it: a
 * process left behind competes with the measurement for CPU and GPU (and
 * possibly on one side only, skewing base against head), its output has no
 * reader once the gate stops draining the pipes, and the gate promises to
 * leave nothing running when it ends.
 */
function leftRunning(what: string, shown: string, strays: readonly StrayProcess[]): string {
  return (
    `${what} ${shown} left ${processCount(strays.length)} running after it exited: ${listStrays(strays)}. ` +
    'The gate stopped them (SIGTERM, then SIGKILL): a process left behind would compete with the measurement for CPU and GPU and outlive the gate. ' +
    'Stop background processes before the command ends, or start a helper the benchmark needs from the worker, whose process tree is tracked and stopped with it.'
  );
}

function collectOutput(proc: TrackedProcess, output: OutputTail, log: (line: string) => void) {
  const onLine = (line: string) => {
    output.push(line);
    log(line);
  };
  for (const stream of [proc.stdout, proc.stderr]) {
    readLines(stream, onLine, { maxChars: LOG_LINE_MAX_CHARS, onOverflow: onLine });
    // The pipes are closed by the runner once the command is gone; nothing to report.
    stream.on('error', () => undefined);
  }
}

function timeoutMessage(
  spec: CommandSpec,
  shown: string,
  graceMs: number,
  output: OutputTail,
): string {
  const { key, where } = spec.timeoutSetting;
  return (
    `${spec.what} ${shown} did not finish within ${spec.timeoutMs / 1000} s (${key}), so it was stopped ` +
    `(SIGTERM to its process group, SIGKILL after ${graceMs / 1000} s). If it legitimately takes longer, ` +
    `raise ${key} ${where}; otherwise look for a step waiting for input, a lock or the network.\n${output.format()}`
  );
}

/** Null for a clean exit; otherwise how it ended, a hint, and the output's tail. */
function exitMessage(
  spec: CommandSpec,
  shown: string,
  status: ExitStatus,
  viaShell: boolean,
  output: OutputTail,
): string | null {
  if (status.code === 0) return null;
  const hint = exitHint(status, viaShell) ?? 'Its output below usually says why.';
  return `${spec.what} ${shown} failed in ${spec.cwd}: it ${describeExit(status, viaShell)}. ${hint}\n${output.format()}`;
}

/** The last lines of a command's output, and how much there was in all. */
class OutputTail {
  private readonly lines: string[] = [];
  private count = 0;
  private bytes = 0;

  constructor(private readonly capacity: number) {}

  push(line: string): void {
    this.count += 1;
    this.bytes += Buffer.byteLength(line) + 1;
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.shift();
  }

  /** The kept lines as an indented block, saying when the output was longer than that. */
  format(): string {
    if (this.count === 0) return 'It wrote nothing to stdout or stderr.';
    const body = this.lines.map((line) => `  | ${line}`).join('\n');
    if (this.count === this.lines.length) return `Its output:\n${body}`;
    const size = this.bytes >= MB ? `${(this.bytes / MB).toFixed(1)} MB` : `${this.bytes} bytes`;
    return `Its output was long (${this.count} lines, ${size}, all logged above); the last ${this.lines.length} lines:\n${body}`;
  }
}

function reasonOf(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : 'interrupted';
}

/** True for an existing directory; spawn would report a missing one as ENOENT of the program. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
