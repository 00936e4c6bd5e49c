import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { acquireRunLock, LOCK_FILE } from '../src/gate/run-lock.js';

const builtLock = fileURLToPath(new URL('../dist/gate/run-lock.js', import.meta.url));

/** A directory standing in for a repository's git directory. */
const gitDir = () => mkdtempSync(join(tmpdir(), 'perf-gate-lock-'));

/** The PID of a process that has exited (and been reaped). */
function deadPid(): number {
  return Number(
    spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout,
  );
}

function writeLock(dir: string, owner: Record<string, unknown>): string {
  const path = join(dir, LOCK_FILE);
  writeFileSync(
    path,
    JSON.stringify({ host: hostname(), startedAt: 'then', resultsPath: 'r.json', ...owner }),
  );
  return path;
}

describe('the run lock', () => {
  it('a second run is refused while the first lives, with its PID and results path', () => {
    const dir = gitDir();
    const lock = acquireRunLock(dir, '/somewhere/results.json');
    expect(() => acquireRunLock(dir, 'other.json')).toThrow(
      expect.objectContaining({
        code: 'ALREADY_RUNNING',
        message: expect.stringContaining(`(pid ${process.pid} on ${hostname()}`),
      }),
    );
    expect(() => acquireRunLock(dir, 'other.json')).toThrow(/writing \/somewhere\/results\.json/);
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
    acquireRunLock(dir, 'again.json').release();
  });

  it('a lock whose owner is gone is taken over', () => {
    const dir = gitDir();
    const path = writeLock(dir, { pid: deadPid(), startTime: '1' });
    const lock = acquireRunLock(dir, 'r.json');
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('a lock naming a live PID that a later process reuses is taken over', () => {
    const dir = gitDir();
    // This process's PID, but another start time: the run that wrote it is gone.
    writeLock(dir, { pid: process.pid, startTime: 'not-this-process' });
    acquireRunLock(dir, 'r.json').release();
  });

  it('a lock from another host is held: it cannot be checked from here', () => {
    const dir = gitDir();
    writeLock(dir, { pid: deadPid(), startTime: '1', host: 'another-runner' });
    expect(() => acquireRunLock(dir, 'r.json')).toThrow(/pid \d+ on another-runner/);
  });

  it('an unreadable lock is held while young, and taken over once old', () => {
    const dir = gitDir();
    const path = join(dir, LOCK_FILE);
    writeFileSync(path, '{ damaged');
    expect(() => acquireRunLock(dir, 'r.json')).toThrow(
      /its lock file cannot be read.*remove .*vggt-perf-gate\.lock/,
    );
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(path, minuteAgo, minuteAgo);
    acquireRunLock(dir, 'r.json').release();
  });

  it("release leaves a lock that is not this run's own", () => {
    const dir = gitDir();
    const lock = acquireRunLock(dir, 'r.json');
    writeLock(dir, { pid: 1, startTime: 'x' });
    lock.release();
    expect(existsSync(lock.path)).toBe(true);
  });

  it('a git directory the gate cannot write in is explained, not a raw error', () => {
    const file = join(gitDir(), 'not-a-dir');
    writeFileSync(file, '');
    expect(() => acquireRunLock(file, 'r.json')).toThrow(
      /cannot create the run lock .*ENOTDIR.*needs to write in the repository's git directory/,
    );
  });

  it('of runs taking over one stale lock at once, exactly one wins', async () => {
    const dir = gitDir();
    writeLock(dir, { pid: deadPid(), startTime: '1' });
    const done = join(dir, 'done');
    const contender = `import { existsSync } from 'node:fs';
import { acquireRunLock } from ${JSON.stringify(builtLock)};
try {
  acquireRunLock(${JSON.stringify(dir)}, 'r.json');
  console.log('won');
  while (!existsSync(${JSON.stringify(done)})) await new Promise((r) => setTimeout(r, 20));
} catch (error) {
  console.log(error.code);
}`;
    const children = Array.from({ length: 6 }, () => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', contender]);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // Each says its outcome before any winner lets go (it waits for the done file).
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const outcome = new Promise<string>((resolve) => {
        child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
        // A contender that crashed says why, rather than leave the test waiting.
        child.once('exit', () => resolve(`exited without an outcome: ${stderr.trim()}`));
      });
      return { exited, outcome };
    });
    const outcomes = await Promise.all(children.map((c) => c.outcome));
    writeFileSync(done, '');
    await Promise.all(children.map((c) => c.exited));
    expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'ALREADY_RUNNING')).toHaveLength(5);
  });
});
