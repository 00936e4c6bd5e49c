import { parseArgs } from 'node:util';
import { RunnerError } from '../errors.js';
import { historyEntry } from '../history/entry.js';
import { trendSeries } from '../history/series.js';
import { appendToStore, readStore } from '../history/store.js';
import { renderTrendHtml } from '../report/trend-html.js';
import { renderTrendMarkdown } from '../report/trend-markdown.js';
import { readResults } from '../results/io.js';
import { writeOutputFile } from '../results/output-paths.js';
import { EXIT } from './exit-codes.js';

/** `vggt-perf-gate history append|report`: the history store from the command line. */

export const HISTORY_USAGE = `usage: vggt-perf-gate history append --store <dir> [--runner <name>] <results.json>...
       vggt-perf-gate history report --store <dir> [--format html|markdown|json] [--out <file>] [--last <n>]

keep the gate's results over time, one small file per run under <dir>/runs/
(a checkout of the data branch the Action writes is such a directory)

  append               add each results file to the store
  report               draw the store: per benchmark, each metric's median over the runs
  --store <dir>        the store (created by append if missing)
  --runner <name>      the machine's name, kept with each entry (default: none)
  --format <format>    html (default: one self-contained page) | markdown | json
  --out <file>         write the report here instead of to stdout
  --last <n>           only the last n runs of each series

A file in the store that is not a history entry is named on stderr and
skipped, never drawn.`;

const REPORT_FORMATS = ['html', 'markdown', 'json'] as const;

/** Runs `history <subcommand> ...`; returns the exit code. */
export async function historyCommand(argv: string[]): Promise<number> {
  const [subcommand, ...rest] = argv;
  if (subcommand === 'append') return append(rest);
  if (subcommand === 'report') return report(rest);
  throw new RunnerError(
    'USAGE',
    `history needs a subcommand, append or report${subcommand ? `, not "${subcommand}"` : ''}.`,
  );
}

function storeOf(values: { store?: string | undefined }): string {
  if (!values.store)
    throw new RunnerError(
      'USAGE',
      'history needs --store <dir>: the directory the history lives in.',
    );
  return values.store;
}

async function append(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { store: { type: 'string' }, runner: { type: 'string' } },
    allowPositionals: true,
  });
  const store = storeOf(values);
  if (positionals.length === 0)
    throw new RunnerError('USAGE', 'history append needs at least one results file to add.');
  // Every file is read (and checked) before any is added: a bad one adds nothing.
  const results = await Promise.all(positionals.map((path) => readResults(path)));
  const entries = results.map((r) => historyEntry(r, { runner: values.runner ?? null }));
  const files = await appendToStore(store, entries);
  for (const file of files) console.error(`history: added ${file} to ${store}`);
  return EXIT.pass;
}

async function report(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      store: { type: 'string' },
      format: { type: 'string', default: 'html' },
      out: { type: 'string' },
      last: { type: 'string' },
    },
  });
  const store = storeOf(values);
  const format = values.format as (typeof REPORT_FORMATS)[number];
  if (!REPORT_FORMATS.includes(format))
    throw new RunnerError(
      'USAGE',
      `--format must be ${REPORT_FORMATS.join(', ')}, not "${values.format}".`,
    );
  const last = values.last === undefined ? Number.POSITIVE_INFINITY : Number(values.last);
  if (!(Number.isInteger(last) || last === Number.POSITIVE_INFINITY) || last < 1)
    throw new RunnerError(
      'USAGE',
      `--last must be a whole number of runs, 1 or more, not "${values.last}".`,
    );
  const { entries, skipped } = await readStore(store);
  for (const line of skipped) console.error(`history: skipped ${line}`);
  const series = trendSeries(entries, last);
  const text =
    format === 'html'
      ? renderTrendHtml(series, { skipped })
      : format === 'markdown'
        ? `${renderTrendMarkdown(series)}\n`
        : `${JSON.stringify({ runs: entries.length, series, skipped }, null, 2)}\n`;
  if (!values.out) {
    process.stdout.write(text);
    return EXIT.pass;
  }
  await writeOutputFile(values.out, text).catch((cause: Error) => {
    throw new RunnerError(
      'HISTORY_IO',
      `cannot write the history report to ${values.out}: ${cause.message}`,
      {
        cause,
      },
    );
  });
  console.error(`history: ${format} report of ${entries.length} runs written to ${values.out}`);
  return EXIT.pass;
}
