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
import { ConfigError, loadConfig } from './config/index.js';
import { RunnerError } from './errors.js';
import { removeLiveCheckouts } from './git.js';
import { runGate } from './orchestrate.js';
import { renderHtml } from './report/html.js';
import { renderMarkdown } from './report/markdown.js';
import { renderTerminal } from './report/terminal.js';
import { type GateResults, mergeResults, readResults, writeResults } from './results.js';
import { killLiveWorkerGroups } from './workloads/worker-process.js';

export const EXIT = { pass: 0, regression: 1, usage: 2, failure: 3 } as const;

const USAGE = `usage: vggt-perf-gate <command> [options]

commands:
  run      measure base vs head for every benchmark in the config
           --config <file>      default perf-gate.yml
           --base <ref>         git ref of the base side (required)
           --dir <path>         the head checkout, default .
           --results <file>     default perf-gate-results.json
           --markdown <file>    also write the Markdown report here
           --html <file>        also write the self-contained HTML report here
           --only <name,...>    only these benchmarks
           --shard <name>       label these results as one shard of a matrix run
           --fail-on <mode>     regression (default) | regression-or-inconclusive | never
  report   render a results file: --results <file> [--format terminal|markdown|html]
  merge    join shard results: vggt-perf-gate merge --out <file> <results.json>...
  compare  compare two samples files (JSON arrays of ms, or { "samples": [...] }):
           vggt-perf-gate compare <base.json> <head.json> [--threshold 0.02]
  probe    show the GPU and what dtype auto means on it [--json]

exit codes: 0 pass, 1 regression, 2 usage or config error, 3 measurement failure`;

function failOnExit(results: GateResults, failOn: string): number {
  if (results.verdict === 'failed') return EXIT.failure;
  if (failOn === 'never') return EXIT.pass;
  if (results.verdict === 'regression') return EXIT.regression;
  if (results.verdict === 'inconclusive' && failOn === 'regression-or-inconclusive')
    return EXIT.regression;
  return EXIT.pass;
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
      'fail-on': { type: 'string', default: 'regression' },
    },
  });
  if (!values.base)
    throw new RunnerError(
      'USAGE',
      'run needs --base <ref>: the git ref to compare against (e.g. origin/main).',
    );
  const failOn = values['fail-on'];
  if (!['regression', 'regression-or-inconclusive', 'never'].includes(failOn)) {
    throw new RunnerError(
      'USAGE',
      `--fail-on must be regression, regression-or-inconclusive or never, not "${failOn}".`,
    );
  }
  const config = await loadConfig(values.config);
  const plain = !process.stdout.isTTY || process.env.CI === 'true';
  const started = Date.now();
  const log = (line: string) => {
    const t = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
    console.error(plain ? `${t}s ${line}` : `\x1b[2m${t}s\x1b[0m ${line}`);
  };
  const results = await runGate({
    config,
    dir: values.dir,
    baseRef: values.base,
    resultsPath: values.results,
    log,
    only: values.only?.split(',').map((s) => s.trim()),
    shard: values.shard ?? null,
  });
  console.log(renderTerminal(results));
  if (values.markdown) await writeFile(values.markdown, `${renderMarkdown(results)}\n`);
  if (values.html) await writeFile(values.html, renderHtml(results));
  console.error(`results written to ${values.results}`);
  return failOnExit(results, failOn);
}

async function report(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      results: { type: 'string', default: 'perf-gate-results.json' },
      format: { type: 'string', default: 'terminal' },
    },
  });
  const results = await readResults(values.results);
  if (values.format === 'markdown') console.log(renderMarkdown(results));
  else if (values.format === 'terminal') console.log(renderTerminal(results));
  else
    throw new RunnerError(
      'USAGE',
      `--format must be terminal or markdown, not "${values.format}".`,
    );
  return EXIT.pass;
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
  console.log(renderTerminal(merged));
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
  if (!command || command === '--help' || command === '-h' || rest.includes('--help')) {
    console.log(USAGE);
    return command ? EXIT.pass : EXIT.usage;
  }
  const commands: Record<string, (args: string[]) => Promise<number>> = {
    run,
    report,
    merge,
    compare: compareFiles,
    probe,
  };
  const handler = commands[command];
  if (!handler) {
    console.error(`unknown command "${command}"\n\n${USAGE}`);
    return EXIT.usage;
  }
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
      console.error(`${(error as Error).message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    console.error(`error: ${(error as Error).stack ?? String(error)}`);
    return EXIT.failure;
  }
}

// Workers run in their own process groups, so a Ctrl-C or a cancelled CI job
// does not reach them: stop them here, then exit as interrupted.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(
      `\n${signal}: stopping workers; the results file keeps what was measured (status: partial)`,
    );
    killLiveWorkerGroups();
    void removeLiveCheckouts().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

process.exitCode = await main(process.argv.slice(2));
