import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RunnerError } from './errors.js';
import { startTime as processStartTime } from './workloads/proc.js';

/**
 * One gate run per repository at a time. Two runs in one checkout would
 * write one results file over the other, and two runs on one GPU disturb
 * each other's timings, so the second is refused with a message naming the
 * first. The lock is a file in the repository's git directory (shared by
 * every worktree of it) holding the owner's PID and start time; a lock
 * whose owner is gone (a SIGKILLed run) is taken over.
 */
export const LOCK_FILE = 'vggt-perf-gate.lock';

interface LockOwner {
  pid: number;
  /** /proc start time of the owner, so a reused PID is not taken for it. */
  startTime: string | null;
  host: string;
  startedAt: string;
  resultsPath: string;
}

export interface RunLock {
  readonly path: string;
  /** Removes the lock if this process still owns it; safe to call twice. */
  release(): void;
}

/**
 * Takes the repository's run lock (in `gitDir`, the git common directory).
 * Throws RunnerError ALREADY_RUNNING, naming the other run, while that run
 * lives. Released on `release()` and, failing that, when the process exits.
 */
export function acquireRunLock(gitDir: string, resultsPath: string): RunLock {
  const path = join(gitDir, LOCK_FILE);
  const me: LockOwner = {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    host: hostname(),
    startedAt: new Date().toISOString(),
    resultsPath,
  };
  // Twice at most: once more after removing a lock whose owner is gone.
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, `${JSON.stringify(me)}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const owner = readOwner(path);
      if (owner && isAlive(owner)) throw alreadyRunning(path, owner);
      rmSync(path, { force: true });
    }
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    // Only our own lock: never one a later run took over after ours was judged stale.
    if (readOwner(path)?.pid === me.pid) rmSync(path, { force: true });
  };
  process.once('exit', release);
  return { path, release };
}

function readOwner(path: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' ? (owner as LockOwner) : null;
  } catch {
    // Unreadable or half-written: treated as stale (its writer is gone or never finished).
    return null;
  }
}

/** A lock from another host (a shared filesystem) cannot be checked: it counts as held. */
function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  const started = processStartTime(owner.pid);
  return started !== null && (owner.startTime === null || started === owner.startTime);
}

function alreadyRunning(path: string, owner: LockOwner): RunnerError {
  return new RunnerError(
    'ALREADY_RUNNING',
    `another vggt-perf-gate run is using this repository (pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}, writing ${owner.resultsPath}): two runs would overwrite one results file and disturb each other's timings. Wait for it to finish, or stop it (kill ${owner.pid}). If no such run exists, remove ${path}.`,
  );
}
