import { RunnerError } from '../errors.js';

/** One thing wrong with a config file, at a position an editor can jump to. */
export interface ConfigProblem {
  /** The file name as given to the loader (so it is clickable where it was typed). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
  /** Where in the config, e.g. `benchmarks[0].workload.kind`; empty for the whole file. */
  path: string;
  /** What is wrong and how to fix it. */
  message: string;
}

/** Renders a problem as `file:line:col: path: message`, the form editors and CI annotate. */
export function formatProblem(problem: ConfigProblem): string {
  const where = `${problem.file}:${problem.line}:${problem.column}`;
  return problem.path === ''
    ? `${where}: ${problem.message}`
    : `${where}: ${problem.path}: ${problem.message}`;
}

/**
 * The config file is missing, unreadable or invalid. Carries every problem
 * found, not just the first, so one edit-and-rerun fixes them all. Its
 * `message` lists them as `file:line:col: path: message`; its code is
 * `CONFIG_INVALID`.
 *
 * @example
 * import { ConfigError, loadConfig } from '@vggt-perf-gate/runner';
 * const config = await loadConfig('perf-gate.yml').catch((error: unknown) => {
 *   if (!(error instanceof ConfigError)) throw error;
 *   for (const p of error.problems) console.error(`${p.file}:${p.line}:${p.column}: ${p.message}`);
 *   process.exit(2);
 * });
 */
export class ConfigError extends RunnerError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options?: { cause?: unknown; detail?: string }) {
    super('CONFIG_INVALID', describeProblems(problems, options?.detail), options);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function describeProblems(problems: readonly ConfigProblem[], detail?: string): string {
  const lines = problems.map(formatProblem);
  const body =
    problems.length === 1
      ? (lines[0] ?? '')
      : `${problems.length} problems in ${problems[0]?.file ?? 'the config'}:\n${lines.join('\n')}`;
  return detail === undefined ? body : `${body}\n\n${detail}`;
}
