#!/usr/bin/env node
/**
 * vggt-perf-gate: the gate from the command line, exactly as the Action runs it.
 *
 * Exit codes: 0 pass, 1 regression (or inconclusive with
 * --fail-on regression-or-inconclusive), 2 usage or config error,
 * 3 measurement failure.
 */

import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { formatDeviceProbe, probeDevice } from '@vggt-perf-gate/device';
import { compare } from '@vggt-perf-gate/timing';
import { EXIT } from './commands/exit-codes.js';
import { EXPORT_USAGE, exportCommand } from './commands/export.js';
import { HISTORY_USAGE, historyCommand } from './commands/history.js';
import { ConfigError, loadConfig } from './config/index.js';
import { RunnerError } from './errors.js';
import { stopOnSignals } from './gate/interrupt.js';
import { DEFAULT_FAIL_ON, FAIL_ON_MODES, type FailOn, failureKind } from './gate/policy.js';
import { selectBenchmarks } from './gate/select-benchmarks.js';
import { renderHtml } from './report/html.js';
import { renderMarkdown } from './report/markdown.js';
import { ProgressDisplay, shouldShowLiveStatus } from './report/progress.js';
import { type ReportedRun, reportResults, runAndReport } from './report/run-and-report.js';
import { renderTerminal } from './report/terminal.js';
import { terminalReporter } from './report/terminal-reporter.js';
import { readResults, writeResults } from './results/io.js';
import { mergeResults } from './results/merge.js';
import { checkOutputPaths, type OutputTarget } from './results/output-paths.js';
import type { GateResults } from './results/types.js';
import { VERSION } from './version.js';

export { EXIT };

/** Each command's own usage, printed by `<command> --help` (the overview only names the commands). */
const COMMAND_USAGE = {
  run: `usage: vggt-perf-gate run --base <ref> [options]

measure base vs head for every benchmark in the config

  --config <file>      default perf-gate.yml
  --base <ref>         git ref of the base side (required)
  --dir <path>         the head checkout, default .
  --results <file>     default perf-gate-results.json
  --markdown <file>    also write the Markdown report here
  --html <file>        also write the self-contained HTML report here
  --only <name,...>    only these benchmarks (each must be in the config)
  --shard <name>       label these results as one shard of a matrix run
  --fail-on <mode>     regression (default) | regression-or-inconclusive | never

Before anything is measured, the config, --only and every output path (no
two may name one file) are checked (exit 2 naming what to fix). A file that
cannot be written after measuring is an error line (exit 3); the table is
printed first, and results that cannot go to --results are saved in the
temp directory instead.

On a terminal a status line at the bottom shows the benchmark, its phase,
rounds, time and latest estimate; with CI=true or when stderr is not a
terminal, a plain line is printed at each phase instead.`,
  report: `usage: vggt-perf-gate report [--results <file>] [--format terminal|markdown|html] [--out <file>]

render a results file

  --results <file>     default perf-gate-results.json
  --format <format>    terminal (default) | markdown | html (one self-contained page)
  --out <file>         write the report here instead of to stdout`,
  merge: `usage: vggt-perf-gate merge --out <file> <results.json>...

join the results of shards (matrix jobs) into one file and print its table`,
  compare: `usage: vggt-perf-gate compare <base.json> <head.json> [--threshold 0.02]

compare two samples files (JSON arrays of ms, or { "samples": [...] });
exit 1 on a regression beyond the threshold (a share: 0.02 is 2%)`,
  history: HISTORY_USAGE,
  export: EXPORT_USAGE,
  probe: `usage: vggt-perf-gate probe [--json]

show the GPU and what dtype auto means on it`,
} as const;

type CommandName = keyof typeof COMMAND_USAGE;

const USAGE = `usage: vggt-perf-gate <command> [options]

commands:
  run      measure base vs head for every benchmark in the config
  report   render a results file (terminal, Markdown or HTML)
  merge    join shard results into one file
  compare  compare two samples files
  history  keep results over time and draw their trend (append, report)
  export   a results file in github-action-benchmark's or Bencher's format
  probe    show the GPU and what dtype auto means on it

vggt-perf-gate <command> --help shows a command's options; --version the version.

exit codes: 0 pass, 1 regression, 2 usage or config error, 3 measurement failure`;

const isCommand = (name: string): name is CommandName => Object.hasOwn(COMMAND_USAGE, name);

/** The status line of a run in progress, so an interrupt can erase it before saying why it stops. */
let activeDisplay: ProgressDisplay | null = null;

function failOnExit(results: GateResults, failOn: FailOn): number {
  const kind = failureKind(results, failOn);
  if (kind === 'failed') return EXIT.failure;
  return kind === null ? EXIT.pass : EXIT.regression;
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', default: 'perf-gate.yml' },
      base: { type: 'string' },
      dir: { type: 'string', default: '.' },
      results: { type: 'string', default: 'perf-gate-results.json' },
      markdown: { type: 'string' },
      html: { type: 'string' },
      only: { type: 'string' },
      shard: { type: 'string' },
      'fail-on': { type: 'string', default: DEFAULT_FAIL_ON },
    },
  });
  // Everything that can be wrong before measuring is checked here, config first:
  // a broken config is the first thing to fix, whatever else is missing.
  const config = await loadConfig(values.config);
  if (!values.base)
    throw new RunnerError(
      'USAGE',
      'run needs --base <ref>: the git ref to compare against (e.g. origin/main).',
    );
  const failOn = values['fail-on'] as FailOn;
  if (!FAIL_ON_MODES.includes(failOn)) {
    throw new RunnerError(
      'USAGE',
      `--fail-on must be regression, regression-or-inconclusive or never, not "${failOn}".`,
    );
  }
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // runGate selects again, with a generic label; given the same config and
  // names it cannot fail where this did not, so this message, naming the flag,
  // is the one users see.
  selectBenchmarks(config, only, '--only');
  const targets = outputTargets(values);
  await checkOutputPaths(targets);
  const live = shouldShowLiveStatus(process.stderr, process.env);
  const started = Date.now();
  const display = new ProgressDisplay({
    write: (text) => process.stderr.write(text),
    isTTY: live,
    columns: () => process.stderr.columns,
    formatLine: (line) => {
      const t = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
      return live ? `\x1b[2m${t}s\x1b[0m ${line}` : `${t}s ${line}`;
    },
  });
  activeDisplay = display;
  let reported: ReportedRun;
  try {
    reported = await runAndReport({
      config,
      dir: values.dir,
      baseRef: values.base,
      targets,
      reporters: [terminalReporter({ display })],
      only,
      shard: values.shard ?? null,
      signal: interrupt.signal,
    });
  } finally {
    activeDisplay = null;
  }
  const { results, written } = reported;
  const complete = written.problems.length === 0;
  const interrupted = interrupt.interrupted();
  if (interrupted) {
    console.error(`stopped by ${interrupted}: the results file says status "partial".`);
    if (complete) return interrupted === 'SIGINT' ? 130 : 143;
  }
  return complete ? failOnExit(results, failOn) : EXIT.failure;
}

/** Every file `run` writes, with the flag that names it: checked before measuring, written after. */
function outputTargets(values: { results: string; markdown?: string; html?: string }) {
  const targets: OutputTarget[] = [{ path: values.results, setBy: '--results', format: 'results' }];
  if (values.markdown)
    targets.push({ path: values.markdown, setBy: '--markdown', format: 'markdown' });
  if (values.html) targets.push({ path: values.html, setBy: '--html', format: 'html' });
  return targets;
}

const REPORT_FORMATS = ['terminal', 'markdown', 'html'] as const;

async function report(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      results: { type: 'string', default: 'perf-gate-results.json' },
      format: { type: 'string', default: 'terminal' },
      out: { type: 'string' },
    },
  });
  const format = values.format;
  if (!(REPORT_FORMATS as readonly string[]).includes(format))
    throw new RunnerError(
      'USAGE',
      `--format must be ${REPORT_FORMATS.join(', ')}, not "${format}".`,
    );
  const results = await readResults(values.results);
  const text =
    format === 'html'
      ? renderHtml(results)
      : `${format === 'markdown' ? renderMarkdown(results) : renderTerminal(results)}\n`;
  if (values.out) {
    await writeReport(values.out, text);
    console.error(`${format} report written to ${values.out}`);
  } else process.stdout.write(text);
  return EXIT.pass;
}

async function writeReport(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (cause) {
    throw new RunnerError(
      'RESULTS_IO',
      `cannot write the report to ${path}: ${(cause as Error).message}. Choose a writable path with --out, or leave it out to print to stdout.`,
      { cause },
    );
  }
}

async function merge(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { out: { type: 'string' } },
    allowPositionals: true,
  });
  if (!values.out || positionals.length === 0)
    throw new RunnerError('USAGE', 'merge needs --out <file> and at least one results file.');
  const merged = mergeResults(await Promise.all(positionals.map(readResults)));
  await writeResults(values.out, merged);
  await reportResults(merged, [], [terminalReporter()]);
  return EXIT.pass;
}

async function compareFiles(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { threshold: { type: 'string', default: '0.02' } },
    allowPositionals: true,
  });
  if (positionals.length !== 2)
    throw new RunnerError('USAGE', 'compare needs two samples files: <base.json> <head.json>.');
  const load = async (path: string) => {
    const data = JSON.parse(await readFile(path, 'utf8')) as number[] | { samples: number[] };
    return Array.isArray(data) ? data : data.samples;
  };
  const result = compare(await load(positionals[0]!), await load(positionals[1]!), {
    threshold: Number(values.threshold),
  });
  console.log(result.explanation);
  return result.verdict === 'regression' ? EXIT.regression : EXIT.pass;
}

async function probe(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } } });
  const result = probeDevice();
  console.log(values.json ? JSON.stringify(result, null, 2) : formatDeviceProbe(result));
  return EXIT.pass;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') {
    console.log(VERSION);
    return EXIT.pass;
  }
  if (!command || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? EXIT.pass : EXIT.usage;
  }
  const commands: Record<CommandName, (args: string[]) => Promise<number>> = {
    run,
    report,
    merge,
    compare: compareFiles,
    history: historyCommand,
    export: exportCommand,
    probe,
  };
  if (!isCommand(command)) {
    console.error(`unknown command "${command}"\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(COMMAND_USAGE[command]);
    return EXIT.pass;
  }
  const handler = commands[command];
  try {
    return await handler(rest);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return EXIT.usage;
    }
    if (error instanceof RunnerError) {
      console.error(`error: ${error.message}`);
      return error.code === 'USAGE' || error.code === 'CONFIG_INVALID' ? EXIT.usage : EXIT.failure;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(error as Error).message}\n\n${COMMAND_USAGE[command]}`);
      return EXIT.usage;
    }
    console.error(`error: ${(error as Error).stack ?? String(error)}`);
    return EXIT.failure;
  }
}

// Ctrl-C or a cancelled CI job: the workers are stopped and what was measured is
// written (status "partial") before the exit; see interrupt.ts.
const interrupt = stopOnSignals({
  exitCode: (signal) => (signal === 'SIGINT' ? 130 : 143),
  onEvery: () => activeDisplay?.clear(),
  onFirst: (signal) =>
    console.error(
      `\n${signal}: stopping workers; writing what was measured (status: partial). ${signal} again to exit at once.`,
    ),
});

process.exitCode = await main(process.argv.slice(2));
