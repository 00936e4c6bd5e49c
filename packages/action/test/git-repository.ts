import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway git repository: `base` files in the first commit, `head` files
 * (possibly none) in a second one on top.
 */
export function gitRepository(
  base: Record<string, string | Uint8Array>,
  head: Record<string, string | Uint8Array> = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'perf-gate-action-repo-'));
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  };
  const write = (files: Record<string, string | Uint8Array>) => {
    for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content);
  };
  write(base);
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'a@example.com');
  git('config', 'user.name', 'a');
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  write(head);
  git('add', '.');
  git('commit', '-q', '--allow-empty', '-m', 'head');
  return dir;
}

/**
 * A perf-gate.yml with one benchmark, `harness`: the latency of `node
 * bench.mjs`, a samples harness, against a threshold of 5% in at most 6
 * rounds or 60 s; `setup`, if given, is its setup command.
 */
export function samplesConfig(setup?: string): string {
  return `version: 1
benchmarks:
  - name: harness
    metrics: [latency]
    threshold: { latency: 0.05 }
    budget: { maxSeconds: 60, maxRounds: 6 }
${setup === undefined ? '' : `    setup: ${JSON.stringify(setup)}\n`}    workload: { kind: samples, command: [${JSON.stringify(process.execPath)}, bench.mjs], output: samples.json }
`;
}
