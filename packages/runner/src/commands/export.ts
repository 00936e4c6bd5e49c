import { parseArgs } from 'node:util';
import { RunnerError } from '../errors.js';
import {
  EXPORT_FORMATS,
  type ExportFormat,
  toActionBenchmark,
  toBencher,
} from '../results/exports.js';
import { readResults } from '../results/io.js';
import { writeOutputFile } from '../results/output-paths.js';
import { EXIT } from './exit-codes.js';

/** `vggt-perf-gate export`: a results file in a dashboard's format. */

export const EXPORT_USAGE = `usage: vggt-perf-gate export --results <file> --format github-action-benchmark|bencher [--out <file>]

the head side's medians in a dashboard's format

  --results <file>     default perf-gate-results.json
  --format <format>    github-action-benchmark: its customSmallerIsBetter JSON
                       (latency in ms and peak VRAM in bytes; throughput is
                       bigger-is-better, that tool's other mode, and is left out)
                       bencher: Bencher Metric Format (latency in ns, throughput,
                       peak-vram in bytes, each with its median's 95% interval)
  --out <file>         write here instead of to stdout`;

/** Runs `export ...`; returns the exit code. */
export async function exportCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      results: { type: 'string', default: 'perf-gate-results.json' },
      format: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const format = values.format as ExportFormat | undefined;
  if (!format || !EXPORT_FORMATS.includes(format))
    throw new RunnerError(
      'USAGE',
      `export needs --format ${EXPORT_FORMATS.join(' or ')}${values.format ? `, not "${values.format}"` : ''}.`,
    );
  const results = await readResults(values.results);
  const data = format === 'bencher' ? toBencher(results) : toActionBenchmark(results);
  const text = `${JSON.stringify(data, null, 2)}\n`;
  if (!values.out) {
    process.stdout.write(text);
    return EXIT.pass;
  }
  await writeOutputFile(values.out, text).catch((cause: Error) => {
    throw new RunnerError(
      'RESULTS_IO',
      `cannot write the export to ${values.out}: ${cause.message}`,
      { cause },
    );
  });
  console.error(`${format} export written to ${values.out}`);
  return EXIT.pass;
}
