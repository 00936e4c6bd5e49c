import { type ChildProcess, spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Starting a worker in its own process group and ending that whole group.
 * The group matters: a PyTorch script may spawn data-loader workers,
 * `torchrun` ranks or a shell around python, and any of them left behind
 * keeps holding GPU memory that the next measurement would count.
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
}

/** Process groups started here and not yet known to be gone. */
const liveGroups = new Set<number>();
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
  if (child.pid !== undefined) trackGroup(child.pid);
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
  return { child, requests, replies, stdout, stderr, exited };
}

/**
 * Ends the worker's whole process group: SIGTERM, then up to `graceMs` for
 * every member to exit, then SIGKILL to whatever is left. Resolves once the
 * direct child has exited. Safe to call after the group is gone.
 */
export async function killProcessGroup(worker: WorkerProcess, graceMs: number): Promise<void> {
  const pgid = worker.child.pid;
  if (pgid === undefined) return;
  if (signalGroup(pgid, 'SIGTERM')) {
    const deadline = Date.now() + graceMs;
    while (groupExists(pgid) && Date.now() < deadline) await sleep(GROUP_POLL_MS);
    // Also reaches members that are already dead but not yet reaped: harmless.
    signalGroup(pgid, 'SIGKILL');
  }
  await Promise.race([worker.exited, sleep(AFTER_SIGKILL_WAIT_MS)]);
  liveGroups.delete(pgid);
}

/**
 * SIGKILLs every worker group this process started and has not ended yet.
 * Called on process exit; a CLI that handles SIGINT/SIGTERM itself should
 * call it too, since workers live in their own groups and a terminal's
 * Ctrl-C does not reach them.
 */
export function killLiveWorkerGroups(): void {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  liveGroups.clear();
}

function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
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
