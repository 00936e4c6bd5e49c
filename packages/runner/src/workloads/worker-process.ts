import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { findProcessTree } from '@vggt-perf-gate/memory';
import { listPids, processGroupOf, startTime } from './proc.js';
import {
  findTokenCarriers,
  findTokenCarriersNow,
  newRunToken,
  RUN_TOKEN_ENV,
  type StrayProcess,
} from './strays.js';

/**
 * Starting a worker or a command in its own process group and ending that
 * whole tree. The tree matters: a PyTorch script may spawn data-loader
 * workers, `torchrun` ranks or a shell around python, and any of them left
 * behind keeps holding GPU memory that the next measurement would count. The
 * group alone is not enough: torchrun starts each rank in a session of its
 * own, and a daemon (setsid, a double fork) leaves the tree altogether; the
 * run token in every process's environment finds those (strays.ts).
 */

/**
 * Between SIGTERM to a process group and SIGKILL, for workers and commands
 * alike: time for a launcher (torchrun) to stop its ranks and for a program
 * to clean up after itself.
 */
export const DEFAULT_KILL_GRACE_MS = 3_000;
/** How often the group is polled while waiting for it to exit. */
const GROUP_POLL_MS = 20;
/** How long to wait for the direct child and the leftovers to exit after SIGKILL before giving up. */
const AFTER_SIGKILL_WAIT_MS = 2_000;
/**
 * Once the tree is gone, how long its last output may take to arrive before
 * the runner closes its ends of the pipes. Bounded because a process outside
 * the tree (one that scrubbed its environment, so the token cannot find it)
 * may still hold them open, and an open pipe would keep the gate waiting.
 */
const DRAIN_AFTER_KILL_MS = 500;

/** How to start a process: its directory, its whole environment, and whether `file` is a shell command line. */
export interface SpawnOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  shell: boolean;
}

/** A process started in a group of its own, and what is known of its tree. */
export interface TrackedProcess {
  child: ChildProcess;
  stdout: Readable;
  stderr: Readable;
  /** Resolves once the direct child has exited (or failed to start). */
  exited: Promise<void>;
  /**
   * Descendants seen so far, by PID, with their start time (to tell them from a
   * later process that reuses the PID). A child that the process started in a
   * session of its own and left behind when it exited is found only here.
   */
  seen: Map<number, string>;
  /** Its PERF_GATE_RUN_TOKEN: everything it starts inherits it, daemons included. */
  token: string;
  /**
   * The direct child's start time, read at spawn (null where /proc cannot
   * say): with its PID, it tells the child from a later process given the
   * same PID once the child is gone.
   */
  leaderStart: string | null;
}

/** A spawned worker with its protocol streams. */
export interface WorkerProcess extends TrackedProcess {
  /** Runner -> worker requests (the child's fd 3). */
  requests: Writable;
  /** Worker -> runner replies (the child's fd 4). */
  replies: Readable;
}

/** Process trees started here that are not yet known to be gone. */
const liveGroups = new Set<TrackedProcess>();
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
  options: SpawnOptions,
): WorkerProcess {
  const started = spawnInGroup(file, args, options, ['ignore', 'pipe', 'pipe', 'pipe', 'pipe']);
  const [, stdout, stderr, requests, replies] = started.child.stdio;
  if (
    !(stdout instanceof Readable) ||
    !(stderr instanceof Readable) ||
    !(requests instanceof Writable) ||
    !(replies instanceof Readable)
  ) {
    // Node creates every 'pipe' entry; reaching this means a runtime without extra fds.
    started.child.kill('SIGKILL');
    throw new Error('this Node.js runtime did not create pipes for fds 3 and 4 of the worker');
  }
  return track({ ...started, stdout, stderr, requests, replies });
}

/**
 * Spawns a command that runs to its end (a setup command, a samples
 * harness) the same way as a worker, in a group of its own and with a run
 * token, with stdin closed and stdout and stderr piped.
 */
export function spawnCommand(
  file: string,
  args: readonly string[],
  options: SpawnOptions,
): TrackedProcess {
  const started = spawnInGroup(file, args, options, ['ignore', 'pipe', 'pipe']);
  const [, stdout, stderr] = started.child.stdio;
  if (!(stdout instanceof Readable) || !(stderr instanceof Readable)) {
    started.child.kill('SIGKILL');
    throw new Error("this Node.js runtime did not create pipes for the command's output");
  }
  return track({ ...started, stdout, stderr });
}

function spawnInGroup(
  file: string,
  args: readonly string[],
  options: SpawnOptions,
  stdio: StdioOptions,
): Pick<TrackedProcess, 'child' | 'exited' | 'seen' | 'token' | 'leaderStart'> {
  const token = newRunToken();
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: { ...options.env, [RUN_TOKEN_ENV]: token },
    shell: options.shell,
    // detached: setsid(), so the process leads a group that kill(-pid) reaches whole.
    detached: true,
    stdio,
    windowsHide: true,
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => {
      if (child.pid === undefined) resolve();
    });
  });
  // spawn() returns once the child has exec'd (or failed to): it exists, and cannot be reaped yet.
  const leaderStart = child.pid === undefined ? null : startTime(child.pid);
  return { child, exited, seen: new Map(), token, leaderStart };
}

/**
 * Remembers the process's current descendants, so they can be stopped even
 * after they are re-parented away from it. Cheap (a few /proc reads); call
 * it whenever the process has had a chance to start processes.
 */
export function noteDescendants(proc: TrackedProcess): void {
  const pid = proc.child.pid;
  // Once it has exited its PID may be another process's: that one's children are not ours.
  if (pid === undefined || !leaderRuns(proc, pid)) return;
  for (const d of descendantsOf(pid)) {
    const started = startTime(d);
    if (started !== null) proc.seen.set(d, started);
  }
}

/**
 * Ends the process's whole tree: SIGTERM to its group (a launcher such as
 * torchrun then stops its ranks itself), up to `graceMs` for the group and
 * every descendant found now to exit, then SIGKILL to whatever is left,
 * descendants in other groups included (they would otherwise outlive a
 * launcher that was killed before it could stop them). Processes carrying its
 * run token that are neither in its group nor among the descendants seen
 * (daemons that left the tree) are stopped the same way and returned, for the
 * caller to report. Once the direct child has exited, its output is drained
 * for a bounded time and the pipes are closed. Safe to call after the tree is
 * gone: the group is signalled only while it is still the process's own
 * (ownsGroup), never a later group that was given the same PGID.
 */
export async function killProcessGroup(
  proc: TrackedProcess,
  graceMs: number,
): Promise<StrayProcess[]> {
  const pgid = proc.child.pid;
  if (pgid === undefined) return [];
  // Found before any signal: once the launcher dies its ranks are re-parented out of reach.
  noteDescendants(proc);
  const escaped = noteEscaped(proc, await findTokenCarriers(proc.token));
  const leftovers = () => [...proc.seen].filter(([pid, started]) => startTime(pid) === started);
  // After a clean exit the group is often gone already: then -pgid is not signalled at all.
  const ours = ownsGroup(proc, pgid);
  if ((ours && signalGroup(pgid, 'SIGTERM')) || leftovers().length > 0) {
    // Processes outside the group get SIGTERM too: nothing else would tell them to stop.
    for (const [pid] of leftovers()) signalPid(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    const anyLeft = () => (ours && groupRuns(pgid)) || leftovers().length > 0;
    while (anyLeft() && Date.now() < deadline) await sleep(GROUP_POLL_MS);
    // Asked again: the group may have emptied during the grace period, and its PGID been reused.
    // Also reaches members that are already dead but not yet reaped: harmless.
    if (ours && ownsGroup(proc, pgid)) signalGroup(pgid, 'SIGKILL');
  }
  noteDescendants(proc);
  escaped.push(...noteEscaped(proc, await findTokenCarriers(proc.token)));
  for (const [pid] of leftovers()) signalPid(pid, 'SIGKILL');
  // SIGKILL is delivered asynchronously: resolve once they are gone, not merely signalled.
  const killDeadline = Date.now() + AFTER_SIGKILL_WAIT_MS;
  while (leftovers().length > 0 && Date.now() < killDeadline) await sleep(GROUP_POLL_MS);
  await Promise.race([proc.exited, sleep(Math.max(0, killDeadline - Date.now()))]);
  liveGroups.delete(proc);
  await closeOutput(proc);
  return escaped;
}

/**
 * Adds to `seen` the `carriers` of the run token that neither
 * descend from the process (as far as `seen` knows) nor are in its group,
 * and returns them: they left the tree, so only the token finds them.
 */
function noteEscaped(proc: TrackedProcess, carriers: readonly StrayProcess[]): StrayProcess[] {
  const pgid = proc.child.pid;
  const escaped: StrayProcess[] = [];
  for (const carrier of carriers) {
    if (carrier.pid === pgid || proc.seen.get(carrier.pid) === carrier.startTime) continue;
    if (processGroupOf(carrier.pid) === pgid) continue;
    proc.seen.set(carrier.pid, carrier.startTime);
    escaped.push(carrier);
  }
  return escaped;
}

/**
 * Waits up to DRAIN_AFTER_KILL_MS for the child's output pipes to end, then
 * closes the runner's ends of every pipe: an open pipe handle would keep the
 * runner's event loop (and so the CLI and the Action) alive.
 */
async function closeOutput(proc: TrackedProcess): Promise<void> {
  const streams = proc.child.stdio.filter((s): s is NonNullable<typeof s> => s !== null);
  const readables = streams.filter((s): s is Readable => s instanceof Readable);
  await Promise.race([Promise.all(readables.map(ended)), sleep(DRAIN_AFTER_KILL_MS)]);
  for (const stream of streams) stream.destroy();
}

/** Resolves when the stream has ended or was destroyed. */
export function ended(stream: Readable): Promise<void> {
  if (stream.readableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolveEnded) => {
    stream.once('end', resolveEnded);
    stream.once('close', resolveEnded);
  });
}

/** Every live descendant of `pid` (not `pid` itself); empty where /proc cannot say. */
function descendantsOf(pid: number): Set<number> {
  const tree = findProcessTree(pid);
  if (!tree.supported) return new Set();
  tree.pids.delete(pid);
  return tree.pids;
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
 * SIGKILLs every process tree (workers, setup and samples commands) this
 * process started and has not ended yet, daemons found by their run token
 * included. Called on process exit; a CLI that handles SIGINT/SIGTERM itself
 * should call it too, since these live in their own groups and a terminal's
 * Ctrl-C does not reach them.
 */
export function killLiveWorkerGroups(): void {
  for (const proc of liveGroups) {
    noteDescendants(proc);
    noteEscaped(proc, findTokenCarriersNow(proc.token));
    const pgid = proc.child.pid;
    if (pgid !== undefined && ownsGroup(proc, pgid)) signalGroup(pgid, 'SIGKILL');
    for (const [pid, started] of proc.seen)
      if (startTime(pid) === started) signalPid(pid, 'SIGKILL');
  }
  liveGroups.clear();
}

function track<T extends TrackedProcess>(proc: T): T {
  if (proc.child.pid === undefined) return proc;
  liveGroups.add(proc);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', killLiveWorkerGroups);
  }
  return proc;
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

/** Whether the direct child still runs: its PID, with the start time it had at spawn. */
function leaderRuns(proc: TrackedProcess, pid: number): boolean {
  const now = startTime(pid);
  return now !== null && now === proc.leaderStart;
}

/**
 * Whether -pgid still names the process's own group, so that signalling it
 * cannot reach strangers. While the leader runs, it does. Once the leader is
 * gone the group lives on only in members it left behind, and while any
 * lives the kernel gives the leader's PID to no new process. So another
 * process at that PID (another start time) means the group emptied and the
 * PGID is free for, or already taken by, someone else's group: not ours.
 * With nobody at that PID, the group is ours while it has members (a child
 * that scrubbed its environment and cannot be found by the run token
 * included), and gone once it has none.
 */
function ownsGroup(proc: TrackedProcess, pgid: number): boolean {
  const now = startTime(pgid);
  if (now !== null) return now === proc.leaderStart;
  return signalGroup(pgid, 0);
}

/**
 * Whether a process of the group still runs. Zombies do not count: where
 * PID 1 does not reap orphans (some containers' init processes), a killed
 * member re-parented to it stays a zombie forever, and waiting for it would
 * spend the whole grace period on every stop.
 */
function groupRuns(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  const pids = listPids();
  // Without /proc the signal's answer is all there is.
  if (pids.length === 0) return true;
  return pids.some((pid) => processGroupOf(pid) === pgid && startTime(pid) !== null);
}
