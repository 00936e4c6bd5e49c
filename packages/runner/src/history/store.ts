import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RunnerError } from '../errors.js';
import type { HistoryEntry } from './entry.js';
import { checkHistoryEntry } from './schema.js';

/**
 * The history as files: `runs/<when>-<commit>-<random>.json` in a store
 * directory, one small file per run. Two runs never write the same file, so
 * appends from concurrent jobs merge without conflicts (on a data branch,
 * git only ever adds files). The same layout is a local directory for the
 * CLI and a checkout of the data branch for the Action.
 */

/** Where the entries live inside a store. */
export const RUNS_DIR = 'runs';

/** What a store holds: its entries, oldest first, and the files that were not entries. */
export interface StoreContents {
  entries: HistoryEntry[];
  /** One line per file skipped: its path in the store and why. */
  skipped: string[];
}

/** The file name an entry gets: sortable by time, unique by its random part. */
export function entryFileName(entry: HistoryEntry): string {
  const when = entry.recordedAt.replace(/[:.]/g, '-');
  const sha = entry.commit.sha?.slice(0, 12) ?? 'no-commit';
  return `${when}-${sha}-${randomBytes(3).toString('hex')}.json`;
}

/**
 * Adds entries to the store at `dir` (created if missing), each in a file of
 * its own, written atomically. Returns the files' paths inside the store.
 *
 * @throws RunnerError HISTORY_IO naming the store when a file cannot be written
 * @example
 * const [file] = await appendToStore('perf-history', [historyEntry(results)]);
 */
export async function appendToStore(
  dir: string,
  entries: readonly HistoryEntry[],
): Promise<string[]> {
  const runs = join(dir, RUNS_DIR);
  const written: string[] = [];
  let temporary: string | null = null;
  try {
    await mkdir(runs, { recursive: true });
    for (const entry of entries) {
      const name = entryFileName(entry);
      temporary = join(runs, `.${name}.tmp`);
      await writeFile(temporary, `${JSON.stringify(entry, null, 2)}\n`);
      await rename(temporary, join(runs, name));
      written.push(join(RUNS_DIR, name));
      temporary = null;
    }
  } catch (cause) {
    // Best effort: no half-written file is left for a reader to skip.
    if (temporary) await rm(temporary, { force: true }).catch(() => undefined);
    throw new RunnerError(
      'HISTORY_IO',
      `cannot add to the history store ${dir}: ${(cause as Error).message}. Choose a writable directory with --store.`,
      { cause },
    );
  }
  return written;
}

/**
 * Reads every entry of the store at `dir`, oldest first. A file that is not
 * an entry (not JSON, another schema version, a field of the wrong type) is
 * skipped and named in `skipped`; a store that does not exist is empty.
 *
 * @throws RunnerError HISTORY_IO when the store exists but cannot be listed
 * @example
 * const { entries, skipped } = await readStore('perf-history');
 * for (const line of skipped) console.warn(`history: skipped ${line}`);
 */
export async function readStore(dir: string): Promise<StoreContents> {
  let names: string[];
  try {
    names = (await readdir(join(dir, RUNS_DIR))).filter(
      (n) => n.endsWith('.json') && !n.startsWith('.'),
    );
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], skipped: [] };
    throw new RunnerError(
      'HISTORY_IO',
      `cannot read the history store ${dir}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  // One file at a time: a year of runs is thousands of files, more than a process may hold open.
  const files: Array<{ path: string; text: string }> = [];
  const unreadable: string[] = [];
  for (const name of names.sort()) {
    const path = join(RUNS_DIR, name);
    try {
      files.push({ path, text: await readFile(join(dir, path), 'utf8') });
    } catch (cause) {
      unreadable.push(`${path}: cannot be read (${(cause as Error).message})`);
    }
  }
  const contents = parseEntries(files);
  return { entries: contents.entries, skipped: [...unreadable, ...contents.skipped] };
}

/** Entries from files' text, oldest first; what is not an entry is named in `skipped`. */
export function parseEntries(files: ReadonlyArray<{ path: string; text: string }>): StoreContents {
  const entries: HistoryEntry[] = [];
  const skipped: string[] = [];
  for (const { path, text } of files) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (cause) {
      skipped.push(`${path}: not JSON (${(cause as Error).message})`);
      continue;
    }
    const checked = checkHistoryEntry(data);
    if ('problem' in checked) skipped.push(`${path}: ${checked.problem}`);
    else entries.push(checked.entry);
  }
  entries.sort((a, b) => a.recordedAt.localeCompare(b.recordedAt));
  return { entries, skipped };
}

/** The last `limit` items (none for 0 or less, all for Infinity). */
export function lastOf<T>(items: readonly T[], limit: number): T[] {
  if (!(limit > 0)) return [];
  return Number.isFinite(limit) ? items.slice(-Math.floor(limit)) : [...items];
}
