import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { invalidOption } from './errors.js';

/**
 * How descendants were found. `children`: the kernel's per-thread
 * `/proc/<pid>/task/<tid>/children` lists (one small read per thread of each
 * process in the tree: cheap enough for a re-scan every 50 ms). `stat-scan`:
 * read the parent PID of every process in `/proc`, for kernels built without
 * CONFIG_PROC_CHILDREN (a few hundred reads: a millisecond or two).
 */
export type ProcessTreeMethod = 'children' | 'stat-scan';

/**
 * What {@link findProcessTree} found: the tree's PIDs, or, where /proc
 * cannot be read, why not.
 */
export type ProcessTree =
  | {
      supported: true;
      /** The root and every live descendant found. Always holds the root. */
      pids: Set<number>;
      /** False when the root had already exited: then only the root is listed. */
      rootAlive: boolean;
      method: ProcessTreeMethod;
    }
  | {
      supported: false;
      /** Why the tree cannot be read here, in a sentence. */
      reason: string;
    };

/** Options of {@link findProcessTree}. */
export interface ProcessTreeOptions {
  /**
   * `auto` (default) uses the children lists where the kernel has them,
   * else scans every process's parent.
   */
  method?: 'auto' | ProcessTreeMethod;
}

const PROC = '/proc';

/** Whether the children lists exist, decided once on first use (never at import). */
let childrenListsExist: boolean | undefined;

/**
 * The PIDs of a process and all its descendants (children, grandchildren...),
 * read from Linux's /proc. A torchrun launcher starts its ranks after it
 * starts, so callers re-scan (this is cheap) rather than scan once.
 *
 * A child started between two reads may be missed by one scan and found by
 * the next; a PID that exits in between is simply absent.
 *
 * On other platforms (or without /proc) the result says so instead of
 * throwing, so a caller can fall back to tracking the root PID alone. It
 * throws MemoryError INVALID_OPTION for a `rootPid` that is not an integer
 * > 0, or an unknown `method`.
 *
 * @example
 * const tree = findProcessTree(launcherPid); // e.g. the spawned torchrun's pid
 * if (tree.supported) console.log(`${tree.pids.size} processes (${tree.method})`);
 * else console.warn(tree.reason);
 */
export function findProcessTree(rootPid: number, options: ProcessTreeOptions = {}): ProcessTree {
  checkPid('rootPid', rootPid);
  const unsupported = treeUnsupportedReason();
  if (unsupported !== undefined) return { supported: false, reason: unsupported };
  const wanted = options.method ?? 'auto';
  if (wanted !== 'auto' && wanted !== 'children' && wanted !== 'stat-scan') {
    throw invalidOption('method', wanted, '"auto", "children" or "stat-scan"');
  }
  const method: ProcessTreeMethod =
    wanted === 'auto' ? (hasChildrenLists() ? 'children' : 'stat-scan') : wanted;
  const rootAlive = existsSync(`${PROC}/${rootPid}`);
  if (!rootAlive) return { supported: true, pids: new Set([rootPid]), rootAlive, method };
  const pids = method === 'children' ? walkChildren(rootPid) : walkParents(rootPid);
  return { supported: true, pids, rootAlive, method };
}

/**
 * Whether `pid` descends from `rootPid` (or is it), by following parent
 * PIDs up from `pid`. One small read per generation: the way to classify a
 * PID that shows up on a GPU between two full scans. Where /proc cannot be
 * read it is false, unless `pid` is `rootPid`.
 *
 * @example
 * for (const proc of reader.processes(0)) {
 *   if (!tracked.has(proc.pid) && isDescendantOf(proc.pid, rootPid)) tracked.add(proc.pid);
 * }
 */
export function isDescendantOf(pid: number, rootPid: number): boolean {
  if (pid === rootPid) return true;
  if (treeUnsupportedReason() !== undefined) return false;
  let current = pid;
  // A chain longer than this is a cycle from PID reuse while walking; give up.
  for (let depth = 0; depth < MAX_ANCESTRY_DEPTH; depth++) {
    const parent = parentOf(current);
    if (parent === undefined || parent <= 0) return false;
    if (parent === rootPid) return true;
    current = parent;
  }
  return false;
}

const MAX_ANCESTRY_DEPTH = 1024;

/** Undefined where /proc can be read; otherwise the sentence saying why not. */
export function treeUnsupportedReason(): string | undefined {
  if (process.platform !== 'linux') {
    return `process trees are read from Linux's /proc, and this is ${process.platform}: only the root PID itself can be tracked`;
  }
  if (!existsSync(`${PROC}/self/stat`)) {
    return `${PROC} is not mounted: only the root PID itself can be tracked`;
  }
  return undefined;
}

function hasChildrenLists(): boolean {
  if (childrenListsExist === undefined) {
    childrenListsExist = existsSync(`${PROC}/self/task/${process.pid}/children`);
  }
  return childrenListsExist;
}

/** Breadth-first over the kernel's children lists, one per thread (a thread's forks are listed under it). */
function walkChildren(rootPid: number): Set<number> {
  const found = new Set([rootPid]);
  const queue = [rootPid];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    for (const tid of readDir(`${PROC}/${next}/task`)) {
      const text = readText(`${PROC}/${next}/task/${tid}/children`);
      if (text === undefined) continue;
      for (const word of text.split(' ')) {
        const child = Number(word);
        if (word === '' || !Number.isInteger(child) || found.has(child)) continue;
        found.add(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** Reads every process's parent once, then walks down from the root. */
function walkParents(rootPid: number): Set<number> {
  const childrenOf = new Map<number, number[]>();
  for (const entry of readDir(PROC)) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const parent = parentOf(pid);
    if (parent === undefined) continue;
    const siblings = childrenOf.get(parent);
    if (siblings === undefined) childrenOf.set(parent, [pid]);
    else siblings.push(pid);
  }
  const found = new Set([rootPid]);
  const queue = [rootPid];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    for (const child of childrenOf.get(next) ?? []) {
      if (found.has(child)) continue;
      found.add(child);
      queue.push(child);
    }
  }
  return found;
}

/**
 * The parent PID from /proc/<pid>/stat. The command name (field 2) is in
 * parentheses and may itself hold spaces and parentheses, so the fields are
 * counted from the last ')'.
 */
function parentOf(pid: number): number | undefined {
  const text = readText(`${PROC}/${pid}/stat`);
  if (text === undefined) return undefined;
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // After ") " come: state, ppid, ...
  const fields = text.slice(close + 2).split(' ');
  const parent = Number(fields[1]);
  return Number.isInteger(parent) ? parent : undefined;
}

/** A process can exit between listing and reading: that is not an error here. */
function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

function readDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** Throws INVALID_OPTION unless `pid` is a positive integer. */
export function checkPid(name: string, pid: unknown): asserts pid is number {
  if (!(typeof pid === 'number' && Number.isInteger(pid) && pid > 0)) {
    throw invalidOption(name, pid, 'a process id (an integer > 0), e.g. child.pid');
  }
}
