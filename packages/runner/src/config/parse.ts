/**
 * Text to validated, resolved config. Pure: no file system, so tests and
 * other front ends (the Action) can parse text they already hold.
 */
import { type Document, LineCounter, parseDocument, type YAMLError } from 'yaml';
import { checkDuplicates } from './checks.js';
import { formatPath } from './describe.js';
import { ConfigError, type ConfigProblem } from './errors.js';
import { type Draft, describeIssue, type IssueContext } from './issues.js';
import { locate } from './locate.js';
import { resolveConfig } from './resolve.js';
import { ConfigFileSchema } from './schema.js';
import type { GateConfig } from './types.js';

/**
 * Alias expansions allowed while converting YAML to data: generous for
 * shared anchors, but stops a "billion laughs" file from eating the runner's memory.
 */
const MAX_ALIAS_COUNT = 1000;

/** What to do about each kind of YAML syntax error, by yaml's error code. */
const SYNTAX_HINTS: Readonly<Record<string, string>> = {
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  DUPLICATE_KEY: 'each key may appear once per mapping; remove or merge the repeated one',
  MULTIPLE_DOCS: 'keep a single document: remove the extra "---"',
  BAD_DQ_ESCAPE: 'use a valid escape in double quotes, or single quotes for a literal backslash',
};
const DEFAULT_SYNTAX_HINT =
  'check the indentation, and quote values that contain ": " or " #" or start with a special character';

/**
 * Parses and validates `perf-gate.yml` text and resolves defaults into every
 * benchmark.
 *
 * @param text the file's contents
 * @param fileName how problems name the file (e.g. `perf-gate.yml`)
 * @throws ConfigError listing every problem, each with file, line and column
 * @example
 * import { parseConfig } from '@vggt-perf-gate/runner';
 * const text = 'version: 1\nbenchmarks:\n  - name: tiny\n    workload: { kind: onnx, model: tiny.onnx, provider: cpu }\n';
 * const config = parseConfig(text, 'perf-gate.yml');
 * config.benchmarks[0]?.budget; // the defaults, resolved: { maxSeconds, maxRounds, iterationsPerRound }
 */
export function parseConfig(text: string, fileName: string): GateConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    throw new ConfigError(
      sortProblems(document.errors.map((error) => syntaxProblem(error, fileName, lineCounter))),
    );
  }

  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const message = `${reason}; use fewer aliases (*name)`;
    const problem = { file: fileName, line: 1, column: 1, path: '', message };
    throw new ConfigError([problem], { cause });
  }

  const result = ConfigFileSchema.safeParse(data);
  const context: IssueContext = { data, root: ConfigFileSchema };
  const drafts = [
    ...(result.success
      ? []
      : result.error.issues.flatMap((issue) => describeIssue(issue, context))),
    ...checkDuplicates(data),
  ];
  if (!result.success || drafts.length > 0) {
    // Every zod issue yields a draft; the fallback only guards against a zod issue shape not seen before.
    if (drafts.length === 0) {
      drafts.push({
        path: [],
        anchor: 'value',
        message: result.error?.message ?? 'invalid config',
      });
    }
    const problems = drafts.map((draft) => placeDraft(draft, fileName, document, lineCounter));
    throw new ConfigError(sortProblems(dedupe(problems)));
  }
  return resolveConfig(result.data);
}

function syntaxProblem(error: YAMLError, file: string, lineCounter: LineCounter): ConfigProblem {
  const { line, col } = lineCounter.linePos(error.pos[0]);
  const hint = SYNTAX_HINTS[error.code] ?? DEFAULT_SYNTAX_HINT;
  const message = `YAML syntax error: ${error.message.replace(/\.$/, '')}; ${hint}`;
  return { file, line, column: col, path: '', message };
}

function placeDraft(
  draft: Draft,
  file: string,
  document: Document,
  lineCounter: LineCounter,
): ConfigProblem {
  const { line, column } = locate(document, lineCounter, draft.path, draft.anchor);
  return { file, line, column, path: formatPath(draft.path), message: draft.message };
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.line}:${problem.column}:${problem.path}:${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
