import { afterEach, describe, expect, it } from 'vitest';
import { findProcessTree, isDescendantOf, MemoryError } from '../src/index.js';
import { type RealTree, startRealTree } from './helpers.js';

const onLinux = process.platform === 'linux';

describe.runIf(onLinux)('findProcessTree on Linux', () => {
  let tree: RealTree | undefined;
  afterEach(() => {
    tree?.kill();
    tree = undefined;
  });

  it.each(['children', 'stat-scan'] as const)(
    'finds a child and its grandchild with the %s method, and a new grandchild on re-scan',
    async (method) => {
      tree = await startRealTree();
      const [grandchild] = tree.grandchildren;
      const first = findProcessTree(tree.childPid, { method });
      expect(first).toMatchObject({ supported: true, rootAlive: true, method });
      if (!first.supported) return;
      expect([...first.pids].sort()).toEqual([tree.childPid, grandchild].sort());

      const later = await tree.spawnGrandchild();
      const second = findProcessTree(tree.childPid, { method });
      expect(second.supported && second.pids.has(later)).toBe(true);
      expect(second.supported && second.pids.size).toBe(3);
    },
  );

  it('does not include the caller, which is the root ancestor and not a descendant', async () => {
    tree = await startRealTree();
    const found = findProcessTree(tree.childPid);
    expect(found.supported && found.pids.has(process.pid)).toBe(false);
    // From the test process down, the whole tree is there.
    const fromHere = findProcessTree(process.pid);
    expect(fromHere.supported && fromHere.pids.has(tree.grandchildren[0]!)).toBe(true);
  });

  it('classifies one PID by walking its parents', async () => {
    tree = await startRealTree();
    const grandchild = tree.grandchildren[0]!;
    expect(isDescendantOf(grandchild, tree.childPid)).toBe(true);
    expect(isDescendantOf(grandchild, process.pid)).toBe(true);
    expect(isDescendantOf(process.pid, tree.childPid)).toBe(false);
    expect(isDescendantOf(tree.childPid, tree.childPid)).toBe(true);
  });

  it('reports a root that has exited instead of throwing', () => {
    // PIDs are capped well below 2^22 on Linux (pid_max), so this one cannot exist.
    const gone = findProcessTree(4_194_303 + 1);
    expect(gone).toMatchObject({ supported: true, rootAlive: false });
    expect(gone.supported && [...gone.pids]).toEqual([4_194_304]);
  });
});

describe('findProcessTree arguments and platforms', () => {
  it('rejects a PID that is not a positive integer, saying what it needs', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => findProcessTree(bad)).toThrow(MemoryError);
    }
    expect(() => findProcessTree(0)).toThrow(/rootPid = 0 is invalid: expected a process id/);
  });

  it.runIf(!onLinux)('says the tree is unsupported off Linux, without throwing', () => {
    const result = findProcessTree(process.pid);
    expect(result.supported).toBe(false);
    expect(!result.supported && result.reason).toMatch(/Linux/);
  });
});
