import { describe, expect, it } from 'vitest';
import { fitReport } from '../src/fit-report.js';

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
