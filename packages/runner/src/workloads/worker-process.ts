import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { findProcessTree } from '@vggt-perf-gate/memory';

/**
 * Starting a worker in its own process group and ending that whole tree.
 * The tree matters: a PyTorch script may spawn data-loader workers,
 * `torchrun` ranks or a shell around python, and any of them left behind
 * keeps holding GPU memory that the next measurement would count. The group
 * alone is not enough: torchrun starts each rank in a session of its own.
 */

/** How often the group is polled while waiting for it to exit. */
const GROUP_POLL_MS = 20;
/** How long to wait for the direct child's exit after SIGKILL before giving up. */
const AFTER_SIGKILL_WAIT_MS = 2_000;

/** A spawned worker with its protocol streams. */
export interface WorkerProcess {
  child: ChildProcess;
  /** Runner -> worker requests (the child's fd 3). */
  requests: Writable;
  /** Worker -> runner replies (the child's fd 4). */
  replies: Readable;
  stdout: Readable;
  stderr: Readable;
  /** Resolves once the direct child has exited (or failed to start). */
  exited: Promise<void>;
  /**
   * Descendants seen so far, by PID, with their start time (to tell them from a
   * later process that reuses the PID). A child that the worker started in a
   * session of its own and left behind when it exited is found only here.
   */
  seen: Map<number, string>;
}

/** Workers started here whose process trees are not yet known to be gone. */
const liveGroups = new Set<WorkerProcess>();
let exitHookInstalled = false;

/**
 * Spawns `file args` (or, with `shell`, the command line `file` through
 * /bin/sh) as the leader of a new process group, with stdin closed,
 * stdout and stderr piped for logging, and two extra pipes as fds 3 and 4.
 * Spawn errors (ENOENT) arrive as the child's 'error' event.
 */
export function spawnWorker(
  file: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; shell: boolean },
): WorkerProcess {
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env,
    shell: options.shell,
    // detached: setsid(), so the worker leads a group that kill(-pid) reaches whole.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => {
      if (child.pid === undefined) resolve();
    });
  });
  const [, stdout, stderr, requests, replies] = child.stdio;
  if (
    !(stdout instanceof Readable) ||
    !(stderr instanceof Readable) ||
    !(requests instanceof Writable) ||
    !(replies instanceof Readable)
  ) {
    // Node creates every 'pipe' entry; reaching this means a runtime without extra fds.
    child.kill('SIGKILL');
    throw new Error('this Node.js runtime did not create pipes for fds 3 and 4 of the worker');
  }
  const worker: WorkerProcess = {
    child,
    requests,
    replies,
    stdout,
    stderr,
    exited,
    seen: new Map(),
  };
  if (child.pid !== undefined) track(worker);
  return worker;
}

/**
 * Remembers the worker's current descendants, so they can be stopped even
 * after they are re-parented away from it. Cheap (a few /proc reads); call
 * it whenever the worker has had a chance to start processes.
 */
export function noteDescendants(worker: WorkerProcess): void {
  const pid = worker.child.pid;
  if (pid === undefined) return;
  for (const d of descendantsOf(pid)) {
    const started = startTime(d);
    if (started !== null) worker.seen.set(d, started);
  }
}

/**
 * Ends the worker's whole process tree: SIGTERM to its group (a launcher such
 * as torchrun then stops its ranks itself), up to `graceMs` for the group and
 * every descendant found now to exit, then SIGKILL to whatever is left,
 * descendants in other groups included (they would otherwise outlive a
 * launcher that was killed before it could stop them). Resolves once the
 * direct child has exited. Safe to call after the tree is gone.
 */
export async function killProcessGroup(worker: WorkerProcess, graceMs: number): Promise<void> {
  const pgid = worker.child.pid;
  if (pgid === undefined) return;
  // Found before any signal: once the launcher dies its ranks are re-parented out of reach.
  noteDescendants(worker);
  const leftovers = () => [...worker.seen].filter(([pid, started]) => startTime(pid) === started);
  if (signalGroup(pgid, 'SIGTERM') || leftovers().length > 0) {
    // Processes outside the group get SIGTERM too: nothing else would tell them to stop.
    for (const [pid] of leftovers()) signalPid(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    const anyLeft = () => groupExists(pgid) || leftovers().length > 0;
    while (anyLeft() && Date.now() < deadline) await sleep(GROUP_POLL_MS);
    // Also reaches members that are already dead but not yet reaped: harmless.
    signalGroup(pgid, 'SIGKILL');
  }
  noteDescendants(worker);
  for (const [pid] of leftovers()) signalPid(pid, 'SIGKILL');
  await Promise.race([worker.exited, sleep(AFTER_SIGKILL_WAIT_MS)]);
  liveGroups.delete(worker);
}

/** Every live descendant of `pid` (not `pid` itself); empty where /proc cannot say. */
function descendantsOf(pid: number): Set<number> {
  const tree = findProcessTree(pid);
  if (!tree.supported) return new Set();
  tree.pids.delete(pid);
  return tree.pids;
}

/**
 * The process's start time (clock ticks since boot, /proc/<pid>/stat field
 * 22): with the PID it names one process, never a later one reusing the PID.
 * Null when it is gone or a zombie (dead, waiting for a parent that may never
 * reap it), or where /proc does not exist.
 */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state), so field 22 is fields[19].
    return fields[0] === 'Z' ? null : (fields[19] ?? null);
  } catch {
    return null;
  }
}

function signalPid(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * SIGKILLs every worker group this process started and has not ended yet.
 * Called on process exit; a CLI that handles SIGINT/SIGTERM itself should
 * call it too, since workers live in their own groups and a terminal's
 * Ctrl-C does not reach them.
 */
export function killLiveWorkerGroups(): void {
  for (const worker of liveGroups) {
    noteDescendants(worker);
    if (worker.child.pid !== undefined) signalGroup(worker.child.pid, 'SIGKILL');
    for (const [pid, started] of worker.seen)
      if (startTime(pid) === started) signalPid(pid, 'SIGKILL');
  }
  liveGroups.clear();
}

function track(worker: WorkerProcess): void {
  liveGroups.add(worker);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', killLiveWorkerGroups);
  }
}

/**
 * Sends `signal` to process group `pgid`; false when the group no longer
 * exists. EPERM (a member that changed its user) counts as existing: it is
 * not ours to kill, and throwing here would leave the rest of the group alive.
 */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function groupExists(pgid: number): boolean {
  return signalGroup(pgid, 0);
}
