import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repository, runGateOn } from './fixtures/repository.js';

const repos: Array<{ remove(): void }> = [];
afterEach(() => {
  for (const repo of repos.splice(0)) repo.remove();
});

const config = `version: 1
benchmarks:
  - name: quick
    metrics: [latency]
    threshold: { latency: 0.5 }
    budget: { maxRounds: 4 }
    workload: { kind: samples, command: [${JSON.stringify(process.execPath)}, -e, "require('fs').writeFileSync(process.env.PERF_GATE_SAMPLES_OUTPUT, JSON.stringify({ version: 1, samples: [10, 10.1, 9.9] }))"], output: s.json }
`;

function worktrees(dir: string): string[] {
  const list = spawnSync('git', ['worktree', 'list', '--porcelain'], {
    cwd: dir,
    encoding: 'utf8',
  });
  return list.stdout.split('\n').filter((l) => l.startsWith('worktree '));
}

describe('base worktrees an interrupted run left behind', () => {
  it('are removed at the next start, and one that cannot be deleted is a warning, never a lost run', async () => {
    const repo = repository();
    repos.push(repo);
    repo.commit({ 'a.txt': 'a' }, 'base');
    repo.commit({ 'a.txt': 'b' }, 'head');
    // Two worktrees as a killed run leaves them: one that can be deleted, and one
    // whose directory cannot be (its parent has become a file: ENOTDIR, even as root).
    const place = mkdtempSync(join(tmpdir(), 'perf-gate-left-'));
    const deletable = join(place, 'perf-gate-base-left1');
    const stuckParent = join(place, 'gone');
    mkdirSync(stuckParent);
    const stuck = join(stuckParent, 'perf-gate-base-left2');
    for (const dir of [deletable, stuck])
      spawnSync('git', ['worktree', 'add', '--detach', dir, 'HEAD~1'], { cwd: repo.dir });
    rmSync(stuckParent, { recursive: true, force: true });
    writeFileSync(stuckParent, 'a file where the directory was');
    expect(worktrees(repo.dir)).toHaveLength(3);

    const lines: string[] = [];
    const results = await runGateOn(repo.dir, config, (line) => lines.push(line));
    expect(results.status).toBe('complete');
    expect(results.benchmarks).toHaveLength(1);
    expect(lines.join('\n')).toContain(
      'removed 2 base worktree(s) an earlier, interrupted run left',
    );
    expect(results.warnings.join('\n')).toMatch(
      new RegExp(
        `could not delete the base worktree ${stuck} \\(.*ENOTDIR.*\\); delete it by hand`,
      ),
    );
    expect(worktrees(repo.dir)).toHaveLength(1);
    rmSync(place, { recursive: true, force: true });
  });
});
