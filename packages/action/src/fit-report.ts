/**
 * Fitting a Markdown report into a size limit: GitHub rejects a comment over
 * 65,536 characters and a job summary over 1 MiB. Less important parts go
 * first (what ran, then long warning lists), then whole benchmarks from the
 * table, regressions and failures kept before the rest, and a line says what
 * was left out and links to where the full report is.
 */

/** GitHub's limit on an issue comment's body, in characters. */
export const COMMENT_LIMIT = 65_536;
/** GitHub's limit on one step's job summary: 1 MiB, in bytes (the report's emoji take 4). */
export const SUMMARY_LIMIT = 1024 * 1024;
/** Warnings kept when the list has to shrink. */
const WARNINGS_KEPT = 10;

export interface Fitted {
  text: string;
  /** Benchmarks dropped from the table. */
  droppedBenchmarks: number;
  /** True when anything at all was left out. */
  shortened: boolean;
}

/**
 * `reserve`: characters the caller adds around the report (a marker, a
 * footer), so the report itself must fit in `limit - reserve`.
 */
export function fitReport(
  markdown: string,
  githubLimit: number,
  fullReportLink: string,
  reserve = 0,
  unit: 'characters' | 'bytes' = 'characters',
): Fitted {
  // How GitHub counts: characters for a comment, bytes (UTF-8) for a job summary.
  const size =
    unit === 'bytes'
      ? (text: string) => Buffer.byteLength(text, 'utf8')
      : (text: string) => text.length;
  const limit = githubLimit - reserve;
  if (size(markdown) <= limit) return { text: markdown, droppedBenchmarks: 0, shortened: false };
  const note = (what: string) =>
    `\n_${what} left out to fit GitHub's limit of ${githubLimit.toLocaleString('en-US')} ${unit}: the full report is in the [job summary and the results artifact](${fullReportLink})._\n`;
  let lines = markdown.split('\n');
  lines = dropBlock(lines, '<details><summary>What ran</summary>');
  lines = shortenWarnings(lines);
  const pruned = lines.join('\n') + note('Details');
  if (size(pruned) <= limit) return { text: pruned, droppedBenchmarks: 0, shortened: true };

  const table = tableBounds(lines);
  if (table) {
    const groups = benchmarkGroups(lines.slice(table.start, table.end));
    // Regressions and failures are what a reviewer must see.
    const urgent = (g: string[]) => g.some((l) => /regression|failed/.test(l));
    const ordered = [...groups.filter(urgent), ...groups.filter((g) => !urgent(g))];
    const before = lines.slice(0, table.start);
    const after = lines.slice(table.end);
    // One wording for the check and the result: a longer final note must not push it over.
    const tailFor = (dropped: number) =>
      note(dropped > 0 ? `${dropped} benchmark(s) of ${groups.length}` : 'Details');
    const kept: string[][] = [];
    for (const group of ordered) {
      const candidate = [...before, ...kept.flat(), ...group, ...after].join('\n');
      if (size(candidate + tailFor(groups.length - kept.length - 1)) > limit) break;
      kept.push(group);
    }
    const dropped = groups.length - kept.length;
    const text = [...before, ...kept.flat(), ...after].join('\n') + tailFor(dropped);
    if (size(text) <= limit) return { text, droppedBenchmarks: dropped, shortened: true };
  }
  // Still too long (one enormous row, say): cut at a line boundary.
  const tail = note('The rest of the report');
  let cut = markdown.slice(0, limit - size(tail));
  while (size(cut) + size(tail) > limit) cut = cut.slice(0, Math.floor(cut.length * 0.95));
  const text = cut.slice(0, Math.max(0, cut.lastIndexOf('\n'))) + tail;
  return { text, droppedBenchmarks: 0, shortened: true };
}

/** Removes a `<details>` block that starts with `opening`, through its `</details>`. */
function dropBlock(lines: string[], opening: string): string[] {
  const start = lines.indexOf(opening);
  if (start === -1) return lines;
  const end = lines.indexOf('</details>', start);
  return end === -1 ? lines : [...lines.slice(0, start), ...lines.slice(end + 1)];
}

function shortenWarnings(lines: string[]): string[] {
  const items = lines.flatMap((l, i) => (l.startsWith('- ⚠️ ') ? [i] : []));
  if (items.length <= WARNINGS_KEPT) return lines;
  const last = items[items.length - 1] as number;
  const firstDropped = items[WARNINGS_KEPT] as number;
  return [
    ...lines.slice(0, firstDropped),
    `- … and ${items.length - WARNINGS_KEPT} more warnings`,
    ...lines.slice(last + 1),
  ];
}

/** The body rows of the first Markdown table (after its `|---|` line). */
function tableBounds(lines: string[]): { start: number; end: number } | null {
  const separator = lines.findIndex((l) => /^\|(-|:|\|)+\|$/.test(l.replace(/\s/g, '')));
  if (separator === -1) return null;
  let end = separator + 1;
  while (end < lines.length && lines[end]?.startsWith('|')) end++;
  return { start: separator + 1, end };
}

/** Rows grouped per benchmark: a row with a name in its first cell starts a group. */
function benchmarkGroups(rows: string[]): string[][] {
  const groups: string[][] = [];
  for (const row of rows) {
    const firstCell = row.split('|')[1]?.trim() ?? '';
    if (firstCell !== '' || groups.length === 0) groups.push([row]);
    else groups[groups.length - 1]?.push(row);
  }
  return groups;
}
