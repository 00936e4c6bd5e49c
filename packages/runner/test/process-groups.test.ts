import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { newRunToken } from '../src/workloads/strays.js';
import { killProcessGroup, type TrackedProcess } from '../src/workloads/worker-process.js';
import { isGone } from './fixtures/workers/helpers.js';

/**
 * Stopping a tree signals its process group (-pgid) only while that group is
 * still the tree's own. A command that exited cleanly often leaves no group
 * behind, and once the group is empty the kernel may hand its PGID to a new
 * process that leads a group of its own: a SIGTERM to -pgid then would stop
 * a stranger.
 */

describe('killProcessGroup after the leader has exited', () => {
  it("does not signal a group that now belongs to another process with the leader's PID", async () => {
    // A PID cannot be reused on demand; the stranger plays the process that was given it,
    // leading a group of its own (detached: setsid) whose PGID is that PID.
    const stranger = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    try {
      await once(stranger, 'spawn');
      const pid = stranger.pid as number;
      // A command as the runner holds it once it exited and Node reaped it: its PID is free.
      const exited: TrackedProcess = {
        child: { pid, exitCode: 0, signalCode: null, stdio: [] } as unknown as ChildProcess,
        stdout: new PassThrough(),
        stderr: new PassThrough(),
        exited: Promise.resolve(),
        seen: new Map(),
        token: newRunToken(),
        // The start time the leader had: not the stranger's (a later process).
        leaderStart: '1',
      };
      expect(await killProcessGroup(exited, 200)).toEqual([]);
      expect(isGone(pid)).toBe(false);
      expect(stranger.signalCode).toBeNull();
    } finally {
      stranger.kill('SIGKILL');
    }
  });
});
