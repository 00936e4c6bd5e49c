import { describe, expect, it } from 'vitest';
import { RunnerError } from '../src/errors.js';
import { workerWorkload } from '../src/workloads/worker.js';
import {
  CLIENT_DIR,
  FIXTURES,
  fixtureWorkload,
  isGone,
  isReaped,
  testContext,
} from './fixtures/workers/helpers.js';

/** Awaits `promise`, expecting a WORKLOAD_FAILED RunnerError, and returns its message. */
async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => {
      throw new Error('expected the worker to fail');
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RunnerError);
  expect((error as RunnerError).code).toBe('WORKLOAD_FAILED');
  return (error as RunnerError).message;
}

describe('worker workload: failures say what, where and how to fix', () => {
  it('command not found: names the command and the directory', async () => {
    const { context } = testContext({ cwd: CLIENT_DIR });
    const message = await failure(
      workerWorkload({ command: ['perf-gate-no-such-command', 'bench.py'] }).open(context),
    );
    expect(message).toContain('command not found: "perf-gate-no-such-command bench.py"');
    expect(message).toContain(`cwd ${CLIENT_DIR}`);
  });

  it('command not found through the shell: exit 127 explained', async () => {
    const { context } = testContext();
    const message = await failure(
      workerWorkload({ command: 'perf-gate-no-such-command --frames 20' }).open(context),
    );
    expect(message).toContain('exited with code 127 before sending its hello');
    expect(message).toContain(
      `The shell could not find a program in "perf-gate-no-such-command --frames 20" (cwd ${FIXTURES}): install it or fix PATH.`,
    );
    expect(message).toMatch(/perf-gate-no-such-command: .*not found/);
  });

  it('a string command whose program is killed by SIGKILL (exit 137 from sh -c) gets the out-of-memory hint', async () => {
    const { context } = testContext();
    // As `cd model && python worker.py` runs: the shell waits for python and reports its death as 137.
    const command = `cd ${JSON.stringify(FIXTURES)} && python3 -c 'import os, signal; os.kill(os.getpid(), signal.SIGKILL)'; exit $?`;
    const message = await failure(workerWorkload({ command }).open(context));
    expect(message).toContain(
      "exited with code 137 (the shell's code for a program killed by SIGKILL) before sending its hello. SIGKILL from outside the process is often the kernel's out-of-memory killer: check dmesg and free memory, or a container memory limit.",
    );
  });

  it('a worker killed by SIGKILL itself gets the same hint', async () => {
    const { context } = testContext();
    const workload = workerWorkload({
      command: ['python3', '-c', 'import os, signal; os.kill(os.getpid(), signal.SIGKILL)'],
    });
    const message = await failure(workload.open(context));
    expect(message).toContain(
      "was killed by SIGKILL before sending its hello. SIGKILL from outside the process is often the kernel's out-of-memory killer",
    );
  });

  it('a missing working directory is named', async () => {
    const { context } = testContext();
    const message = await failure(
      fixtureWorkload('sleepy.py', { cwd: 'no/such/dir' }).open(context),
    );
    expect(message).toMatch(/working directory .*no\/such\/dir does not exist/);
  });

  it('exit before hello: includes the stderr tail', async () => {
    const { context } = testContext();
    const message = await failure(fixtureWorkload('exits_early.py').open(context));
    expect(message).toContain('exited with code 1 before sending its hello');
    expect(message).toContain('loading model...');
    expect(message).toContain(
      "ModuleNotFoundError: No module named 'vggt_module_that_does_not_exist'",
    );
  });

  it('an exception in setup: the Python traceback reaches the error', async () => {
    const { context } = testContext();
    const message = await failure(
      fixtureWorkload('raises.py', { env: { RAISE_IN: 'setup' } }).open(context),
    );
    expect(message).toContain('reported an error in setup');
    expect(message).toContain('FileNotFoundError: checkpoint missing: weights/vggt-1b.pt');
    expect(message).toContain('Traceback (most recent call last)');
    expect(message).toContain('in load_checkpoint');
  });

  it('an exception in step: reported with its traceback, the worker is gone', async () => {
    const { context } = testContext();
    const session = await fixtureWorkload('raises.py', { env: { RAISE_IN: 'step' } }).open(context);
    const message = await failure(session.warmup(2));
    expect(message).toContain('reported an error in step: RuntimeError: CUDA error');
    expect(message).toContain('in step');
    expect(isReaped(session.pid)).toBe(true);
    // Later requests fail the same way; close still works.
    expect(await failure(session.run(1))).toBe(message);
    await session.close();
  });

  it('garbage on the protocol fd fails clearly, quoting it', async () => {
    const { context } = testContext();
    const session = await fixtureWorkload('fd_garbage.py').open(context);
    try {
      const message = await failure(session.run(3));
      expect(message).toContain('broke the worker protocol');
      expect(message).toContain('not JSON: `progress: 50% (this is not JSON)`');
      expect(message).toContain('fd 4');
    } finally {
      await session.close();
    }
    expect(isReaped(session.pid)).toBe(true);
  });

  it.each([
    ['exit', /exited with code 3 while the runner waited for 'result' of run \(5 iterations\)/],
    ['abort', /was killed by SIGABRT while the runner waited for 'result' of run \(5 iterations\)/],
  ])('a crash mid-run (%s) names the exit and quotes stderr', async (mode, expected) => {
    const { context } = testContext();
    const session = await fixtureWorkload('crash.py', {
      env: { CRASH_MODE: mode, CRASH_AT_CALL: '8' },
    }).open(context);
    try {
      await session.warmup(2);
      expect((await session.run(5)).samples).toHaveLength(5);
      const message = await failure(session.run(5));
      expect(message).toMatch(expected);
      expect(message).toContain('worker: about to crash on purpose');
    } finally {
      await session.close();
    }
  });

  it('a hang times out, and the whole process group is gone afterwards', async () => {
    const { context } = testContext();
    const session = await fixtureWorkload('hang.py', {
      iterationTimeoutMs: 300,
      killGraceMs: 500,
    }).open(context);
    const grandchild = session.info.extra.grandchildPid as number;
    expect(grandchild).toBeGreaterThan(0);
    expect(isGone(grandchild)).toBe(false);
    // The worker hangs for good: only the time limit can end this wait.
    const message = await failure(session.warmup(2));
    expect(message).toContain(
      "did not send 'result' of warm-up (2 iterations) within 600 ms (iterationTimeoutSeconds: 0.3 x 2 iterations)",
    );
    expect(message).toContain(
      "raise iterationTimeoutSeconds under the benchmark's `workload:` in perf-gate.yml; otherwise look for a hang",
    );
    // CLI and Action users set perf-gate.yml keys: the API's names would only mislead them.
    expect(message).not.toMatch(/TimeoutMs|workerWorkload/);
    expect(isReaped(session.pid)).toBe(true);
    expect(isGone(grandchild)).toBe(true);
    await session.close();
  });

  it('a child in a session of its own (as torchrun starts ranks) is stopped with the worker', async () => {
    const { context } = testContext();
    const session = await fixtureWorkload('new_session_child.py', { killGraceMs: 300 }).open(
      context,
    );
    const child = session.info.extra.childPid as number;
    expect(child).toBeGreaterThan(0);
    expect(isGone(child)).toBe(false);
    await session.close();
    expect(isGone(child)).toBe(true);
  });

  it('a timeout at startup names startupTimeoutSeconds, the key perf-gate.yml sets', async () => {
    const { context } = testContext();
    // Sleeps before serve(): never says hello.
    const workload = workerWorkload({
      command: ['python3', '-c', 'import time; time.sleep(1000)'],
      startupTimeoutMs: 300,
      killGraceMs: 200,
    });
    const message = await failure(workload.open(context));
    expect(message).toContain("did not send 'hello' within 300 ms (startupTimeoutSeconds: 0.3)");
    expect(message).toContain(
      "raise startupTimeoutSeconds under the benchmark's `workload:` in perf-gate.yml; otherwise look for a hang",
    );
    expect(message).not.toMatch(/TimeoutMs|workerWorkload/);
  });

  it('a protocol version mismatch says both versions and how to upgrade', async () => {
    const { context } = testContext();
    const message = await failure(fixtureWorkload('future_protocol.py').open(context));
    expect(message).toContain('speaks worker protocol 99, but this runner speaks protocol 1');
    expect(message).toContain('Upgrade the runner');
  });

  it('a script run outside the runner explains itself', async () => {
    const { execFileSync } = await import('node:child_process');
    let stderr = '';
    try {
      execFileSync('python3', [`${FIXTURES}/sleepy.py`], {
        env: { ...process.env, PYTHONPATH: CLIENT_DIR },
        stdio: 'pipe',
      });
    } catch (error) {
      stderr = String((error as { stderr: Buffer }).stderr);
      expect((error as { status: number }).status).toBe(2);
    }
    expect(stderr).toContain('Run it through vggt-perf-gate');
  });
});
