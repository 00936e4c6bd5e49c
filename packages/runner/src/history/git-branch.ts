import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { RunnerError } from '../errors.js';
import type { HistoryEntry } from './entry.js';
import { entryFileName, lastOf, parseEntries, RUNS_DIR, type StoreContents } from './store.js';

/**
 * The history on a data branch of the repository (e.g. `perf-gate-data`),
 * written with git's plumbing: the entries become blobs, a new tree is the
 * branch's tree plus those files, and a commit on the branch's tip is
 * pushed. Nothing is checked out, so the job's working tree is untouched.
 * A push that loses a race with another job's (non-fast-forward) is built
 * again on the new tip and retried: entries are new files, so there is
 * never a conflict to resolve.
 */

const run = promisify(execFile);

/** Where the history lives: the branch on a remote of the repository at `repo`. */
export interface BranchStore {
  /** A checkout of the repository (the Action's workspace). */
  repo: string;
  /** Default `origin`. */
  remote?: string;
  branch: string;
  /**
   * An HTTP header git sends to URLs under `url` when it fetches and pushes
   * (the Action's token, as actions/checkout would send it). Given to git
   * through its environment (GIT_CONFIG_COUNT), so it never shows in a
   * command line; without it git uses the checkout's own credentials.
   */
  extraHeader?: { url: string; value: string };
}

/**
 * The environment of a git call that talks to the remote: never a prompt
 * for a password (a job has no one to answer it; git fails instead), and
 * the extra header, if any.
 */
function remoteEnv(store: BranchStore): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  if (!store.extraHeader) return env;
  // Added after any entries the job already passes this way (safe.directory in containers).
  const first = Number(env.GIT_CONFIG_COUNT ?? 0) || 0;
  const key = `http.${store.extraHeader.url}.extraheader`;
  // extraheader is a list: the empty value first clears the one actions/checkout
  // persisted, or git would send two Authorization headers and GitHub answer 400.
  return {
    ...env,
    GIT_CONFIG_COUNT: String(first + 2),
    [`GIT_CONFIG_KEY_${first}`]: key,
    [`GIT_CONFIG_VALUE_${first}`]: '',
    [`GIT_CONFIG_KEY_${first + 1}`]: key,
    [`GIT_CONFIG_VALUE_${first + 1}`]: store.extraHeader.value,
  };
}

/** How appendToBranch commits and retries. */
export interface AppendToBranchOptions {
  /** Pushes tried before giving up on a branch other jobs keep moving; default 5. */
  attempts?: number;
  /** The commit message; default names the commits measured. */
  message?: string;
  /** Commit author and committer; default the github-actions bot, as workflows commit. */
  author?: { name: string; email: string };
  log?: (line: string) => void;
}

const DEFAULT_AUTHOR = {
  name: 'github-actions[bot]',
  email: '41898282+github-actions[bot]@users.noreply.github.com',
};
/** First wait before pushing again; doubled each time, with jitter so racing jobs spread out. */
const RETRY_BASE_MS = 200;
/** Longest a git call may take (a fetch or push over the network). */
const GIT_TIMEOUT_MS = 120_000;
/** What git says when the branch moved since it was fetched. */
const RACE_LOST = /non-fast-forward|fetch first|\[rejected\]|stale info|cannot lock ref/i;

/**
 * Appends entries to the history branch (creating the branch when it does
 * not exist yet) and returns the files added and the commit pushed.
 *
 * @throws RunnerError HISTORY_IO when the branch cannot be fetched or pushed
 *   (with what to check: the job's `contents: write` permission), or when
 *   every attempt lost its race
 * @example
 * await appendToBranch({ repo: '.', branch: 'perf-gate-data' }, [historyEntry(results)]);
 */
export async function appendToBranch(
  store: BranchStore,
  entries: readonly HistoryEntry[],
  options: AppendToBranchOptions = {},
): Promise<{ files: string[]; commit: string; attempts: number }> {
  const attempts = options.attempts ?? 5;
  const files = entries.map((entry) => ({
    path: `${RUNS_DIR}/${entryFileName(entry)}`,
    text: `${JSON.stringify(entry, null, 2)}\n`,
  }));
  const message = options.message ?? defaultMessage(entries);
  for (let attempt = 1; ; attempt++) {
    const commit = await withFetchedTip(store, (tip) =>
      commitFiles(store.repo, tip, files, message, options.author ?? DEFAULT_AUTHOR),
    );
    const pushed = await push(store, commit);
    if (pushed === 'pushed') return { files: files.map((f) => f.path), commit, attempts: attempt };
    if (attempt >= attempts)
      throw new RunnerError(
        'HISTORY_IO',
        `could not add to the history branch ${store.branch}: ${attempts} pushes lost a race with other jobs pushing to it. Run again, or raise the attempts.`,
      );
    options.log?.(
      `history: ${store.branch} moved while appending (attempt ${attempt}); trying again on its new tip`,
    );
    await sleep(RETRY_BASE_MS * 2 ** (attempt - 1) * (0.5 + Math.random()));
  }
}

/**
 * Reads the history branch: its entries, oldest first (the last `limit`
 * files by name, which sort by time), and the files that were not entries.
 * A branch that does not exist yet is an empty history.
 *
 * @example
 * const { entries } = await readBranch({ repo: '.', branch: 'perf-gate-data' }, 50);
 */
export async function readBranch(
  store: BranchStore,
  limit = Number.POSITIVE_INFINITY,
): Promise<StoreContents> {
  return withFetchedTip(store, async (tip) => {
    if (tip === null) return { entries: [], skipped: [] };
    // -z: names git would quote (non-ASCII, quotes) arrive as they are.
    const listing = await git(store.repo, [
      'ls-tree',
      '-z',
      '--name-only',
      `${tip}:${RUNS_DIR}`,
    ]).catch((cause) => {
      // A branch without runs/ is an empty history; anything else is an error worth naming.
      if (/not a tree object|does not exist|Not a valid object name/i.test(gitStderr(cause)))
        return '';
      throw new RunnerError(
        'HISTORY_IO',
        `cannot list ${RUNS_DIR}/ on ${store.branch}: ${gitReason(gitStderr(cause))}`,
        { cause },
      );
    });
    const names = lastOf(
      listing
        .split('\0')
        .filter((n) => n.endsWith('.json'))
        .sort(),
      limit,
    );
    const texts = await catFiles(
      store.repo,
      names.map((n) => `${tip}:${RUNS_DIR}/${n}`),
    );
    return parseEntries(names.map((n, i) => ({ path: `${RUNS_DIR}/${n}`, text: texts[i] ?? '' })));
  });
}

/**
 * Fetches the branch into a ref of this call's own (so concurrent calls and
 * FETCH_HEAD cannot mix), runs `use` with its commit (null when the branch
 * does not exist), and deletes the ref again.
 */
async function withFetchedTip<T>(
  store: BranchStore,
  use: (tip: string | null) => Promise<T>,
): Promise<T> {
  const remote = store.remote ?? 'origin';
  const ref = `refs/perf-gate/history-${randomBytes(4).toString('hex')}`;
  try {
    let tip: string | null = null;
    try {
      await git(
        store.repo,
        ['fetch', '--quiet', '--no-tags', remote, `+refs/heads/${store.branch}:${ref}`],
        remoteEnv(store),
      );
      tip = (await git(store.repo, ['rev-parse', '--verify', `${ref}^{commit}`])).trim();
    } catch (cause) {
      const stderr = gitStderr(cause);
      if (!/couldn't find remote ref|no such ref|not our ref/i.test(stderr))
        throw new RunnerError(
          'HISTORY_IO',
          `cannot fetch the history branch ${store.branch} from ${remote}: ${gitReason(stderr)}. Check that the remote is reachable from the job (actions/checkout sets it up).`,
          { cause },
        );
    }
    return await use(tip);
  } finally {
    // Also after a failed fetch or rev-parse: no private ref is left behind.
    await git(store.repo, ['update-ref', '-d', ref]).catch(() => undefined);
  }
}

/** A commit of `files` on top of `parent` (or a first commit), made without a checkout. */
async function commitFiles(
  repo: string,
  parent: string | null,
  files: ReadonlyArray<{ path: string; text: string }>,
  message: string,
  author: { name: string; email: string },
): Promise<string> {
  // A temporary index of this call's own: the checkout's index and files stay as they are.
  const gitDir = (await git(repo, ['rev-parse', '--absolute-git-dir'])).trim();
  const env = {
    ...process.env,
    GIT_INDEX_FILE: join(gitDir, `perf-gate-history-${randomBytes(4).toString('hex')}.index`),
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
  };
  try {
    await git(repo, parent ? ['read-tree', parent] : ['read-tree', '--empty'], env);
    for (const file of files) {
      const blob = (await gitInput(repo, ['hash-object', '-w', '--stdin'], file.text)).trim();
      await git(repo, ['update-index', '--add', '--cacheinfo', `100644,${blob},${file.path}`], env);
    }
    const tree = (await git(repo, ['write-tree'], env)).trim();
    const args = ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message];
    return (await git(repo, args, env)).trim();
  } finally {
    await rm(env.GIT_INDEX_FILE, { force: true });
  }
}

/** Pushes `commit` as the branch's new tip: 'pushed', or 'raced' when the branch moved meanwhile. */
async function push(store: BranchStore, commit: string): Promise<'pushed' | 'raced'> {
  const remote = store.remote ?? 'origin';
  try {
    // No hooks: the checkout's pre-push checks (husky) are the project's, not this data's.
    await git(
      store.repo,
      [
        '-c',
        'core.hooksPath=/dev/null',
        'push',
        '--no-verify',
        '--quiet',
        remote,
        `${commit}:refs/heads/${store.branch}`,
      ],
      remoteEnv(store),
    );
    return 'pushed';
  } catch (cause) {
    const stderr = gitStderr(cause);
    if (RACE_LOST.test(stderr)) return 'raced';
    throw new RunnerError(
      'HISTORY_IO',
      `cannot push to the history branch ${store.branch} on ${remote}: ${gitReason(stderr)}. If that says permission or protection: the job needs "permissions: contents: write", and no rule may protect the branch against pushes from workflows.`,
      { cause },
    );
  }
}

/** The blobs' contents, in order, read with one `git cat-file --batch`. */
async function catFiles(repo: string, objects: readonly string[]): Promise<string[]> {
  if (objects.length === 0) return [];
  const out = await gitInputBuffer(repo, ['cat-file', '--batch'], `${objects.join('\n')}\n`);
  const texts: string[] = [];
  let at = 0;
  for (let i = 0; i < objects.length; i++) {
    const headerEnd = out.indexOf(0x0a, at);
    const header = out.subarray(at, headerEnd).toString('utf8');
    const size = Number(header.split(' ')[2]);
    if (header.endsWith('missing') || !Number.isInteger(size)) {
      texts.push('');
      at = headerEnd + 1;
      continue;
    }
    texts.push(out.subarray(headerEnd + 1, headerEnd + 1 + size).toString('utf8'));
    at = headerEnd + 1 + size + 1;
  }
  return texts;
}

function defaultMessage(entries: readonly HistoryEntry[]): string {
  const commits = entries.map((e) => e.commit.sha?.slice(0, 12) ?? 'working tree');
  return `perf-gate: history of ${commits.join(', ')}`;
}

async function git(repo: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run('git', args, {
    cwd: repo,
    env: env ?? process.env,
    // A remote that hangs must not hold the job: fetch and push get two minutes.
    timeout: GIT_TIMEOUT_MS,
    maxBuffer: 64 * 2 ** 20,
  });
  return stdout;
}

function gitInput(repo: string, args: string[], input: string): Promise<string> {
  return gitInputBuffer(repo, args, input).then((b) => b.toString('utf8'));
}

/** Runs git with `input` on stdin; resolves with stdout, rejects with stderr in the error. */
function gitInputBuffer(repo: string, args: string[], input: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: repo, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve(Buffer.concat(out))
        : reject(Object.assign(new Error(`git ${args[0]} failed: ${stderr.trim()}`), { stderr })),
    );
    child.stdin.end(input);
  });
}

function gitStderr(cause: unknown): string {
  return String((cause as { stderr?: unknown }).stderr ?? (cause as Error).message ?? '');
}

/**
 * What git's stderr says went wrong: the remote's own lines, the refs it
 * rejected and the fatal error (several lines, joined), not just the last
 * "failed to push some refs" line.
 */
function gitReason(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const telling = lines.filter(
    (l) => /^(remote:|!|fatal:|error:)/.test(l) && !/failed to push some refs/.test(l),
  );
  return (telling.length > 0 ? telling : lines.slice(-1)).slice(0, 4).join(' / ') || 'no message';
}
