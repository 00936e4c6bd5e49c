import { RunnerError } from '../errors.js';
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

/** Exit codes a POSIX shell uses for a command it could not run. */
const SHELL_NOT_FOUND = 127;
const SHELL_NOT_EXECUTABLE = 126;

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
  exit: { code: number | null; signal: NodeJS.Signals | null },
  waitingFor: string | null,
  stderrTail: string,
  viaShell: boolean,
): RunnerError {
  const how =
    exit.signal === null ? `exited with code ${exit.code}` : `was killed by ${exit.signal}`;
  const when =
    waitingFor === null
      ? 'between requests'
      : waitingFor.startsWith("'hello'")
        ? 'before sending its hello'
        : `while the runner waited for ${waitingFor}`;
  return failed(
    `the ${label(who)} ${how} ${when}. ${exitHint(who, exit, waitingFor, viaShell)}\n${stderrTail}`,
  );
}

function exitHint(
  who: WorkerIdentity,
  exit: { code: number | null; signal: NodeJS.Signals | null },
  waitingFor: string | null,
  viaShell: boolean,
): string {
  if (viaShell && exit.code === SHELL_NOT_FOUND) {
    return `The shell could not find the command ${JSON.stringify(who.command)} (cwd ${who.cwd}): install it or fix PATH.`;
  }
  if (viaShell && exit.code === SHELL_NOT_EXECUTABLE) {
    return `The shell could not execute ${JSON.stringify(who.command)}: check its permissions or run it through its interpreter.`;
  }
  if (exit.signal === 'SIGKILL') {
    return 'SIGKILL from outside is often the out-of-memory killer (see dmesg) or a container memory limit.';
  }
  if (exit.signal === 'SIGSEGV' || exit.signal === 'SIGABRT' || exit.signal === 'SIGBUS') {
    return 'A crash in native code (a CUDA or C++ extension error usually prints its reason to stderr below).';
  }
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

/** No reply within the time limit. */
export function timedOut(
  who: WorkerIdentity,
  waitingFor: string,
  timeoutMs: number,
  option: string,
  graceMs: number,
  stderrTail: string,
): RunnerError {
  return failed(
    `the ${label(who)} did not send ${waitingFor} within ${timeoutMs} ms (${option}), so it was stopped ` +
      `(SIGTERM to its process group, SIGKILL after ${graceMs} ms). If the work legitimately takes longer, ` +
      `raise ${option}; otherwise look for a hang: a deadlock, a stuck data loader, a collective waiting for a rank that never came.\n${stderrTail}`,
  );
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

/** A request made after the session failed or closed, or while another was in flight. */
export function misuse(who: WorkerIdentity, what: string): RunnerError {
  return new RunnerError('USAGE', `the ${label(who)} cannot ${what}.`);
}
