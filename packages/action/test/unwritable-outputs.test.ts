import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GateResults } from '@vggt-perf-gate/runner';
import { describe, expect, it } from 'vitest';
import { bundledActionPerTest } from './bundled-action.js';
import { gitRepository, samplesConfig } from './git-repository.js';

/**
 * Files that cannot be written after measuring, though they could be before
 * (the checks passed): the disk filled up, a directory went away. Nothing
 * measured may be lost, and the step must say what happened in one line each.
 */

const action = bundledActionPerTest();

/**
 * A harness that breaks the action's outputs while it measures: paths in
 * TEST_FILL_UP become links to /dev/full (every write there fails with
 * ENOSPC, as on a full disk), and TEST_TURN_TO_FILE, a directory, becomes a
 * file. Base and head both run it, so each step tolerates the other side
 * having done it first.
 */
const BREAKING_BENCH = `import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
for (const path of (process.env.TEST_FILL_UP ?? '').split(',').filter(Boolean)) {
  try { rmSync(path, { force: true }); symlinkSync('/dev/full', path); } catch {}
}
const dir = process.env.TEST_TURN_TO_FILE;
if (dir) try { rmSync(dir, { recursive: true, force: true }); writeFileSync(dir, ''); } catch {}
writeFileSync(process.env.PERF_GATE_SAMPLES_OUTPUT, JSON.stringify({ version: 1, samples: [10, 10.1, 9.9, 10.05, 9.95] }));
`;

describe.skipIf(!existsSync('/dev/full'))('after measuring', () => {
  it('results and reports that cannot be written: the table in the log, the results in a temp file, the summary and the comment still there', async () => {
    const repo = gitRepository({ 'bench.mjs': BREAKING_BENCH, 'perf-gate.yml': samplesConfig() });
    const [report, html] = [join(repo, 'perf-gate-report.md'), join(repo, 'perf-gate-report.html')];
    const run = await action.run({
      workspace: repo,
      inputs: { 'base-ref': 'HEAD~1', 'results-path': 'out/results.json' },
      env: { TEST_TURN_TO_FILE: join(repo, 'out'), TEST_FILL_UP: `${report},${html}` },
    });
    const fallback = run.outputs['results-path'] ?? '';
    try {
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toMatch(/^harness\s+latency\s+10\.0 ms/m);
      expect(fallback.startsWith(tmpdir())).toBe(true);
      // Paths as the inputs gave them, relative to working-directory, as the checks before measuring say them.
      expect(run.stdout).toContain(
        `::error::cannot write the results to out/results.json: out is a file, not a directory (ENOTDIR); saved them to ${fallback} instead (output "results-path" names it: upload it from there).`,
      );
      // The bin is in @vggt-perf-gate/runner: no package is named vggt-perf-gate.
      expect(run.stdout).toContain(
        `%0Acannot write the Markdown report to perf-gate-report.md: the disk holding ${repo} is full (no space left, ENOSPC). Free some space there, or choose a path on another disk. The job summary and the PR comment still have the report. To render it again once fixed: npx -p @vggt-perf-gate/runner vggt-perf-gate report --results ${fallback} --format markdown --out perf-gate-report.md`,
      );
      expect(run.stdout).toContain(
        '%0Acannot write the HTML report to perf-gate-report.html: the disk holding',
      );
      expect(run.stdout).not.toMatch(/^\s+at /m);
      const results = JSON.parse(readFileSync(fallback, 'utf8')) as GateResults;
      expect(results.status).toBe('complete');
      expect(results.benchmarks.map((b) => b.name)).toEqual(['harness']);
      expect(run.outputs.verdict).toBe('pass');
      expect(run.outputs['report-path']).toBe('');
      expect(run.summary).toContain('| harness | latency |');
      expect(action.github.commentsOn(42)[0]?.body).toContain('No performance regression');
    } finally {
      if (fallback) rmSync(fallback, { force: true });
    }
  });
});
