import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GateResults } from '@vggt-perf-gate/runner';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundledActionPerTest } from './bundled-action.js';
import { gitRepository, samplesConfig } from './git-repository.js';

/**
 * A benchmark's setup command that starts a daemon (`setsid sleep 30 &`):
 * the daemon leaves the setup's process tree and keeps the pipes the gate
 * reads open. The bundled Action must still end its step, report the daemon
 * in the results and the PR comment, and stop it.
 */

/** A samples harness, the same on both sides: an A/A gate that passes. */
const BENCH = `import { writeFileSync } from 'node:fs';
const samples = Array.from({ length: 9 }, (_, i) => 10 + (i % 3) * 0.05);
writeFileSync(process.env.PERF_GATE_SAMPLES_OUTPUT, JSON.stringify({ version: 1, samples }));
`;

const action = bundledActionPerTest();
/** Where each side's setup records its daemon's PID, as `daemon-<pid>.pid`. */
let marks: string;

beforeEach(() => {
  marks = mkdtempSync(join(tmpdir(), 'perf-gate-action-marks-'));
});

afterEach(() => {
  for (const pid of recorded()) if (!isGone(pid)) process.kill(pid, 'SIGKILL');
  rmSync(marks, { recursive: true, force: true });
});

/** The PIDs the setups recorded. */
function recorded(): number[] {
  return readdirSync(marks)
    .map((name) => /^daemon-(\d+)\.pid$/.exec(name)?.[1])
    .filter((pid): pid is string => pid !== undefined)
    .map(Number);
}

/** True once the process is gone or a zombie (dead, not yet reaped by init). */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

describe('a setup command that leaves a daemon running, in the bundled Action', () => {
  it('does not hold the step: the daemon is reported in the results and the comment, and stopped', async () => {
    // Handshake: the shell records the daemon's PID ($!, which setsid keeps) before it exits.
    const setup = `setsid sleep 30 & touch "${marks}/daemon-$!.pid"; echo set up`;
    const repo = gitRepository({
      'bench.mjs': BENCH,
      'perf-gate.yml': samplesConfig(setup),
    });
    // Resolves once the action's process has exited and its output closed: the step ended.
    const run = await action.run({ workspace: repo, inputs: { 'base-ref': 'HEAD~1' } });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);

    const results = JSON.parse(
      readFileSync(join(repo, 'perf-gate-results.json'), 'utf8'),
    ) as GateResults;
    const bench = results.benchmarks[0];
    expect(bench?.status).toBe('complete');
    const strays =
      bench?.warnings.filter((w) => / setup command .* left \d+ process/.test(w)) ?? [];
    for (const side of ['base', 'head']) {
      expect(strays).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^the ${side} setup command ".*" left \\d+ process(es)? running after it exited: pid \\d+ \\(.*sleep 30`,
          ),
        ),
      );
    }

    // The PR comment carries the same warnings.
    const body = action.github.commentsOn(42)[0]?.body ?? '';
    expect(body).toContain('**Warnings**');
    expect(body).toMatch(/harness: the base setup command .* left \d+ process(es)? running/);
    expect(body).toMatch(/harness: the head setup command .* left \d+ process(es)? running/);

    // Every daemon is gone: those the setups recorded, and those the warnings name.
    const named = strays.flatMap((w) => [...w.matchAll(/pid (\d+) \(/g)].map((m) => Number(m[1])));
    expect(recorded()).not.toEqual([]);
    for (const pid of [...recorded(), ...named]) expect(isGone(pid)).toBe(true);
  });
});
