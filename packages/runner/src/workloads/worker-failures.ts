import { RunnerError } from '../errors.js';
import { describeExit, type ExitStatus, exitHint as statusHint } from './exit-status.js';
import { listStrays, processCount, type StrayProcess } from './strays.js';
import { FD_REPLIES, PROTOCOL_VERSION } from './worker-protocol.js';

/**
 * The messages of every way a worker can fail. Each one says what went
 * wrong, for which side and process, and what to do about it; the caller
 * appends the worker's stderr tail where the worker may have explained itself.
 */

/** Who failed: the side, the pid once there is one, the command and its directory. */
export interface WorkerIdentity {
  side: string;
  pid: number | undefined;
  command: string;
  cwd: string;
}

export function label(who: WorkerIdentity): string {
  const pid = who.pid === undefined ? '' : `, pid ${who.pid}`;
  return `worker (side ${who.side}${pid})`;
}

function failed(message: string, cause?: unknown): RunnerError {
  return new RunnerError('WORKLOAD_FAILED', message, cause === undefined ? undefined : { cause });
}

/** The working directory is missing: spawn would report it as ENOENT of the command. */
export function missingDirectory(who: WorkerIdentity): RunnerError {
  return failed(
    `cannot start the ${label(who)}: its working directory ${who.cwd} does not exist or is not a directory. ` +
      'Check the workload\'s "cwd" (relative paths are resolved against the side\'s checkout).',
  );
}

/** spawn itself failed: usually ENOENT (no such program) or EACCES (not executable). */
export function spawnFailed(who: WorkerIdentity, error: NodeJS.ErrnoException): RunnerError {
  if (error.code === 'ENOENT') {
    return failed(
      `cannot start the ${label(who)}: command not found: ${JSON.stringify(who.command)} (cwd ${who.cwd}). ` +
        'Install it, make sure it is on PATH for the runner, or give an absolute path.',
      error,
    );
  }
  if (error.code === 'EACCES') {
    return failed(
      `cannot start the ${label(who)}: ${JSON.stringify(who.command)} is not executable (cwd ${who.cwd}). ` +
        'Run it through its interpreter (e.g. ["python3", "bench.py"]) or chmod +x it.',
      error,
    );
  }
  return failed(
    `cannot start the ${label(who)} (${JSON.stringify(who.command)}, cwd ${who.cwd}): ${error.message}`,
    error,
  );
}

/** The worker exited (or was killed by a signal) while the runner was waiting for `waitingFor`. */
export function unexpectedExit(
  who: WorkerIdentity,
  exit: ExitStatus,
  waitingFor: string | null,
  stderrTail: string,
  viaShell: boolean,
): RunnerError {
  const when =
    waitingFor === null
      ? 'between requests'
      : waitingFor.startsWith("'hello'")
        ? 'before sending its hello'
        : `while the runner waited for ${waitingFor}`;
  return failed(
    `the ${label(who)} ${describeExit(exit, viaShell)} ${when}. ${exitHint(who, exit, waitingFor, viaShell)}\n${stderrTail}`,
  );
}

/** What the exit status says (shared with setup and samples commands), else what a worker must do. */
function exitHint(
  who: WorkerIdentity,
  exit: ExitStatus,
  waitingFor: string | null,
  viaShell: boolean,
): string {
  const fromStatus = statusHint(exit, viaShell, `${JSON.stringify(who.command)} (cwd ${who.cwd})`);
  if (fromStatus !== null) return fromStatus;
  if (waitingFor?.startsWith("'hello'")) {
    return (
      `A worker must call perf_gate.serve() (or speak docs/worker-protocol.md) before doing anything slow; ` +
      `check that the command runs on its own: ${who.command} (cwd ${who.cwd}).`
    );
  }
  if (exit.code === 0) {
    return 'A worker must keep serving until the runner sends shutdown; perf_gate.serve() returns only then.';
  }
  return 'Its stderr below usually says why.';
}

/** Where a user changes a worker's limits: keys of the benchmark's worker workload. */
const LIMITS_PLACE = "under the benchmark's `workload:` in perf-gate.yml";

/** A time limit, as a timeout message names it: how long, what set it, how to change it. */
export interface TimeLimit {
  ms: number;
  /** What set the limit, e.g. "startupTimeoutSeconds: 300". */
  source: string;
  /** What to do, up to "look for a hang", e.g. "If ..., raise startupTimeoutSeconds ...; otherwise". */
  remedy: string;
}

/** The limit for hello and setup together. */
export function startupLimit(ms: number): TimeLimit {
  return {
    ms,
    source: `startupTimeoutSeconds: ${ms / 1000}`,
    remedy: raise('startupTimeoutSeconds'),
  };
}

/** A run request's limit when the config fixes one per iteration. */
export function iterationLimit(perIterationMs: number, iterations: number): TimeLimit {
  return {
    ms: perIterationMs * iterations,
    source: `iterationTimeoutSeconds: ${perIterationMs / 1000} x ${iterations} iterations`,
    remedy: raise('iterationTimeoutSeconds'),
  };
}

/** A run request's limit when the config sets none: derived from the iterations seen so far. */
export function defaultRunLimit(ms: number, rule: string): TimeLimit {
  return {
    ms,
    source: `the default run limit: ${rule}`,
    remedy: `If the work legitimately takes longer, set iterationTimeoutSeconds ${LIMITS_PLACE} to give each iteration a fixed limit; otherwise`,
  };
}

/** A limit no setting changes (shutdown, the profiled iteration). */
export function fixedLimit(ms: number, rule: string, consequence: string): TimeLimit {
  return {
    ms,
    source: rule,
    remedy: `This limit is fixed (${consequence}); if it should not take this long,`,
  };
}

/**
 * The remedy of a limit the config sets. Only the perf-gate.yml key: CLI and
 * Action users never see the API's names (startupTimeoutMs...), which the
 * API's docs map to these keys.
 */
function raise(key: string): string {
  return `If the work legitimately takes longer, raise ${key} ${LIMITS_PLACE}; otherwise`;
}

/** No reply within the time limit. */
export function timedOut(
  who: WorkerIdentity,
  waitingFor: string,
  limit: TimeLimit,
  graceMs: number,
  stderrTail: string,
): RunnerError {
  return failed(
    `the ${label(who)} did not send ${waitingFor} within ${formatMs(limit.ms)} (${limit.source}), so it was stopped ` +
      `(SIGTERM to its process group, SIGKILL after ${graceMs} ms). ${limit.remedy} ` +
      `look for a hang: a deadlock, a stuck data loader, a collective waiting for a rank that never came.\n${stderrTail}`,
  );
}

/** "600 ms", "1.5 s", "300 s": limits as a person sets them. */
function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(3))} s`;
}

/** The worker wrote something to the protocol descriptor that is not a valid message. */
export function protocolViolation(who: WorkerIdentity, problem: string): RunnerError {
  return failed(
    `the ${label(who)} broke the worker protocol: it wrote ${problem} to fd ${FD_REPLIES}. ` +
      `fd ${FD_REPLIES} carries protocol messages only: print logs to stdout or stderr, or let perf_gate.serve() own the protocol. See docs/worker-protocol.md.`,
  );
}

/** A valid message that is not the one the runner was waiting for. */
export function unexpectedMessage(
  who: WorkerIdentity,
  type: string,
  waitingFor: string | null,
): RunnerError {
  const expected = waitingFor === null ? 'nothing (no request was in flight)' : waitingFor;
  return failed(
    `the ${label(who)} broke the worker protocol: it sent "${type}" while the runner expected ${expected}. ` +
      'Each request gets exactly one reply, in order; see docs/worker-protocol.md.',
  );
}

/** The worker's hello names another protocol version. */
export function versionMismatch(who: WorkerIdentity, version: unknown): RunnerError {
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    return failed(
      `the ${label(who)} sent a hello without a valid protocol version (got ${JSON.stringify(version)}); ` +
        `this runner speaks worker protocol ${PROTOCOL_VERSION}. Use perf_gate.serve() from the perf-gate-client package, or see docs/worker-protocol.md.`,
    );
  }
  const fix =
    version < PROTOCOL_VERSION
      ? `Upgrade the worker's client: pip install -U perf-gate-client (or put clients/python from this runner's release on PYTHONPATH).`
      : `Upgrade the runner (the vggt-perf-gate action or @vggt-perf-gate/runner) to a release that speaks protocol ${version}, or pin perf-gate-client to a release that speaks protocol ${PROTOCOL_VERSION}.`;
  return failed(
    `the ${label(who)} speaks worker protocol ${version}, but this runner speaks protocol ${PROTOCOL_VERSION}. ${fix}`,
  );
}

/**
 * A side ran out of GPU memory: a verdict (memory regression, or an
 * improvement when base ran out and head fits), not a failure to measure,
 * when the other side fits. Thrown by the worker workload; measure-benchmark
 * decides what it means.
 */
export class OutOfMemoryError extends RunnerError {
  readonly side: string;
  readonly phase: string;
  /** What the failing allocation asked for, from the error's message; null when it does not say. */
  readonly triedBytes: number | null;
  readonly maxReservedBytes: number | null;
  /** Whether the worker said with its error which dtype its step ran in (the Python client does). */
  readonly dtypeKnown: boolean;

  constructor(
    who: WorkerIdentity,
    phase: string,
    message: string,
    facts: { triedBytes?: number | null; maxReservedBytes?: number | null; dtypeKnown?: boolean },
  ) {
    super('WORKLOAD_FAILED', `the ${label(who)} ran out of GPU memory in ${phase}: ${message}`);
    this.name = 'OutOfMemoryError';
    this.side = who.side;
    this.phase = phase;
    this.triedBytes = facts.triedBytes ?? null;
    this.maxReservedBytes = facts.maxReservedBytes ?? null;
    this.dtypeKnown = facts.dtypeKnown ?? false;
  }
}

/** The worker reported an exception of its own (setup or step raised). */
export function workerReported(
  who: WorkerIdentity,
  phase: string,
  message: string,
  traceback: string | null | undefined,
): RunnerError {
  const trace = traceback ? `\n${traceback.trimEnd()}` : '';
  return failed(`the ${label(who)} reported an error in ${phase}: ${message}${trace}`);
}

/**
 * A warning, not a failure: processes the worker started that left its tree
 * (found by the run token) were still running when it was stopped.
 */
export function escapedProcesses(who: WorkerIdentity, strays: readonly StrayProcess[]): string {
  return (
    `the ${label(who)} (${who.command}) started ${processCount(strays.length)} that left its process tree ` +
    `(setsid or a double fork) and still ran when the worker was stopped: ${listStrays(strays)}. ` +
    "The gate stopped them, since nothing else would; GPU memory they held was not counted in the worker's figures. " +
    "Keep every process the benchmark needs in the worker's tree (do not daemonise it), so it is measured and stopped with the worker."
  );
}

/** A request made after the session failed or closed, or while another was in flight. */
export function misuse(who: WorkerIdentity, what: string): RunnerError {
  return new RunnerError('USAGE', `the ${label(who)} cannot ${what}.`);
}
