import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { RunnerError } from '../errors.js';

const run = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** The commit a ref names, or null when it names none. */
export async function resolveCommit(cwd: string, ref: string): Promise<string | null> {
  try {
    return await git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    return null;
  }
}

/** Whether the working tree has changes git tracks. */
export async function isDirty(cwd: string): Promise<boolean> {
  try {
    return (await git(cwd, ['status', '--porcelain', '--untracked-files=no'])).length > 0;
  } catch {
    return false;
  }
}

/** The git directory shared by every worktree of the repository (where the run lock lives). */
export async function gitCommonDir(cwd: string): Promise<string> {
  return resolve(cwd, await git(cwd, ['rev-parse', '--git-common-dir']));
}

/** Base worktrees are made under the temp directory with this prefix (and nothing else is). */
const BASE_CHECKOUT_PREFIX = 'perf-gate-base-';

/**
 * Removes base worktrees an earlier run left registered: a run that was
 * SIGKILLed (or lost its machine) never reached its cleanup, and git keeps
 * such a worktree, and its directory in the temp directory, forever. Call it
 * holding the run lock, so no live run's worktree can be among them.
 * Never throws: what could not be removed comes back as a sentence to show.
 */
export async function pruneStaleBaseCheckouts(
  repo: string,
): Promise<{ removed: string[]; problems: string[] }> {
  const live = new Set([...liveCheckouts].map((c) => c.dir));
  const listing = await git(repo, ['worktree', 'list', '--porcelain']).catch(() => '');
  const stale = listing
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length))
    .filter((dir) => basename(dir).startsWith(BASE_CHECKOUT_PREFIX) && !live.has(dir));
  const problems: string[] = [];
  for (const dir of stale) {
    const problem = await removeWorktree(repo, dir);
    if (problem) problems.push(problem);
  }
  return { removed: stale, problems };
}

/**
 * Unregisters a worktree and deletes its directory. Never throws: a
 * directory that cannot be deleted (files the setup made read-only, say)
 * comes back as a sentence saying how to delete it by hand.
 */
async function removeWorktree(repo: string, dir: string): Promise<string | null> {
  // --force twice: also a worktree git holds as locked.
  await git(repo, ['worktree', 'remove', '--force', '--force', dir]).catch(() => undefined);
  let problem: string | null = null;
  try {
    await rm(dir, { recursive: true, force: true });
  } catch (error) {
    problem = `could not delete the base worktree ${dir} (${(error as Error).message}); delete it by hand: chmod -R u+w ${dir} && rm -rf ${dir}`;
  }
  await git(repo, ['worktree', 'prune']).catch(() => undefined);
  return problem;
}

/** Worktrees not yet removed, so an interrupt (Ctrl-C, a cancelled job) can still remove them. */
const liveCheckouts = new Set<BaseCheckout>();

/** Removes every base worktree still present; for signal handlers. */
export async function removeLiveCheckouts(): Promise<void> {
  await Promise.all([...liveCheckouts].map((c) => c.remove()));
}

export interface BaseCheckout {
  dir: string;
  sha: string;
  /**
   * Removes the worktree; safe to call twice, never throws. Resolves with a
   * sentence when the directory could not be deleted, else null.
   */
  remove(): Promise<string | null>;
}

/**
 * Checks the base ref out into a temporary git worktree next to nothing the
 * user owns (the system temp directory); `remove()` deletes it, and callers
 * call it in `finally`, so a failed run leaves no worktree behind.
 */
export async function checkoutBase(repo: string, ref: string): Promise<BaseCheckout> {
  try {
    await git(repo, ['rev-parse', '--git-dir']);
  } catch (cause) {
    throw new RunnerError(
      'BASE_CHECKOUT_FAILED',
      `${repo} is not inside a git repository, so the base ref "${ref}" cannot be checked out. Run the gate from the repository, or point --dir at it.`,
      { cause },
    );
  }
  const sha = await resolveCommit(repo, ref);
  if (sha === null) {
    throw new RunnerError(
      'BASE_CHECKOUT_FAILED',
      `the base ref "${ref}" names no commit in ${repo}. In CI, fetch it first (actions/checkout with fetch-depth: 0, or \`git fetch origin ${ref}\`), or pass a sha with --base.`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), BASE_CHECKOUT_PREFIX));
  try {
    await git(repo, ['worktree', 'add', '--detach', '--force', dir, sha]);
  } catch (cause) {
    await rm(dir, { recursive: true, force: true });
    throw new RunnerError(
      'BASE_CHECKOUT_FAILED',
      `git worktree add for ${ref} (${sha.slice(0, 12)}) failed: ${(cause as Error).message}`,
      { cause },
    );
  }
  let removed = false;
  const checkout: BaseCheckout = {
    dir,
    sha,
    remove: async () => {
      if (removed) return null;
      removed = true;
      liveCheckouts.delete(checkout);
      return removeWorktree(repo, dir);
    },
  };
  liveCheckouts.add(checkout);
  return checkout;
}
