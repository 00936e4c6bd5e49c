import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledActionPerTest } from './bundled-action.js';
import { gitRepository } from './git-repository.js';
import type { ActionRun } from './run-action.js';

/**
 * What the action checks before it measures (the config, the benchmark
 * filter, every output path), and before it fetches the base: the pull
 * request fixture's base is in no test repository, so a run that got as far
 * as the fetch would fail there instead.
 */

const action = bundledActionPerTest();

const CONFIG = `version: 1
benchmarks:
  - name: harness
    metrics: [latency]
    workload: { kind: samples, command: [node, bench.mjs], output: samples.json }
`;

/** The config with two mistakes, on lines 4 and 5. */
const BROKEN_CONFIG = `version: 1
benchmarks:
  - name: harness
    metrics: [latncy]
    workload: { kind: samples, command: [node, bench.mjs], outptu: samples.json }
`;

function gate(repo: string, inputs: Record<string, string>, workspace = repo): Promise<ActionRun> {
  return action.run({ workspace, inputs: { comment: 'never', ...inputs } });
}

/** Whether the run got as far as fetching the base or measuring. */
function wentOn(run: ActionRun): boolean {
  return /could not be fetched|::group::Measuring|checked out/.test(run.stdout);
}

describe('a broken config', () => {
  it('fails before the base is fetched, each problem an annotation at its line', async () => {
    const repo = gitRepository({ 'perf-gate.yml': BROKEN_CONFIG });
    const run = await gate(repo, {});
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      '::error title=perf gate config%3A benchmarks[0].metrics[0],file=perf-gate.yml,line=4,col=15::unknown value "latncy"; expected one of latency, memory, throughput (did you mean "latency"?)',
    );
    expect(run.stdout).toMatch(
      /::error title=perf gate config%3A benchmarks\[0\]\.workload\.outptu,file=perf-gate.yml,line=5,col=\d+::unknown key "outptu"/,
    );
    expect(wentOn(run)).toBe(false);
  });

  it('names the file relative to the workspace when working-directory is a subdirectory', async () => {
    const repo = gitRepository({ 'perf-gate.yml': BROKEN_CONFIG });
    const run = await gate(repo, { 'working-directory': basename(repo) }, dirname(repo));
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`file=${basename(repo)}/perf-gate.yml,line=4,col=15::`);
  });

  it('a config under a directory whose name starts with two dots is inside the repository', async () => {
    const repo = gitRepository({ 'README.md': 'config in ..cache\n' });
    mkdirSync(join(repo, '..cache'));
    writeFileSync(join(repo, '..cache', 'perf-gate.yml'), BROKEN_CONFIG);
    const run = await gate(repo, { config: '..cache/perf-gate.yml' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('file=..cache/perf-gate.yml,line=4,col=15::');
  });

  it('a missing config is annotated too, at the top of the file it looked for', async () => {
    const repo = gitRepository({ 'README.md': 'no config here\n' });
    const run = await gate(repo, { config: 'ci/perf-gate.yml' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(
      /::error title=perf gate config,file=ci\/perf-gate.yml,line=1,col=1::config file not found/,
    );
    expect(wentOn(run)).toBe(false);
  });
});

describe('the benchmarks input', () => {
  it('a name the config does not have fails the step, listing the known ones', async () => {
    const repo = gitRepository({ 'perf-gate.yml': CONFIG });
    const run = await gate(repo, { benchmarks: 'nope' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      `::error::input "benchmarks" names a benchmark the config does not have: "nope". The config's benchmarks: harness. Fix the name in input "benchmarks", or leave input "benchmarks" out to measure every benchmark.`,
    );
    expect(action.github.requests).toHaveLength(0);
    expect(wentOn(run)).toBe(false);
  });

  it('an unknown name among known ones fails too, with a did-you-mean', async () => {
    const repo = gitRepository({ 'perf-gate.yml': CONFIG });
    const run = await gate(repo, { benchmarks: 'harness\nharnes' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('"harnes" (did you mean "harness"?)');
    expect(wentOn(run)).toBe(false);
  });
});

describe('output paths', () => {
  it('results-path under a file fails naming the input, the reason and the fix', async () => {
    const repo = gitRepository({ 'perf-gate.yml': CONFIG });
    const run = await gate(repo, { 'results-path': 'perf-gate.yml/x.json' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      '::error::cannot write input "results-path" perf-gate.yml/x.json: perf-gate.yml is a file, not a directory (ENOTDIR). Choose a path whose parent is a directory, or move perf-gate.yml away. (Checked before measuring: nothing was run.)',
    );
    expect(wentOn(run)).toBe(false);
  });

  it('report-path that is a directory fails naming the input', async () => {
    const repo = gitRepository({ 'perf-gate.yml': CONFIG });
    mkdirSync(`${repo}/reports`);
    const run = await gate(repo, { 'report-path': 'reports' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      '::error::cannot write input "report-path" reports: it is a directory (EISDIR)',
    );
    expect(wentOn(run)).toBe(false);
  });

  it('the HTML report derived from report-path is checked as well', async () => {
    const repo = gitRepository({ 'perf-gate.yml': CONFIG });
    mkdirSync(`${repo}/report.html`);
    const run = await gate(repo, { 'report-path': 'report.md' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      '::error::cannot write input "report-path" (its HTML report) report.html: it is a directory (EISDIR)',
    );
    expect(wentOn(run)).toBe(false);
  });

  it('results-path and report-path on one file fail naming both inputs', async () => {
    const repo = gitRepository({ 'perf-gate.yml': CONFIG });
    const run = await gate(repo, { 'results-path': 'out.md', 'report-path': 'out.md' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      '::error::cannot write input "report-path" out.md: it is the same file as input "results-path" out.md, so one would overwrite the other. Give input "report-path" and input "results-path" different paths. (Checked before measuring: nothing was run.)',
    );
    expect(wentOn(run)).toBe(false);
  });

  it('results-path on the HTML report that report-path implies fails too', async () => {
    const repo = gitRepository({ 'perf-gate.yml': CONFIG });
    const run = await gate(repo, { 'results-path': 'report.html', 'report-path': 'report.md' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      '::error::cannot write input "report-path" (its HTML report) report.html: it is the same file as input "results-path" report.html',
    );
    expect(wentOn(run)).toBe(false);
  });

  it('a merge job checks results-path before it reads the shards', async () => {
    const repo = gitRepository({ 'shard.json': '{}' });
    const run = await gate(repo, { results: 'shard.json', 'results-path': 'shard.json/all.json' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('::error::cannot write input "results-path" shard.json/all.json');
  });
});
