import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPath } from '../src/config/describe.js';
import { renderHtml } from '../src/report/html.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { readResults } from '../src/results/io.js';
import { hostileResults, numberPaths, PAYLOADS, PLAIN, withValueAt } from './hostile-results.js';

const VALIDATION_RUNS = new URL('./fixtures/validation-runs/', import.meta.url);
const IMG = '<img src=x onerror=alert(1)>';

/** Writes `data` as JSON (or `text` as it is) to a fresh file and returns its path. */
function resultsFile(data: unknown, text = JSON.stringify(data)): string {
  const path = join(mkdtempSync(join(tmpdir(), 'perf-gate-validate-')), 'results.json');
  writeFileSync(path, text);
  return path;
}

/** The RunnerError readResults throws for `data`. */
async function refusal(data: unknown): Promise<Error & { code?: string }> {
  const path = resultsFile(data);
  const error = await readResults(path).then(
    () => null,
    (e: Error) => e,
  );
  expect(error, 'readResults accepted the file').not.toBeNull();
  expect(error?.message).toContain(`${path} is not a valid results file: `);
  return error as Error & { code?: string };
}

describe('readResults checks every field of a file it did not write', () => {
  it('reads real runs back unchanged', async () => {
    const files = readdirSync(VALIDATION_RUNS).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const path = join(VALIDATION_RUNS.pathname, file);
      await expect(readResults(path)).resolves.toEqual(JSON.parse(readFileSync(path, 'utf8')));
    }
  });

  it('reads a file from before the optional fields existed', async () => {
    const results = hostileResults(PLAIN, { validShas: true });
    const old = structuredClone(results) as unknown as { benchmarks: Record<string, unknown>[] };
    for (const b of old.benchmarks) {
      for (const key of [
        'memory',
        'processes',
        'verdictSeconds',
        'samples',
        'profiles',
        'vramTimeline',
      ])
        delete b[key];
    }
    const read = await readResults(resultsFile(old));
    expect(read.benchmarks[0]?.memory).toEqual({ base: null, head: null });
    expect(read.benchmarks[0]?.processes).toBeUndefined();
    expect(renderHtml(read)).not.toContain('<strong>processes</strong>');
  });

  it('refuses a verdict outside its set, naming the file and the field', async () => {
    const error = await refusal(
      withValueAt(
        hostileResults(PLAIN, { validShas: true }),
        ['benchmarks', 0, 'metrics', 0, 'verdict'],
        '<script>',
      ),
    );
    expect(error.code).toBe('RESULTS_IO');
    expect(error.message).toContain(
      'benchmarks[0].metrics[0].verdict must be one of "regression", "improvement", "unchanged", "inconclusive", "not-measured", not the string "<script>"',
    );
  });

  it('refuses a GPU index that is a string, and one that is not a whole number', async () => {
    const results = hostileResults(PLAIN, { validShas: true });
    const row = ['benchmarks', 0, 'memory', 'base', 0, 'gpuIndex'];
    const asString = await refusal(withValueAt(results, row, IMG));
    expect(asString.message).toContain(
      `benchmarks[0].memory.base[0].gpuIndex must be a number, not the string ${JSON.stringify(IMG)}`,
    );
    const fraction = await refusal(withValueAt(results, row, 0.5));
    expect(fraction.message).toContain('gpuIndex must be a whole number, not 0.5');
  });

  it('refuses every number a file makes a string, naming it', async () => {
    const results = hostileResults(PLAIN, { validShas: true });
    // The version has its own check, and `extra` is free-form (shown as escaped text).
    const typed = numberPaths(results).filter(
      (p) => p[0] !== 'schemaVersion' && !p.includes('extra'),
    );
    for (const path of typed) {
      const error = await refusal(withValueAt(results, path, IMG));
      expect(error.message).toContain(`${formatPath(path)} must be a number`);
    }
  });

  it('refuses every enum outside its set', async () => {
    const results = hostileResults(PLAIN, { validShas: true });
    const enums = [
      ['status'],
      ['verdict'],
      ['device', 'state'],
      ['benchmarks', 0, 'workload'],
      ['benchmarks', 0, 'status'],
      ['benchmarks', 0, 'stopReason'],
      ['benchmarks', 0, 'metrics', 0, 'metric'],
      ['benchmarks', 0, 'metrics', 0, 'unit'],
    ];
    for (const path of enums) {
      const error = await refusal(withValueAt(results, path, IMG));
      expect(error.message).toContain(`${formatPath(path)} must be one of `);
    }
  });

  it('refuses a commit sha that is not hex, and a number JSON reads as Infinity', async () => {
    const results = hostileResults(PLAIN, { validShas: true });
    const sha = await refusal(withValueAt(results, ['commits', 'head', 'sha'], `abc1234"${IMG}`));
    expect(sha.message).toContain('commits.head.sha must be a commit sha (hex digits)');
    const huge = JSON.stringify(results).replace('"seconds":12.5', '"seconds":1e400');
    const path = resultsFile(null, huge);
    await expect(readResults(path)).rejects.toThrow('benchmarks[0].seconds must be a number');
  });

  it('keeps its message on one line, however many problems and whatever the values', async () => {
    const results = hostileResults(PLAIN, { validShas: true });
    let broken: unknown = results;
    for (const path of numberPaths(results).slice(1, 13))
      broken = withValueAt(broken, path, 'line\n::error::injected');
    const error = await refusal(broken);
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(error.message).toMatch(/; and \d+ more\./);
  });

  it.each(PAYLOADS)(
    'reads hostile text (it is only text) and the reports escape it: %j',
    async (payload) => {
      const read = await readResults(resultsFile(hostileResults(payload, { validShas: true })));
      expect(read.benchmarks[0]?.name).toBe(`worker ${payload}`);
      expect(renderHtml(read)).not.toMatch(/<(img|script|iframe|svg onload)/i);
      expect(renderMarkdown(read).replace(/`[^`\n]*`/g, '')).not.toContain(payload);
    },
  );
});
