import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CommandSpec, runCommand } from '../src/workloads/command.js';
import { killPids, pidsIn } from './fixtures/pids.js';
import { isGone } from './fixtures/workers/helpers.js';

let dir: string;
let lines: string[];
/** Every PID a test's commands recorded; killed after each test, whatever happened. */
const recorded = () => pidsIn(dir);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'perf-gate-command-'));
  lines = [];
});

afterEach(() => {
  killPids(recorded());
  rmSync(dir, { recursive: true, force: true });
});

function spec(command: string | string[], overrides: Partial<CommandSpec> = {}): CommandSpec {
  return {
    command,
    cwd: dir,
    env: process.env,
    timeoutMs: 60_000,
    timeoutSetting: { key: 'setupTimeoutSeconds', where: 'on the benchmark in perf-gate.yml' },
    what: 'the head setup command',
    log: (line) => lines.push(line),
    killGraceMs: 500,
    ...overrides,
  };
}

/**
 * A daemon: `setsid` leaves the command's session, and the subshell's exit
 * re-parents it to init. It records its PID, and leaves a `finished` marker
 * only if it lives to the end of its 30 s sleep.
 */
const DAEMON = `(setsid sh -c 'touch "$DIR/daemon-$$.pid"; sleep 30; touch "$DIR/finished"' &)`;

describe('runCommand: a command that runs to its end', () => {
  it('logs every line as it arrives and reports nothing for a clean exit', async () => {
    const outcome = await runCommand(spec('echo one; echo two >&2'));
    expect(outcome).toEqual({ state: 'ok', warnings: [] });
    expect(lines).toEqual(expect.arrayContaining(['one', 'two']));
  });

  it('returns once a command that started a daemon exits; the daemon is reported and stopped', async () => {
    const outcome = await runCommand(
      spec(`${DAEMON}; echo started`, { env: { ...process.env, DIR: dir } }),
    );
    expect(outcome.state).toBe('ok');
    expect(outcome.warnings).toHaveLength(1);
    const warning = outcome.warnings[0] ?? '';
    expect(warning).toMatch(
      /^the head setup command ".*" left \d process(es)? running after it exited: pid \d+ \(/,
    );
    expect(warning).toContain('sleep 30');
    expect(warning).toContain('The gate stopped them');
    const pids = [...warning.matchAll(/pid (\d+) \(/g)].map((m) => Number(m[1]));
    for (const pid of pids) expect(isGone(pid)).toBe(true);
    // Stopped, not finished: it never lived to the end of its 30 s sleep.
    expect(existsSync(join(dir, 'finished'))).toBe(false);
    expect(lines).toContain('started');
  });

  it('a child left in its own process group after a clean exit is reported and stopped', async () => {
    // The shell records the child's PID itself before it exits: no race with the exit.
    const outcome = await runCommand(
      spec(`sleep 30 & touch "$DIR/child-$!.pid"`, { env: { ...process.env, DIR: dir } }),
    );
    expect(outcome.state).toBe('ok');
    expect(outcome.warnings).toEqual([
      expect.stringMatching(/left 1 process running after it exited: pid \d+ \(/),
    ]);
    const children = recorded();
    expect(children).not.toEqual([]);
    for (const pid of children) expect(isGone(pid)).toBe(true);
  });

  it('a child that scrubbed its environment but stayed in the group is stopped with it', async () => {
    // The run token cannot find it; the group, still the command's own, reaches it.
    const outcome = await runCommand(
      spec(`env -i /bin/sleep 30 & touch "$DIR/child-$!.pid"`, {
        env: { ...process.env, DIR: dir },
      }),
    );
    expect(outcome.state).toBe('ok');
    const children = recorded();
    expect(children).not.toEqual([]);
    for (const pid of children) expect(isGone(pid)).toBe(true);
  });

  it('a daemon that scrubbed its environment cannot be named, but does not hold the command either', async () => {
    // Handshake: the command exits only once the daemon has recorded its PID and said so.
    const scrubbed = `(setsid env -i /bin/sh -c 'touch "${dir}/scrubbed-$$.pid"; touch "${dir}/ready"; exec /bin/sleep 30' &)`;
    const waitForIt = `while [ ! -e "${dir}/ready" ]; do sleep 0.01; done`;
    const outcome = await runCommand(spec(`${scrubbed}; ${waitForIt}`));
    expect(outcome).toEqual({ state: 'ok', warnings: [] });
    // Returned while the daemon, which still holds the output pipes, is alive (afterEach kills it).
    expect(existsSync(join(dir, 'ready'))).toBe(true);
    const daemons = recorded();
    expect(daemons).not.toEqual([]);
    for (const pid of daemons) expect(isGone(pid)).toBe(false);
  });

  it('on its time limit stops the whole tree, not just the shell, and names the setting', async () => {
    // The limit is long enough for the shell to start its child and record it on a loaded machine.
    const outcome = await runCommand(
      spec(`sleep 30 & touch "$DIR/child-$!.pid"; wait`, {
        env: { ...process.env, DIR: dir },
        timeoutMs: 5_000,
      }),
    );
    expect(outcome.state).toBe('failed');
    const error = outcome.state === 'failed' ? outcome.error : '';
    expect(error).toContain('did not finish within 5 s (setupTimeoutSeconds), so it was stopped');
    expect(error).toContain('raise setupTimeoutSeconds on the benchmark in perf-gate.yml');
    const children = recorded();
    expect(children).not.toEqual([]);
    for (const pid of children) expect(isGone(pid)).toBe(true);
  });

  it('an aborted run (an interrupted gate) stops the whole tree and says so, not "out of memory"', async () => {
    const interrupt = new AbortController();
    // Handshake: the child's PID is recorded before "started", which triggers the abort.
    const outcome = await runCommand(
      spec(`sleep 30 & touch "$DIR/child-$!.pid"; echo started; wait`, {
        env: { ...process.env, DIR: dir },
        signal: interrupt.signal,
        log: (line) => {
          if (line === 'started') interrupt.abort(new Error('interrupted by SIGINT'));
        },
      }),
    );
    expect(outcome.state === 'failed' && outcome.error).toMatch(
      /^the head setup command ".*" was stopped: interrupted by SIGINT$/,
    );
    const children = recorded();
    expect(children).not.toEqual([]);
    for (const pid of children) expect(isGone(pid)).toBe(true);
  });

  it('keeps only the tail of output far over 64 MB, and says the output was long', async () => {
    let logged = 0;
    // 70 000 lines of 1000 characters: 70 MB, past execFile's old 64 MB maxBuffer.
    const command = `line=$(printf '%01000d' 0); i=0; while [ $i -lt 70 ]; do yes "$line" | head -n 1000; i=$((i+1)); done; echo last line; exit 3`;
    const outcome = await runCommand(spec(command, { log: () => void logged++ }));
    expect(logged).toBe(70_001);
    expect(outcome.state).toBe('failed');
    const error = outcome.state === 'failed' ? outcome.error : '';
    expect(error).toContain(': it exited with code 3. Its output below usually says why.');
    expect(error).toMatch(
      /Its output was long \(70001 lines, 66\.8 MB, all logged above\); the last 20 lines:/,
    );
    expect(error.trimEnd().endsWith('| last line')).toBe(true);
    expect(error.length).toBeLessThan(30_000);
  });
});

describe('runCommand: failures say what happened and what to do', () => {
  const OOM_HINT =
    "SIGKILL from outside the process is often the kernel's out-of-memory killer: check dmesg and free memory, or a container memory limit.";

  it('exit 137 under sh -c gets the out-of-memory hint', async () => {
    // `; exit $?` keeps the outer shell from exec'ing the inner one: it must report the 137 itself.
    const outcome = await runCommand(spec(`sh -c 'kill -KILL $$'; exit $?`));
    expect(outcome.state === 'failed' && outcome.error).toContain(
      `: it exited with code 137 (the shell's code for a program killed by SIGKILL). ${OOM_HINT}`,
    );
  });

  it('a program killed by SIGKILL, run without a shell, gets it too', async () => {
    const outcome = await runCommand(spec(['sh', '-c', 'kill -KILL $$']));
    expect(outcome.state === 'failed' && outcome.error).toContain(
      `: it was killed by SIGKILL. ${OOM_HINT}`,
    );
  });

  it('a crash under sh -c (exit 139) is named as SIGSEGV in native code', async () => {
    const outcome = await runCommand(spec(`sh -c 'kill -SEGV $$'; exit $?`));
    expect(outcome.state === 'failed' && outcome.error).toContain(
      "it exited with code 139 (the shell's code for a program killed by SIGSEGV). SIGSEGV is a crash in native code",
    );
  });

  it('a command the shell cannot find: exit 127 with the fix', async () => {
    const outcome = await runCommand(spec('no-such-program-here --flag'));
    expect(outcome.state === 'failed' && outcome.error).toContain(
      'it exited with code 127. The shell could not find a program in it: install it or fix PATH.',
    );
  });

  it('any other exit code: the output is quoted and said to explain it', async () => {
    const outcome = await runCommand(spec('echo "pip: no matching distribution" >&2; exit 1'));
    expect(outcome.state === 'failed' && outcome.error).toContain(
      'it exited with code 1. Its output below usually says why.\nIts output:\n  | pip: no matching distribution',
    );
  });

  it('a program that does not exist, run without a shell', async () => {
    const outcome = await runCommand(spec(['no-such-program-here']));
    expect(outcome.state === 'failed' && outcome.error).toMatch(
      /cannot start in .*ENOENT.*Install the program, make sure it is on PATH/,
    );
  });

  it('a working directory that does not exist', async () => {
    const outcome = await runCommand(spec('true', { cwd: join(dir, 'missing') }));
    expect(outcome.state === 'failed' && outcome.error).toContain(
      `its working directory ${join(dir, 'missing')} does not exist`,
    );
  });
});
