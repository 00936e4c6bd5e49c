import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * openLiveSource loads @vggt-perf-gate/device lazily; when that fails, the
 * message must help both a library user (install or build the package) and
 * someone running the GitHub Action, whose bundle inlines the package and so
 * has nothing to install.
 */

afterEach(() => {
  vi.doUnmock('@vggt-perf-gate/device');
  vi.resetModules();
});

describe('openLiveSource when the device package cannot be loaded', () => {
  it('says how to install or build it, and that a bundled Action is incomplete', async () => {
    // The package itself is replaced, not child_process: its import fails as a missing one would.
    vi.doMock('@vggt-perf-gate/device', () => {
      throw new Error("Cannot find package '@vggt-perf-gate/device'");
    });
    const { openLiveSource } = await import('../src/source.js');
    const failure = await openLiveSource('auto').then(
      () => null,
      (error: unknown) => error as { code: string; message: string },
    );
    expect(failure?.code).toBe('SOURCE_UNAVAILABLE');
    expect(failure?.message).toContain(
      'Install it next to @vggt-perf-gate/memory, or in this repository build it with `npm run build -w @vggt-perf-gate/device`.',
    );
    expect(failure?.message).toContain(
      "If this runs from the GitHub Action's dist/, the bundle is incomplete: rebuild it with `npm run bundle` in the action's repository, or report it.",
    );
  });
});
