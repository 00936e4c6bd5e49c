import { constants } from 'node:os';

/**
 * What an exit status says about why a process ended: one home for the
 * messages about setup and samples commands (command.ts) and workers
 * (worker-failures.ts). A string command runs through `sh -c`, and the shell
 * reports what happened to the programs it ran as its own exit code: a
 * signal as 128 + its number (137 for SIGKILL), a program it could not find
 * or execute as 127 or 126. Read as a plain exit code, an out-of-memory kill
 * of `cd model && python worker.py` would go unexplained.
 */

/** How a process ended, as Node reports it: one of the two is null. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Exit codes a POSIX shell uses for a program it could not find, or could not execute. */
const SHELL_NOT_FOUND = 127;
const SHELL_NOT_EXECUTABLE = 126;
/** A shell reports a program killed by signal N as exit 128 + N. */
const SHELL_SIGNAL_BASE = 128;
/** Signals that mean a crash in native code rather than a stop from outside. */
const CRASH_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(['SIGSEGV', 'SIGABRT', 'SIGBUS']);

/**
 * The signal that ended the process: the one Node reports, or under a shell
 * the one its exit code stands for. Null for an ordinary exit.
 */
function endingSignal(status: ExitStatus, viaShell: boolean): NodeJS.Signals | null {
  if (status.signal !== null) return status.signal;
  if (!viaShell || status.code === null || status.code <= SHELL_SIGNAL_BASE) return null;
  const number = status.code - SHELL_SIGNAL_BASE;
  const name = Object.entries(constants.signals).find(([, n]) => n === number)?.[0];
  return (name as NodeJS.Signals | undefined) ?? null;
}

/**
 * How it ended, as a verb phrase: "exited with code 3", "was killed by
 * SIGTERM", "exited with code 137 (the shell's code for a program killed by
 * SIGKILL)".
 */
export function describeExit(status: ExitStatus, viaShell: boolean): string {
  if (status.signal !== null) return `was killed by ${status.signal}`;
  const signal = endingSignal(status, viaShell);
  const meaning = signal === null ? '' : ` (the shell's code for a program killed by ${signal})`;
  return `exited with code ${status.code}${meaning}`;
}

/**
 * What the status points at and what to do, as a sentence; null when only
 * the process's own output can say. `command` names the command in the
 * shell's hints ("it" when the message has named it already).
 */
export function exitHint(status: ExitStatus, viaShell: boolean, command = 'it'): string | null {
  const signal = endingSignal(status, viaShell);
  if (signal === 'SIGKILL') {
    return "SIGKILL from outside the process is often the kernel's out-of-memory killer: check dmesg and free memory, or a container memory limit.";
  }
  if (signal !== null && CRASH_SIGNALS.has(signal)) {
    return `${signal} is a crash in native code: a CUDA or C++ extension error usually prints its reason just before it.`;
  }
  if (viaShell && status.code === SHELL_NOT_FOUND) {
    return `The shell could not find a program in ${command}: install it or fix PATH.`;
  }
  if (viaShell && status.code === SHELL_NOT_EXECUTABLE) {
    return `A program in ${command} is not executable: chmod +x it or run it through its interpreter.`;
  }
  return null;
}
