import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeReports } from '../src/report/write-reports.js';
import { writeResults } from '../src/results/io.js';
import type { OutputTarget } from '../src/results/output-paths.js';
import type { GateResults } from '../src/results/types.js';
import { ResultsNotSavedError } from '../src/results/unsaved.js';
import { noGpuResults } from './fixtures/results.js';

/**
 * The files written after measuring, as the CLI and the Action write them:
 * real files in a temporary directory, and real OS errors (a path under a
 * file, a temp directory that is a file).
 */
const RESULTS: GateResults = noGpuResults();

let dir: string;
const logged: string[] = [];
const log = (text: string) => logged.push(text);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'perf-gate-write-reports-'));
  logged.length = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function targets(names: { results?: string; markdown?: string; html?: string }): OutputTarget[] {
  const all: OutputTarget[] = [];
  if (names.results) all.push({ path: names.results, setBy: '--results', format: 'results' });
  if (names.markdown) all.push({ path: names.markdown, setBy: '--markdown', format: 'markdown' });
  if (names.html) all.push({ path: names.html, setBy: '--html', format: 'html' });
  return all;
}

/** runGate's error for a results file whose directory turned into a file. */
async function unsavedUnder(file: string): Promise<ResultsNotSavedError> {
  await writeFile(file, '');
  const path = join(file, 'results.json');
  const cause = await writeResults(path, RESULTS).catch((caught: unknown) => caught);
  return new ResultsNotSavedError(path, RESULTS, cause);
}

describe('writeReports', () => {
  it('writes each report where asked, leaves the results file to runGate, and says where all are', async () => {
    const [results, markdown, html] = ['r.json', 'r.md', 'r.html'].map((n) => join(dir, 'out', n));
    const written = await writeReports(RESULTS, targets({ results, markdown, html }), log, {
      markdown: 'the report, rendered once',
    });
    expect(written).toEqual({
      results,
      resultsFellBack: false,
      markdown,
      html,
      problems: [],
    });
    expect(await readFile(markdown as string, 'utf8')).toBe('the report, rendered once\n');
    expect(await readFile(html as string, 'utf8')).toContain('<!doctype html>');
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['r.html', 'r.md']);
    expect(logged).toEqual([]);
  });

  it('a report that cannot be written is one line: why, the fix, and the command that renders it again', async () => {
    await writeFile(join(dir, 'file'), '');
    const markdown = join(dir, 'file', 'r.md');
    const written = await writeReports(RESULTS, targets({ results: 'r.json', markdown }), log);
    expect(written.markdown).toBeNull();
    expect(written.problems).toEqual([
      `cannot write the Markdown report to ${markdown}: ${join(dir, 'file')} is a file, not a directory (ENOTDIR). Choose a path whose parent is a directory, or move ${join(dir, 'file')} away. To render it again once fixed: vggt-perf-gate report --results r.json --format markdown --out ${markdown}`,
    ]);
  });

  it("the caller's words: how to start the CLI, and where the report is meanwhile", async () => {
    await writeFile(join(dir, 'file'), '');
    const html = join(dir, 'file', 'r.html');
    const written = await writeReports(RESULTS, targets({ results: 'r.json', html }), log, {
      cli: 'npx -p @vggt-perf-gate/runner vggt-perf-gate',
      reportNote: 'The job summary still has the report.',
    });
    expect(written.problems[0]).toMatch(
      /^cannot write the HTML report to .*\. The job summary still has the report\. To render it again once fixed: npx -p @vggt-perf-gate\/runner vggt-perf-gate report --results r\.json --format html --out /,
    );
  });

  it('results runGate could not save go to a new file in the temp directory, and the reports point there', async () => {
    const unsaved = await unsavedUnder(join(dir, 'out'));
    await writeFile(join(dir, 'taken'), '');
    const markdown = join(dir, 'taken', 'r.md');
    const written = await writeReports(RESULTS, targets({ results: unsaved.path, markdown }), log, {
      unsaved,
    });
    const fallback = written.results ?? '';
    try {
      expect(written.resultsFellBack).toBe(true);
      expect(fallback.startsWith(tmpdir())).toBe(true);
      expect(JSON.parse(await readFile(fallback, 'utf8'))).toEqual(RESULTS);
      expect(written.problems).toHaveLength(2);
      expect(written.problems[0]).toBe(
        `cannot write the results to ${unsaved.path}: ${join(dir, 'out')} is a file, not a directory (ENOTDIR); saved them to ${fallback} instead (copy that file where you need it). Choose a path whose parent is a directory, or move ${join(dir, 'out')} away.`,
      );
      expect(written.problems[1]).toContain(`report --results ${fallback} --format markdown`);
      expect(logged).toEqual([]);
    } finally {
      await rm(fallback, { force: true });
    }
  });

  it('results no file can hold go to the log as JSON, and no report claims a results file', async () => {
    const unsaved = await unsavedUnder(join(dir, 'out'));
    await writeFile(join(dir, 'taken'), '');
    const markdown = join(dir, 'taken', 'r.md');
    // os.tmpdir() reads TMPDIR on each call: a file there leaves the fallback nowhere to go.
    const tmp = process.env.TMPDIR;
    process.env.TMPDIR = join(dir, 'out');
    let written: Awaited<ReturnType<typeof writeReports>>;
    try {
      written = await writeReports(RESULTS, targets({ results: unsaved.path, markdown }), log, {
        unsaved,
      });
    } finally {
      if (tmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmp;
    }
    expect(written.results).toBeNull();
    expect(written.resultsFellBack).toBe(false);
    expect(written.problems[0]).toContain(
      'could not save them in the temp directory either, so the results JSON is printed after the table.',
    );
    expect(written.problems[1]).not.toContain('To render it again');
    expect(logged.map((text) => JSON.parse(text))).toEqual([RESULTS]);
  });
});
