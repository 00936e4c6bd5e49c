/**
 * Fitting a Markdown report into a size limit: GitHub rejects a comment over
 * 65,536 characters and a job summary over 1 MiB. Less important parts go
 * first (what ran and how it was measured, then long warning lists and over-long warnings), then
 * over-long table cells are shortened (one benchmark's 100 KB error must not
 * cost any other benchmark its row), and only when the rows at a readable
 * size still do not fit, whole benchmarks from the table, regressions and
 * failures kept before the rest. A line says what was left out and links to
 * where the full report is.
 */

/** GitHub's limit on an issue comment's body, in characters. */
export const COMMENT_LIMIT = 65_536;
/** GitHub's limit on one step's job summary: 1 MiB, in bytes (the report's emoji take 4). */
export const SUMMARY_LIMIT = 1024 * 1024;
/** Ends text that was cut to fit: the full text is never only in the comment. */
export const TRUNCATION_NOTE = '… (truncated, full text in the job summary / results file)';
/** Warnings kept when the list has to shrink. */
const WARNINGS_KEPT = 10;
/** The most one warning keeps when the report has to shrink, note included. */
const WARNING_SIZE = 1_000;
/**
 * The least a shortened table cell keeps, note included: enough for the
 * start of an error message. Below it, benchmarks are left out instead.
 */
const MIN_CELL_SIZE = 300;

export interface Fitted {
  text: string;
  /** Benchmarks dropped from the table. */
  droppedBenchmarks: number;
  /** Table cells and warnings shortened, each ending in TRUNCATION_NOTE. */
  truncatedCells: number;
  /** True when anything at all was left out. */
  shortened: boolean;
}

/** How GitHub counts a text's size: characters for a comment, UTF-8 bytes for a job summary. */
type Size = (text: string) => number;

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
  const size: Size =
    unit === 'bytes' ? (text) => Buffer.byteLength(text, 'utf8') : (text) => text.length;
  const limit = githubLimit - reserve;
  if (size(markdown) <= limit)
    return { text: markdown, droppedBenchmarks: 0, truncatedCells: 0, shortened: false };
  const note = (what: string) =>
    `\n_${what} left out to fit GitHub's limit of ${githubLimit.toLocaleString('en-US')} ${unit}: the full report is in the [job summary and the results artifact](${fullReportLink})._\n`;
  let lines = markdown.split('\n');
  lines = dropBlock(lines, '<details><summary>What ran</summary>');
  lines = dropBlock(lines, '<details><summary>How it was measured</summary>');
  const warnings = shortenWarnings(lines, size);
  lines = warnings.lines;
  const fitted = (text: string, droppedBenchmarks: number, truncatedCells: number): Fitted => ({
    text,
    droppedBenchmarks,
    truncatedCells: warnings.truncated + truncatedCells,
    shortened: true,
  });
  const pruned = lines.join('\n') + note('Details');
  if (size(pruned) <= limit) return fitted(pruned, 0, 0);

  const table = tableBounds(lines);
  if (table) {
    const before = lines.slice(0, table.start);
    const after = lines.slice(table.end);
    const compose = (rows: string[], tail: string) =>
      [...before, ...rows, ...after].join('\n') + tail;
    let rows = lines.slice(table.start, table.end);
    let truncated = 0;
    const longest = rows.reduce(
      (most, row) => Math.max(most, ...innerCells(row).map((c) => size(c.trim()))),
      0,
    );
    if (longest > MIN_CELL_SIZE) {
      // The longest cells are cut to one common size, as large as still fits.
      const capped = (cap: number) => capCells(rows, cap, size);
      const fits = (cap: number) => size(compose(capped(cap).rows, note('Details'))) <= limit;
      if (fits(MIN_CELL_SIZE)) {
        let low = MIN_CELL_SIZE;
        let high = longest;
        while (high - low > 1) {
          const middle = Math.floor((low + high) / 2);
          if (fits(middle)) low = middle;
          else high = middle;
        }
        const best = capped(low);
        return fitted(compose(best.rows, note('Details')), 0, best.truncated);
      }
      ({ rows, truncated } = capped(MIN_CELL_SIZE));
    }
    const total = benchmarkGroups(rows).length;
    // One wording for the check and the result: a longer final note must not push it over.
    const tailFor = (count: number) =>
      note(count > 0 ? `${count} benchmark(s) of ${total}` : 'Details');
    const dropped = dropBenchmarks(
      rows,
      (kept, count) => compose(kept, tailFor(count)),
      size,
      limit,
    );
    const text = compose(dropped.kept, tailFor(dropped.count));
    if (size(text) <= limit) return fitted(text, dropped.count, truncated);
  }
  // Still too long (the text around the table alone, say): cut at a line boundary.
  const tail = note('The rest of the report');
  let cut = markdown.slice(0, limit - size(tail));
  while (size(cut) + size(tail) > limit) cut = cut.slice(0, Math.floor(cut.length * 0.95));
  const text = cut.slice(0, Math.max(0, cut.lastIndexOf('\n'))) + tail;
  return { text, droppedBenchmarks: 0, truncatedCells: 0, shortened: true };
}

/**
 * Keeps as many benchmarks (groups of rows) as fit, regressions and failures
 * first: they are what a reviewer must see. `compose` gives the whole text
 * for the rows kept and the number left out.
 */
function dropBenchmarks(
  rows: string[],
  compose: (kept: string[], dropped: number) => string,
  size: Size,
  limit: number,
): { kept: string[]; count: number } {
  const groups = benchmarkGroups(rows);
  const urgent = (g: string[]) => g.some((l) => /regression|failed/.test(l));
  const ordered = [...groups.filter(urgent), ...groups.filter((g) => !urgent(g))];
  const kept: string[][] = [];
  for (const group of ordered) {
    const candidate = compose([...kept.flat(), ...group], groups.length - kept.length - 1);
    if (size(candidate) > limit) break;
    kept.push(group);
  }
  return { kept: kept.flat(), count: groups.length - kept.length };
}

/** Every table cell over `cap` (in `size` units) cut to it, the row's other cells and verdict kept. */
function capCells(rows: string[], cap: number, size: Size): { rows: string[]; truncated: number } {
  let truncated = 0;
  const out = rows.map((row) => {
    const cells = splitCells(row);
    // The first and last parts are outside the table's outer pipes.
    for (let i = 1; i < cells.length - 1; i++) {
      const text = (cells[i] as string).trim();
      if (size(text) <= cap) continue;
      cells[i] = ` ${truncate(text, cap, size)} `;
      truncated++;
    }
    return cells.join('|');
  });
  return { rows: out, truncated };
}

/**
 * The start of `text` and TRUNCATION_NOTE, together at most `max` in `size`
 * units. The cut never splits what the report's escaping made (`\\|`,
 * `&lt;`) nor a character of two UTF-16 units (an emoji).
 */
function truncate(text: string, max: number, size: Size = (t) => t.length): string {
  const room = max - size(TRUNCATION_NOTE);
  // The longest prefix that fits: characters and bytes alike.
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (size(text.slice(0, middle)) <= room) low = middle;
    else high = middle - 1;
  }
  return `${text.slice(0, safeCut(text, low)).trimEnd()}${TRUNCATION_NOTE}`;
}

/** `end` moved back, if need be, so that text.slice(0, end) is whole Markdown. */
function safeCut(text: string, end: number): number {
  let cut = end;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--; // the first half of a surrogate pair
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp !== -1 && cut - amp < 5 && !text.slice(amp, cut).includes(';')) cut = amp;
  // An odd run of backslashes at the end would escape the note's first character instead.
  let slashes = 0;
  while (slashes < cut && text[cut - 1 - slashes] === '\\') slashes++;
  return slashes % 2 === 1 ? cut - 1 : cut;
}

/** Removes a `<details>` block that starts with `opening`, through its `</details>`. */
function dropBlock(lines: string[], opening: string): string[] {
  const start = lines.indexOf(opening);
  if (start === -1) return lines;
  const end = lines.indexOf('</details>', start);
  return end === -1 ? lines : [...lines.slice(0, start), ...lines.slice(end + 1)];
}

/** At most WARNINGS_KEPT warnings, each at most WARNING_SIZE. */
function shortenWarnings(lines: string[], size: Size): { lines: string[]; truncated: number } {
  const prefix = '- ⚠️ ';
  let truncated = 0;
  const short = lines.map((line) => {
    if (!line.startsWith(prefix) || size(line) <= WARNING_SIZE) return line;
    truncated++;
    return prefix + truncate(line.slice(prefix.length), WARNING_SIZE - size(prefix), size);
  });
  const items = short.flatMap((l, i) => (l.startsWith(prefix) ? [i] : []));
  if (items.length <= WARNINGS_KEPT) return { lines: short, truncated };
  const last = items[items.length - 1] as number;
  const firstDropped = items[WARNINGS_KEPT] as number;
  return {
    lines: [
      ...short.slice(0, firstDropped),
      `- … and ${items.length - WARNINGS_KEPT} more warnings`,
      ...short.slice(last + 1),
    ],
    truncated,
  };
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
    const firstCell = innerCells(row)[0]?.trim() ?? '';
    if (firstCell !== '' || groups.length === 0) groups.push([row]);
    else groups[groups.length - 1]?.push(row);
  }
  return groups;
}

/**
 * A row split at its unescaped pipes (the report writes `\\|` inside a cell):
 * joined with '|' again, the parts give back the row exactly.
 */
function splitCells(row: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < row.length; i++) {
    if (row[i] === '\\') i++;
    else if (row[i] === '|') {
      parts.push(row.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(row.slice(start));
  return parts;
}

/** The cells between a row's outer pipes. */
function innerCells(row: string): string[] {
  return splitCells(row).slice(1, -1);
}

/** The largest share of a limit the trend may take; past it, the report keeps the room. */
const TREND_SHARE = 0.25;

/**
 * The report fitted to `githubLimit` with the history's trend after it,
 * when the trend takes at most a quarter of the limit: the report is fitted
 * to what is left. A larger trend is left out, with a line that says so: it
 * must never push benchmark rows out of the report, nor be cut mid-chart.
 *
 * @example
 * const body = fitWithTrend(renderMarkdown(results), trend, COMMENT_LIMIT, runUrl, 400);
 */
export function fitWithTrend(
  report: string,
  trend: string,
  githubLimit: number,
  fullReportLink: string,
  reserve = 0,
  unit: 'characters' | 'bytes' = 'characters',
): string {
  if (!trend) return fitReport(report, githubLimit, fullReportLink, reserve, unit).text;
  const size = unit === 'bytes' ? Buffer.byteLength(trend, 'utf8') : trend.length;
  if (size + 2 <= (githubLimit - reserve) * TREND_SHARE)
    return `${fitReport(report, githubLimit, fullReportLink, reserve + size + 2, unit).text}\n\n${trend}`;
  const note =
    '_The trend on the default branch is left out: it does not fit here (lower `history-points`)._';
  return `${fitReport(report, githubLimit, fullReportLink, reserve + note.length + 2, unit).text}\n\n${note}`;
}
