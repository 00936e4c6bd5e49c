import { randomBytes } from 'node:crypto';
import {
  existsSync,
  linkSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RunnerError } from '../errors.js';
import { startTime } from '../workloads/proc.js';

/**
 * One gate run per repository at a time. Two runs in one checkout would
 * write one results file over the other, and two runs on one GPU disturb
 * each other's timings, so the second is refused with a message naming the
 * first. The lock is a file in the repository's git directory (shared by
 * every worktree of it) holding the owner's PID and start time; a lock
 * whose owner is gone (a SIGKILLed run) is taken over.
 */
export const LOCK_FILE = 'vggt-perf-gate.lock';

/**
 * A lock file that cannot be parsed is taken for held while younger than
 * this: no writer leaves one half-written (it is linked into place whole),
 * so it is a damaged file, judged by its age rather than removed at once.
 */
const UNREADABLE_LOCK_GRACE_MS = 10_000;
/** Tries to take the lock: a stale lock is moved aside once per try. */
const ATTEMPTS = 3;

interface LockOwner {
  pid: number;
  /** /proc start time of the owner, so a reused PID is not taken for it. */
  startTime: string | null;
  host: string;
  startedAt: string;
  resultsPath: string;
}

/** What a lock file held when it was read. */
interface LockSeen {
  text: string;
  owner: LockOwner | null;
  ageMs: number;
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
    startTime: startTime(process.pid),
    host: hostname(),
    startedAt: new Date().toISOString(),
    resultsPath,
  };
  const text = `${JSON.stringify(me)}\n`;
  take(path, text);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    // Only our own lock: never one a later run took over after ours was judged stale.
    if (readLock(path)?.text === text) rmSync(path, { force: true });
  };
  process.once('exit', release);
  return { path, release };
}

function take(path: string, text: string): void {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (linkInPlace(path, text)) return;
    const seen = readLock(path);
    if (seen === null) continue; // released meanwhile: try again
    if (isHeld(seen)) throw alreadyRunning(path, seen.owner);
    moveAsideIfUnchanged(path, seen);
  }
  const seen = readLock(path);
  throw alreadyRunning(path, seen?.owner ?? null);
}

/**
 * Writes the lock whole to a file of its own, then links it into place:
 * link() fails if the lock exists, so exactly one run creates it, and no
 * reader ever sees it half-written. False when another lock is there.
 */
function linkInPlace(path: string, text: string): boolean {
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(draft, text, { flag: 'wx' });
    linkSync(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw lockUnwritable(path, error);
  } finally {
    removeQuietly(draft);
  }
}

/** rm that never throws: `force` still throws ENOTDIR where the parent is a file. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // nothing was created there
  }
}

/**
 * Removes a stale lock, unless another run replaced it since it was read:
 * the lock is renamed to a name of our own (atomic, so of two runs taking
 * over at once only one moves it), and put back if it is not the one judged
 * stale.
 */
function moveAsideIfUnchanged(path: string, seen: LockSeen): void {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // gone already, or another run moved it: the next try decides
  }
  try {
    if (readFileSync(aside, 'utf8') !== seen.text) linkSync(aside, path);
  } catch {
    // Another run took the lock meanwhile: the next try sees it.
  } finally {
    removeQuietly(aside);
  }
}

function readLock(path: string): LockSeen | null {
  let text: string;
  let ageMs: number;
  try {
    text = readFileSync(path, 'utf8');
    ageMs = Date.now() - statSync(path).mtimeMs;
  } catch {
    return null;
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    return { text, ageMs, owner: typeof owner.pid === 'number' ? (owner as LockOwner) : null };
  } catch {
    return { text, ageMs, owner: null };
  }
}

/** A lock from another host (a shared filesystem) cannot be checked: it counts as held. */
function isHeld(seen: LockSeen): boolean {
  const { owner } = seen;
  if (owner === null) return seen.ageMs < UNREADABLE_LOCK_GRACE_MS;
  if (owner.host !== hostname()) return true;
  // Without /proc there are no start times: whether the PID lives is all there is.
  if (!existsSync('/proc/self/stat')) return pidExists(owner.pid);
  const started = startTime(owner.pid);
  return started !== null && (owner.startTime === null || started === owner.startTime);
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function alreadyRunning(path: string, owner: LockOwner | null): RunnerError {
  const who = owner
    ? `pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}, writing ${owner.resultsPath}`
    : 'its lock file cannot be read';
  const stop = owner ? `, or stop it (kill ${owner.pid})` : '';
  return new RunnerError(
    'ALREADY_RUNNING',
    `another vggt-perf-gate run is using this repository (${who}): two runs would overwrite one results file and disturb each other's timings. Wait for it to finish${stop}. If no such run exists, remove ${path}.`,
  );
}

function lockUnwritable(path: string, error: unknown): RunnerError {
  const e = error as NodeJS.ErrnoException;
  return new RunnerError(
    'BASE_CHECKOUT_FAILED',
    `cannot create the run lock ${path} (${e.code ?? 'error'}: ${e.message}): the gate needs to write in the repository's git directory (for the lock and the base worktree). Run it as a user who may write there, on a writable checkout.`,
    { cause: error },
  );
}
