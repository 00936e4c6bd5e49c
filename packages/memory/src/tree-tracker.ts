import { findProcessTree, isDescendantOf, type ProcessTreeMethod } from './process-tree.js';

/** How the tracked PIDs were found: /proc (by method), a recording, or the root alone. */
export type TreeSource = ProcessTreeMethod | 'recorded' | 'root-only';

/** The tree is re-read this often (ms): torchrun starts its ranks after it starts. */
export const DEFAULT_TREE_RESCAN_MS = 50;

/**
 * The set of PIDs whose GPU memory counts. It only grows: a rank whose
 * launcher exits is re-parented out of the tree, but its memory was the
 * workload's all the same. A PID seen on a GPU between two scans is
 * classified at once by walking its parents, so a rank that allocates
 * right after it starts is not missed until the next scan.
 */
export class TreeTracker {
  readonly rootPid: number;
  readonly #rescanMs: number;
  readonly #tracked: Set<number>;
  /** PIDs found not to be in the tree since the last scan (cleared each scan). */
  #foreign = new Set<number>();
  #lastScan = Number.NEGATIVE_INFINITY;
  #source: TreeSource = 'root-only';
  /** Why /proc could not be read, when it could not. */
  unsupportedReason: string | undefined;

  constructor(rootPid: number, rescanMs = DEFAULT_TREE_RESCAN_MS) {
    this.rootPid = rootPid;
    this.#rescanMs = rescanMs;
    this.#tracked = new Set([rootPid]);
  }

  get source(): TreeSource {
    return this.#source;
  }

  /** Re-reads /proc if the last scan is `rescanMs` old (t in ms, any monotonic origin). */
  refresh(t: number): void {
    if (this.#source === 'recorded' || this.unsupportedReason !== undefined) return;
    if (t - this.#lastScan < this.#rescanMs) return;
    this.#lastScan = t;
    const tree = findProcessTree(this.rootPid);
    if (!tree.supported) {
      this.unsupportedReason = tree.reason;
      return;
    }
    this.#source = tree.method;
    for (const pid of tree.pids) this.#tracked.add(pid);
    this.#foreign = new Set();
  }

  /** Uses a captured tree instead of /proc from now on. */
  addRecorded(pids: Iterable<number>): void {
    this.#source = 'recorded';
    for (const pid of pids) this.#tracked.add(pid);
  }

  includes(pid: number): boolean {
    if (this.#tracked.has(pid)) return true;
    if (this.#foreign.has(pid)) return false;
    if (this.#source === 'recorded' || this.unsupportedReason !== undefined) return false;
    if (isDescendantOf(pid, this.rootPid)) {
      this.#tracked.add(pid);
      return true;
    }
    this.#foreign.add(pid);
    return false;
  }
}
