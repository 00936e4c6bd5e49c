import type { BenchmarkResult } from '@vggt-perf-gate/runner';
import { renderMarkdown } from '@vggt-perf-gate/runner';
import { describe, expect, it } from 'vitest';
import {
  COMMENT_LIMIT,
  fitReport,
  fitWithTrend,
  SUMMARY_LIMIT,
  TRUNCATION_NOTE,
} from '../src/fit-report.js';
import { benchmark, gateResults } from './results-fixture.js';

/** A report shaped like renderMarkdown's: headline, table, what ran, legend. */
function report(rows: number, regressedAt: number, nameLength: number): string {
  const name = (i: number) => `bench-${i}-${'x'.repeat(nameLength)}`;
  const table = Array.from({ length: rows }, (_, i) =>
    i === regressedAt
      ? `| ${name(i)} | latency | 10 ms | 11 ms | +10% [+9%, +11%] | 🔴 **regression** |`
      : `| ${name(i)} | latency | 10 ms | 10 ms | +0.1% [-0.2%, +0.3%] | ✅ unchanged |`,
  );
  return [
    '### 🔴 Performance regression: 1 metric',
    '',
    '| benchmark | metric | base | head | change [95% interval] | verdict |',
    '|---|---|---:|---:|---|---|',
    ...table,
    '',
    '<details><summary>What ran</summary>',
    '',
    ...Array.from({ length: rows }, (_, i) => `- **${name(i)}**: bf16 on cuda:0`),
    '',
    '</details>',
  ].join('\n');
}

describe('fitReport at the size boundary', () => {
  it('always fits and always keeps the regressed benchmark, whatever the sizes', () => {
    let seed = 20261123;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let trial = 0; trial < 3000; trial++) {
      const rows = 5 + Math.floor(random() * 300);
      const regressedAt = Math.floor(random() * rows);
      const markdown = report(rows, regressedAt, Math.floor(random() * 60));
      const limit = 500 + Math.floor(random() * markdown.length);
      const fitted = fitReport(markdown, limit, 'https://example.invalid/run');
      expect(fitted.text.length).toBeLessThanOrEqual(limit);
      if (limit > 1500) expect(fitted.text).toContain(`bench-${regressedAt}-`);
    }
  });

  it('counts bytes for a job summary: emoji take four', () => {
    const markdown = report(400, 399, 10);
    const fitted = fitReport(markdown, 20_000, 'https://example.invalid/run', 0, 'bytes');
    expect(Buffer.byteLength(fitted.text, 'utf8')).toBeLessThanOrEqual(20_000);
    expect(fitted.text).toContain('bench-399-');
    expect(fitted.text).toContain("GitHub's limit of 20,000 bytes");
  });
});

/** A benchmark that failed to measure, with `error` as its message. */
function failed(name: string, error: string): BenchmarkResult {
  return { ...benchmark(name), status: 'failed', error, metrics: [] };
}

/** The report's table rows, one per metric or failed benchmark. */
const tableRows = (text: string) => text.split('\n').filter((l) => /^\| (?!benchmark \|)/.test(l));
/** Cells of a row, counted as GitHub does: `\\x` is one escaped character, never a cell border. */
const cellCount = (row: string) => row.replace(/\\./g, '').split('|').length;
/** The comment with the marker and footer room the action keeps. */
const fitComment = (markdown: string) =>
  fitReport(markdown, COMMENT_LIMIT, 'https://example.invalid/run', 400);

describe('one huge error in the table', () => {
  const results = () =>
    gateResults([
      benchmark('vggt-forward-10f'),
      failed('vggt-forward-20f', `CUDA error: out of memory\n${'Traceback line\n'.repeat(7_000)}`),
      benchmark('vggt-forward-40f', 1.08),
      benchmark('vggt-backward-10f'),
    ]);

  it('is shortened with a note; every benchmark keeps its row and verdict', () => {
    const markdown = renderMarkdown(results());
    expect(markdown.length).toBeGreaterThan(100_000);
    const fitted = fitComment(markdown);
    expect(fitted.text.length).toBeLessThanOrEqual(COMMENT_LIMIT - 400);
    expect(fitted.droppedBenchmarks).toBe(0);
    expect(fitted.truncatedCells).toBe(1);
    const rows = tableRows(fitted.text);
    expect(rows.filter((r) => r.startsWith('| vggt-forward-10f | latency |'))).toHaveLength(1);
    expect(rows.filter((r) => r.includes('✅ unchanged'))).toHaveLength(5);
    expect(rows.filter((r) => r.includes('🔴 **regression**'))).toEqual([
      expect.stringMatching(/^\| vggt-forward-40f \| latency \|/),
    ]);
    const failedRow = rows.find((r) => r.startsWith('| vggt-forward-20f |')) ?? '';
    expect(failedRow).toMatch(/\| 💥 failed: CUDA error: out of memory Traceback line /);
    expect(failedRow.endsWith(`${TRUNCATION_NOTE} |`)).toBe(true);
    // As much of the error as fits is kept, not a token excerpt.
    expect(failedRow.length).toBeGreaterThan(50_000);
  });

  it('two of them share the room, and neither costs another benchmark its row', () => {
    const markdown = renderMarkdown(
      gateResults([
        failed('a', 'x'.repeat(100_000)),
        benchmark('b', 1.08),
        failed('c', 'y'.repeat(100_000)),
      ]),
    );
    const fitted = fitComment(markdown);
    expect(fitted.text.length).toBeLessThanOrEqual(COMMENT_LIMIT - 400);
    expect(fitted.droppedBenchmarks).toBe(0);
    expect(fitted.truncatedCells).toBe(2);
    const rows = tableRows(fitted.text);
    expect(rows.map((r) => r.split(' ')[1])).toEqual(['a', 'b', '', 'c']);
  });

  it('never cuts through an escape, an entity or an emoji, whatever the cut point', () => {
    // The error's text escaped by the report: `\|`, `\\`, `&lt;`, `&gt;`, and 4-byte emoji.
    const error = '|\\<a>🔥 '.repeat(20_000);
    const markdown = renderMarkdown(gateResults([failed('wide', error), benchmark('b')]));
    const header = tableRows(markdown)[1] ?? '';
    for (let limit = 20_000; limit < 20_040; limit++) {
      for (const unit of ['characters', 'bytes'] as const) {
        const fitted = fitReport(markdown, limit, 'https://example.invalid/run', 0, unit);
        const size = unit === 'bytes' ? Buffer.byteLength(fitted.text) : fitted.text.length;
        expect(size).toBeLessThanOrEqual(limit);
        const [wide, b] = tableRows(fitted.text);
        expect(cellCount(wide ?? '')).toBe(cellCount(header));
        expect(b).toMatch(/^\| b \| latency \|/);
        const kept = (wide ?? '').slice(0, -TRUNCATION_NOTE.length - 2);
        expect(kept).not.toMatch(/&[lg]?t?$/);
        // A lone half of a surrogate pair does not survive a round trip through UTF-8.
        expect(Buffer.from(kept, 'utf8').toString('utf8')).toBe(kept);
      }
    }
  });

  it('a huge warning is shortened too, the table left whole', () => {
    const results = gateResults([benchmark('a'), benchmark('b', 1.08)]);
    results.warnings.push(`worker stderr: ${'noise '.repeat(30_000)}`);
    const fitted = fitComment(renderMarkdown(results));
    expect(fitted.droppedBenchmarks).toBe(0);
    expect(fitted.truncatedCells).toBe(1);
    expect(fitted.text).toMatch(
      /^- ⚠️ worker stderr: (noise )+[a-z]*… \(truncated, full text in the job summary \/ results file\)$/m,
    );
    expect(tableRows(fitted.text)).toHaveLength(4);
  });

  it('in the job summary, counted in bytes', () => {
    const markdown = renderMarkdown(
      gateResults([failed('a', '🔥'.repeat(400_000)), benchmark('b')]),
    );
    const fitted = fitReport(markdown, SUMMARY_LIMIT, 'https://example.invalid/run', 0, 'bytes');
    expect(Buffer.byteLength(fitted.text)).toBeLessThanOrEqual(SUMMARY_LIMIT);
    expect(fitted.droppedBenchmarks).toBe(0);
    expect(tableRows(fitted.text)).toHaveLength(3);
  });
});

describe('fitWithTrend', () => {
  const report = '### Perf gate\n\n| benchmark | metric |\n|---|---|\n| a | latency |';
  it('puts a trend that fits after the report, whole', () => {
    const trend =
      '<details><summary>Trend</summary>\n\n```mermaid\nxychart-beta\n```\n\n</details>';
    expect(fitWithTrend(report, trend, 65_536, 'https://example.com/run')).toBe(
      `${report}\n\n${trend}`,
    );
  });

  it('leaves out a trend too large for a quarter of the limit, and keeps every row', () => {
    const trend = `<details>\n\n\`\`\`mermaid\n${'line [1, 2]\n'.repeat(3000)}\`\`\`\n\n</details>`;
    const body = fitWithTrend(report, trend, 30_000, 'https://example.com/run');
    expect(body).toContain('| a | latency |');
    expect(body).not.toContain('mermaid');
    expect(body).toContain('The trend on the default branch is left out');
    expect(body.length).toBeLessThanOrEqual(30_000);
  });
});
