/**
 * The files a run writes (results, reports), checked before anything is
 * measured: a path that cannot be written is otherwise found only after
 * minutes of GPU time. Also the words for a write that failed anyway (the
 * disk filled up while measuring), shared by the check and the writers.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, realpath, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { RunnerError } from '../errors.js';

/** What an output file holds. */
export type OutputFormat = 'results' | 'markdown' | 'html';

/** One file the run will write. */
export interface OutputTarget {
  /** The path as the user gave it (messages repeat it as given). */
  path: string;
  /** How the user set it, for messages: `--results`, `input "report-path"`. */
  setBy: string;
  /**
   * What goes there. The results file is replaced by a rename (written
   * atomically), so it must be a regular file or absent; a report may also go
   * to `/dev/stdout` and the like.
   */
  format: OutputFormat;
}

/**
 * An output path that cannot be written: found before measuring, so nothing
 * was lost. Its code is `USAGE`; its message says why and how to fix it.
 *
 * @example
 * import { checkOutputPaths, OutputPathError } from '@vggt-perf-gate/runner';
 * await checkOutputPaths(targets).catch((error: unknown) => {
 *   if (!(error instanceof OutputPathError)) throw error;
 *   console.error(`error: ${error.message}`); // error.setBy names the flag to change, error.reason the OS code
 *   process.exit(2);
 * });
 */
export class OutputPathError extends RunnerError {
  /** The path as the user gave it. */
  readonly path: string;
  /** The flag or input that set it. */
  readonly setBy: string;
  /** The OS error code behind it (`ENOTDIR`, `EACCES`...), when there was one. */
  readonly reason: string | null;

  constructor(target: OutputTarget, failure: WriteFailure, options?: { cause?: unknown }) {
    super(
      'USAGE',
      `cannot write ${target.setBy} ${target.path}: ${failure.why}. ${failure.fix} (Checked before measuring: nothing was run.)`,
      options,
    );
    this.name = 'OutputPathError';
    this.path = target.path;
    this.setBy = target.setBy;
    this.reason = failure.code;
  }
}

/** Why a write failed and what to do, in words. */
export interface WriteFailure {
  /** What is wrong, ending with the OS code, e.g. `out is a file, not a directory (ENOTDIR)`. */
  why: string;
  /** What to change, as a sentence. */
  fix: string;
  /** The OS error code, or null when the check itself found the problem. */
  code: string | null;
}

/**
 * Checks that no two paths name the same file (one would overwrite the
 * other), then, in order, that each path can be written: it is not a
 * directory, its parent directory exists or can be created, and a probe file
 * can be created, written, synced and removed there. Leaves nothing behind:
 * the probe and any directory made for it are removed again.
 *
 * @throws OutputPathError for two paths that name one file (naming both
 *   flags or inputs), or for the first path that cannot be written, naming
 *   the path, the flag or input, the OS reason and how to fix it
 * @example
 * import { checkOutputPaths, type OutputTarget } from '@vggt-perf-gate/runner';
 * const targets: OutputTarget[] = [
 *   { path: 'perf-gate-results.json', setBy: '--results', format: 'results' },
 *   { path: 'report.html', setBy: '--html', format: 'html' },
 * ];
 * await checkOutputPaths(targets); // before any GPU time is spent
 */
export async function checkOutputPaths(targets: readonly OutputTarget[]): Promise<void> {
  await checkDistinct(targets);
  for (const target of targets) {
    const failure = await checkOne(target);
    if (failure) throw new OutputPathError(target, failure);
  }
}

/**
 * Two targets on one file: `--results r.json --markdown r.json`, or
 * `results-path` set to the HTML report's name. Compared after resolving
 * links, so `./r.json` and a link to it count as the same. A device such as
 * `/dev/null` may take several reports: it is not overwritten.
 */
async function checkDistinct(targets: readonly OutputTarget[]): Promise<void> {
  const seen = new Map<string, OutputTarget>();
  for (const target of targets) {
    const existing = await statOrNull(resolve(target.path));
    if (existing && !existing.isFile()) continue;
    const file = await canonicalPath(target.path);
    const first = seen.get(file);
    if (first) {
      throw new OutputPathError(target, {
        why: `it is the same file as ${first.setBy} ${first.path}, so one would overwrite the other`,
        fix: `Give ${target.setBy} and ${first.setBy} different paths.`,
        code: null,
      });
    }
    seen.set(file, target);
  }
}

/** The path with every link resolved, as far as it exists (a file not yet written has none to resolve). */
async function canonicalPath(path: string): Promise<string> {
  const rest: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    try {
      return join(await realpath(dir), ...rest);
    } catch {
      if (dir === dirname(dir)) return resolve(path);
      rest.unshift(basename(dir));
    }
  }
}

async function checkOne(target: OutputTarget): Promise<WriteFailure | null> {
  const path = resolve(target.path);
  const existing = await statOrNull(path);
  if (existing?.isDirectory()) return isADirectory(target);
  if (existing && !existing.isFile()) return checkSpecialFile(target, path);
  const blocker = await fileAncestor(dirname(path));
  if (blocker !== null) return notADirectory(blocker);
  try {
    await probeDirectory(dirname(path));
  } catch (cause) {
    return explainWriteError(cause, target.path);
  }
  // An existing report is rewritten in place, so the file itself must be writable too.
  return existing && target.format !== 'results' ? checkWritable(path) : null;
}

/** A device or pipe (`/dev/stdout`): fine for a report, never for a file replaced by a rename. */
async function checkSpecialFile(target: OutputTarget, path: string): Promise<WriteFailure | null> {
  if (target.format !== 'results') return checkWritable(path);
  return {
    why: 'it is not a regular file (a device, pipe or socket), and the results file is replaced by a rename',
    fix: 'Name a regular file, e.g. perf-gate-results.json.',
    code: null,
  };
}

async function checkWritable(path: string): Promise<WriteFailure | null> {
  try {
    await access(path, constants.W_OK);
    return null;
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'EACCES';
    return {
      why: `${shown(path)} is not writable by this user (${code})`,
      fix: 'Make it writable (chmod u+w), or choose another path.',
      code,
    };
  }
}

function isADirectory(target: Pick<OutputTarget, 'path' | 'format'>): WriteFailure {
  const example =
    target.format === 'results' ? `, e.g. ${join(target.path, 'perf-gate-results.json')}` : '';
  return {
    why: 'it is a directory (EISDIR)',
    fix: `Add a file name to the path${example}.`,
    code: 'EISDIR',
  };
}

/**
 * Creates the directory (as the writer will), then a probe file in it with a
 * little data, synced so a full disk shows here and not after measuring.
 */
async function probeDirectory(directory: string): Promise<void> {
  const created = await mkdir(directory, { recursive: true });
  const probe = join(
    directory,
    `.perf-gate-probe-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  try {
    const handle = await open(probe, 'wx');
    try {
      await handle.write('perf-gate write probe\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
  } finally {
    await unlink(probe).catch(() => {});
    if (created !== undefined) await removeCreated(directory, created);
  }
}

/** Removes the directories mkdir made, deepest first; one that is not empty is left alone. */
async function removeCreated(directory: string, firstCreated: string): Promise<void> {
  for (let dir = directory; ; dir = dirname(dir)) {
    try {
      await rmdir(dir);
    } catch {
      return;
    }
    if (dir === firstCreated || dir === dirname(dir)) return;
  }
}

/**
 * Writes a report file, creating its directory first (the check removes any
 * directory it made, so the writer makes it again).
 */
export async function writeOutputFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(resolve(path)), { recursive: true });
  await writeFile(path, text);
}

/**
 * Explains a failed write (from the check, or from a writer after measuring)
 * as what is wrong and what to change, from the OS error code.
 *
 * @param path the path that was being written, as the user gave it
 */
export async function explainWriteError(cause: unknown, path: string): Promise<WriteFailure> {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? null;
  // The directory that refused: the nearest one that exists (a missing one could not be made in it).
  const directory = shown((await nearestExisting(dirname(resolve(path)))).path);
  switch (code) {
    case 'ENOTDIR':
    case 'EEXIST': {
      // mkdir answers EEXIST when a parent is a file: name that file.
      const blocker = await fileAncestor(dirname(resolve(path)));
      if (blocker !== null) return notADirectory(blocker);
      break;
    }
    case 'EISDIR':
      return isADirectory({ path, format: 'markdown' });
    case 'EACCES':
    case 'EPERM':
      return {
        why: `this user may not write in ${directory} (${code})`,
        fix: 'Choose a directory this user can write to, or give it write permission there.',
        code,
      };
    case 'EROFS':
      return {
        why: `${directory} is on a read-only file system (EROFS)`,
        fix: 'Choose a path on a writable disk.',
        code,
      };
    case 'ENOSPC':
    case 'EDQUOT':
      return {
        why: `the disk holding ${directory} is full (${code === 'EDQUOT' ? 'disk quota exceeded, EDQUOT' : 'no space left, ENOSPC'})`,
        fix: 'Free some space there, or choose a path on another disk.',
        code,
      };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { why: message, fix: 'Choose another path.', code };
}

function notADirectory(blocker: string): WriteFailure {
  return {
    why: `${shown(blocker)} is a file, not a directory (ENOTDIR)`,
    fix: `Choose a path whose parent is a directory, or move ${shown(blocker)} away.`,
    code: 'ENOTDIR',
  };
}

/** A path as short as it can be shown: relative when it lies under the working directory. */
function shown(path: string): string {
  return pathInside(process.cwd(), path) || path;
}

/**
 * `path` relative to `dir` when it lies inside it, else null. Inside means
 * the relative path does not climb out: it is not `..` and does not start
 * with `../` (a name such as `..cache/x` is inside), and it is not absolute
 * (another drive on Windows).
 *
 * @returns the relative path (`''` for `dir` itself), or null when `path` is outside `dir`
 * @example
 * import { pathInside } from '@vggt-perf-gate/runner';
 * pathInside('/repo', '/repo/ci/perf-gate.yml'); // 'ci/perf-gate.yml'
 * pathInside('/repo', '/elsewhere/perf-gate.yml'); // null
 * const shown = pathInside(process.cwd(), file) || file; // '' is the directory itself
 */
export function pathInside(dir: string, path: string): string | null {
  const inside = relative(resolve(dir), resolve(path));
  if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return null;
  return inside;
}

/** The nearest existing ancestor of `directory` (itself included) when it is not a directory. */
async function fileAncestor(directory: string): Promise<string | null> {
  const found = await nearestExisting(directory);
  return found.isDirectory ? null : found.path;
}

/** The nearest ancestor of `directory` that exists (itself included), and what it is. */
async function nearestExisting(directory: string): Promise<{ path: string; isDirectory: boolean }> {
  for (let dir = directory; ; dir = dirname(dir)) {
    const found = await statOrNull(dir);
    if (found) return { path: dir, isDirectory: found.isDirectory() };
    // Nothing exists up to the root (an unreadable tree): the root is what to name.
    if (dir === dirname(dir)) return { path: dir, isDirectory: true };
  }
}

async function statOrNull(path: string) {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}
