import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../src/report/html.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { renderTerminal } from '../src/report/terminal.js';
import type { GateResults } from '../src/results/types.js';
import {
  hostileNoGpu,
  hostileResults,
  numberPaths,
  PAYLOADS,
  PLAIN,
  withValueAt,
} from './hostile-results.js';

/** Debian's chromium, as in html.test.ts; without it the browser check skips. */
const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
/** A string where a results file's types promise a number. */
const NUMBER_PAYLOAD = '<img src=x onerror=alert(1)>';

/** The static tags the Markdown report writes itself; any other `<` is an injection. */
const MARKDOWN_TAGS = /<\/?(details|summary)>/g;

/**
 * Each tag of an HTML page: its name and attribute names, with the values
 * that shape the page (class, href, id) unless `values` is false.
 */
function htmlTags(page: string, values = true): string[] {
  const tag =
    /<(\/?[a-zA-Z][\w:-]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*)\s*\/?>/g;
  const attribute = /([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+))?/g;
  return [...page.matchAll(tag)].map(([, name, attributes = '']) => {
    const parts = [...attributes.matchAll(attribute)].map(([, key, value = '']) =>
      values && ['class', 'href', 'id'].includes(key ?? '') ? `${key}=${value}` : key,
    );
    return `${name} ${parts.join(' ')}`;
  });
}

/**
 * Pipes that end a table cell. GitHub splits a row before it reads any other
 * escape: a pipe right after a backslash is text, whatever precedes that.
 */
function cellBorders(line: string): number {
  return line.match(/(?<!\\)\|/g)?.length ?? 0;
}

/** Each line's kind, and a table row's cell count: what a value must not change. */
function markdownShape(markdown: string): string[] {
  return markdown.split('\n').map((line) => {
    if (line.startsWith('|')) return `row ${cellBorders(line)}`;
    if (/^\s*- /.test(line)) return `item ${line.indexOf('-')}`;
    if (line.startsWith('<')) return line;
    return line.startsWith('#') ? line.slice(0, line.indexOf(' ')) : line === '' ? '' : 'text';
  });
}

/** Markdown with its code spans taken out: inside one, nothing is markup. */
function outsideCode(markdown: string): string {
  return markdown.replace(/`[^`\n]*`/g, '');
}

/** Asserts that `markdown` holds no markup, link, mention or reference a value put there. */
function expectInertMarkdown(markdown: string): void {
  const text = outsideCode(markdown);
  expect(text).not.toContain('`');
  expect(text.replace(MARKDOWN_TAGS, '')).not.toContain('<');
  expect(text).not.toMatch(/(^|[^\\])(\\\\)*\]\(/); // a link's "](" with its bracket unescaped
  expect(text).not.toMatch(/(^|[^\\])(\\\\)*!\[/); // an image
  expect(text).not.toMatch(/@[A-Za-z0-9]/); // an @mention
  expect(text).not.toMatch(/#\d/); // an issue reference
  expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/); // an entity a value spelled
  for (const block of text.split('\n\n')) {
    const rows = block.split('\n').filter((line) => line.startsWith('|'));
    for (const row of rows) expect(cellBorders(row)).toBe(cellBorders(rows[0]!));
  }
}

/**
 * Asserts that `page` has no tag or attribute beyond those of a harmless
 * page, nor a class, anchor or id unless `values` is false.
 */
function expectInertHtml(page: string, harmless: string, values = true): void {
  const known = new Set(htmlTags(harmless, values));
  expect(htmlTags(page, values).filter((tag) => !known.has(tag))).toEqual([]);
  expect(page).not.toMatch(/<(img|script|iframe|svg onload)/i);
}

/** Asserts that a terminal report holds no control character or workflow command. */
function expectInertTerminal(text: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters.
  expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  expect(text).not.toMatch(/::|##\[/);
}

/** `results` with its first memory row's GPU index and ranks made strings, as JSON allows. */
function stringGpuIndex(results: GateResults): GateResults {
  const row = ['benchmarks', 0, 'memory', 'base', 0];
  return withValueAt(
    withValueAt(results, [...row, 'gpuIndex'], NUMBER_PAYLOAD),
    [...row, 'ranks'],
    [NUMBER_PAYLOAD],
  );
}

/** `results` with the gate's and every metric's verdict, and every metric name, outside their sets. */
function foreignEnums(results: GateResults): GateResults {
  const verdict = '"><script>alert(1)</script>';
  const copy = structuredClone(results) as unknown as {
    verdict: string;
    benchmarks: Array<{ metrics: Array<{ verdict: string; metric: string }> }>;
  };
  copy.verdict = verdict;
  for (const b of copy.benchmarks)
    for (const m of b.metrics) Object.assign(m, { verdict, metric: verdict });
  return copy as unknown as GateResults;
}

describe('text from a results file stays text in every report', () => {
  const harmless = hostileResults(PLAIN);

  it.each(PAYLOADS)('Markdown keeps its shape and holds no markup: %j', (payload) => {
    for (const [hostile, plain] of [
      [hostileResults(payload), harmless],
      [hostileNoGpu(payload), hostileNoGpu(PLAIN)],
    ] as const) {
      const markdown = renderMarkdown(hostile);
      expect(markdownShape(markdown)).toEqual(markdownShape(renderMarkdown(plain)));
      expectInertMarkdown(markdown);
      expect(outsideCode(markdown)).not.toContain(payload);
    }
  });

  it.each(PAYLOADS)('HTML has the same tags as a harmless page: %j', (payload) => {
    for (const [hostile, plain] of [
      [hostileResults(payload), harmless],
      [hostileNoGpu(payload), hostileNoGpu(PLAIN)],
    ] as const) {
      const page = renderHtml(hostile, { title: payload });
      const reference = renderHtml(plain, { title: PLAIN });
      expect(htmlTags(page)).toEqual(htmlTags(reference));
      expectInertHtml(page, reference);
    }
  });

  it.each(PAYLOADS)(
    'the terminal table has no control characters or workflow commands: %j',
    (payload) => {
      const text = renderTerminal(hostileResults(payload));
      expect(text.split('\n')).toHaveLength(renderTerminal(harmless).split('\n').length);
      expectInertTerminal(text);
    },
  );

  it('the memory row shows GPU index and ranks as text, even when a file makes them strings', () => {
    const results = stringGpuIndex(harmless);
    const markdown = renderMarkdown(results);
    expect(markdown).toContain('base GPU &lt;img src=x onerror=alert(1)&gt; (rank &lt;img');
    expectInertMarkdown(markdown);
    const page = renderHtml(results);
    expect(page).toContain(
      '<td>&lt;img src=x onerror=alert(1)&gt; <span class="muted">(rank &lt;img',
    );
    expectInertHtml(page, renderHtml(harmless));
  });

  it('a verdict outside its set becomes a known class and a label, never an attribute', () => {
    const hostile = foreignEnums(harmless);
    const page = renderHtml(hostile);
    expect(page).toContain('class="headline v-unknown"');
    expect(page).toContain('<tr class="v-unknown">');
    expect(page).toContain('<span class="badge v-unknown">&quot;&gt;&lt;script&gt;');
    expectInertHtml(page, renderHtml(harmless), false);
    const classes = new Set(
      [...page.matchAll(/ class="([^"]*)"/g)].flatMap(([, c = '']) => c.split(' ')),
    );
    expect([...classes].filter((c) => !/^[a-z][a-z0-9-]*$/.test(c))).toEqual([]);
    const markdown = renderMarkdown(hostile);
    expect(markdown).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expectInertMarkdown(markdown);
    expectInertTerminal(renderTerminal(hostile));
  });

  it('every number a file makes a string renders as text or fails to render, never as markup', () => {
    const paths = numberPaths(harmless);
    expect(paths.length).toBeGreaterThan(50);
    const reference = renderHtml(harmless);
    for (const path of paths) {
      const results = withValueAt(harmless, path, NUMBER_PAYLOAD);
      for (const [render, check] of [
        [renderMarkdown, expectInertMarkdown],
        [(r: GateResults) => renderHtml(r), (page: string) => expectInertHtml(page, reference)],
        [renderTerminal, expectInertTerminal],
      ] as const) {
        let output: string;
        try {
          output = render(results);
        } catch (error) {
          // A number method on a string (toFixed): no output at all, which is safe.
          expect(error, path.join('.')).toBeInstanceOf(TypeError);
          continue;
        }
        check(output);
      }
    }
  });
});

describe('a hostile HTML report in a real browser', () => {
  it.skipIf(!HAS_CHROMIUM)(`runs no script and adds no element (needs ${CHROMIUM})`, async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage();
      const events: string[] = [];
      page.on('dialog', (d) => {
        events.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      page.on('pageerror', (e) => events.push(`error: ${e.message}`));
      page.on('request', (r) => {
        if (!r.url().startsWith('about:')) events.push(`request: ${r.url()}`);
      });
      // Strings, not functions: this package's TypeScript has no DOM types.
      const count = (selector: string) =>
        page.evaluate<number>(`document.querySelectorAll(${JSON.stringify(selector)}).length`);
      const injected = 'script, img, iframe, [onerror], [onload], [srcdoc]';
      const harmless = hostileResults(PLAIN);
      await page.setContent(renderHtml(harmless));
      const rows = await count('tr');
      const charts = await count('svg.chart');
      for (const payload of PAYLOADS) {
        await page.setContent(renderHtml(hostileResults(payload), { title: payload }));
        await expect(count(injected)).resolves.toBe(0);
        await expect(count('tr')).resolves.toBe(rows);
        await expect(count('svg.chart')).resolves.toBe(charts);
        await expect(
          page.evaluate<string>('document.querySelector("h3").textContent'),
        ).resolves.toBe(`worker ${payload.replace(/\r\n?/g, '\n')}`);
      }
      // Fields whose types a file can break: numbers as strings, verdicts outside their set.
      for (const results of [stringGpuIndex(harmless), foreignEnums(harmless)]) {
        await page.setContent(renderHtml(results));
        await expect(count(injected)).resolves.toBe(0);
        await expect(count('tr')).resolves.toBe(rows);
      }
      expect(events).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
