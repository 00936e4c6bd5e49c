/**
 * Turns zod's validation issues into messages a person can act on: what is
 * wrong, in words, and how to fix it (the expected type, the allowed values
 * with a did-you-mean, an example for a missing key).
 */
import type * as z from 'zod';
import { describeValue, formatPath, inlineYaml, quote, typeName } from './describe.js';
import type { Anchor, PathSegment } from './locate.js';
import { BENCHMARK_NAME_PATTERN } from './schema.js';
import { allowedKeys, exampleOf, schemaAt } from './schema-at.js';
import { didYouMean } from './suggest.js';

/** A problem before it has a file position. */
export interface Draft {
  path: PathSegment[];
  anchor: Anchor;
  message: string;
}

/** What the messages need besides the issue: the raw data and the schema it was checked against. */
export interface IssueContext {
  data: unknown;
  root: z.ZodType;
}

type Issue = z.core.$ZodIssue;

/** Keys whose values are fractions, where "2" almost always meant 2%. */
const FRACTION_PARENT = 'threshold';
/** Keys measured in seconds, where a huge value was probably written in milliseconds. */
const SECONDS_KEY = /seconds$/i;

/** Said when `version` is wrong: a newer file needs a newer runner, an older one does not exist. */
const VERSION_HINT = ' (the only config version this runner reads)';

/** One or more drafts for one zod issue (an unknown-keys issue names several keys). */
export function describeIssue(issue: Issue, context: IssueContext): Draft[] {
  const path = issue.path.filter(isSegment);
  const value = valueAt(context.data, path);
  if (isMissing(issue, context.data, path, value)) return [missingKey(issue, path, context)];
  switch (issue.code) {
    case 'unrecognized_keys':
      return unknownKeys(issue.keys, path, context);
    case 'invalid_type':
      return [{ path, anchor: 'value', message: wrongType(issue.expected, value, path) }];
    case 'invalid_value': {
      const message = unknownValue(value, issue.values);
      const hint = path.length === 1 && path[0] === 'version' ? VERSION_HINT : '';
      return [{ path, anchor: 'value', message: `${message}${hint}` }];
    }
    case 'invalid_union':
      return invalidUnion(issue, path, value, context);
    case 'too_small':
    case 'too_big':
      return [{ path, anchor: 'value', message: outOfRange(issue, value, path) }];
    case 'invalid_format':
      return [{ path, anchor: 'value', message: badFormat(issue.pattern, value) }];
    default:
      return [{ path, anchor: 'value', message: issue.message }];
  }
}

function isSegment(segment: PropertyKey): segment is PathSegment {
  return typeof segment === 'string' || typeof segment === 'number';
}

/** A required key is missing when nothing is at the path but its parent is a mapping. */
function isMissing(issue: Issue, data: unknown, path: PathSegment[], value: unknown): boolean {
  if (value !== undefined || path.length === 0) return false;
  if (!['invalid_type', 'invalid_value', 'invalid_union'].includes(issue.code)) return false;
  return isRecord(valueAt(data, path.slice(0, -1)));
}

function missingKey(issue: Issue, path: PathSegment[], context: IssueContext): Draft {
  const key = String(path[path.length - 1]);
  const where = path.length === 1 ? 'at the top level' : `under ${formatPath(path.slice(0, -1))}`;
  // A missing discriminator (`kind`) has no single example: list the choices instead.
  const options = (issue as { options?: unknown[] }).options;
  const example = exampleOf(schemaAt(context.root, context.data, path));
  const hint =
    options !== undefined
      ? `add "${key}:" ${where} with one of ${options.join(', ')}`
      : example === undefined
        ? `add "${key}:" ${where}`
        : `add it ${where}, e.g. ${key}: ${inlineYaml(example)}`;
  return { path, anchor: 'parent', message: `required key "${key}" is missing; ${hint}` };
}

function unknownKeys(keys: string[], path: PathSegment[], context: IssueContext): Draft[] {
  const allowed = allowedKeys(schemaAt(context.root, context.data, path));
  return keys.map((key) => {
    const expected = allowed.length > 0 ? `; expected one of ${allowed.join(', ')}` : '';
    const remedy = allowed.length > 0 ? '' : '; remove it';
    return {
      path: [...path, key],
      anchor: 'key' as const,
      message: `unknown key ${quote(key)}${expected}${remedy}${suggestion(key, allowed)}`,
    };
  });
}

function wrongType(expected: string, value: unknown, path: PathSegment[]): string {
  if (path.length === 0) {
    return value === null || value === undefined
      ? 'the file is empty; start with "version: 1" and a "benchmarks:" list (see docs/config.md)'
      : `expected a mapping with "version" and "benchmarks" keys, got ${describeValue(value)}`;
  }
  let hint = '';
  const numeric = expected === 'number' || expected === 'int';
  if (
    numeric &&
    typeof value === 'string' &&
    value.trim() !== '' &&
    Number.isFinite(Number(value))
  ) {
    hint = '; remove the quotes';
  } else if (expected === 'string' && path[path.length - 2] === 'env') {
    hint = `; quote it so it stays a string, e.g. ${String(path[path.length - 1])}: "${String(value)}"`;
  } else if (value === null) {
    hint = '; give it a value or remove the key';
  }
  return `expected ${typeName(expected)}, got ${describeValue(value)}${hint}`;
}

function unknownValue(value: unknown, values: readonly unknown[]): string {
  const expected =
    values.length === 1 ? `expected ${String(values[0])}` : `expected one of ${values.join(', ')}`;
  const candidates = values.filter((item): item is string => typeof item === 'string');
  const guess = typeof value === 'string' ? suggestion(value, candidates) : '';
  return `unknown value ${quote(value)}; ${expected}${guess}`;
}

function invalidUnion(
  issue: Extract<Issue, { code: 'invalid_union' }>,
  path: PathSegment[],
  value: unknown,
  context: IssueContext,
): Draft[] {
  // A discriminated union whose tag matched no option: an unknown `kind`.
  const options = (issue as { options?: unknown[] }).options;
  if (options !== undefined) {
    return [{ path, anchor: 'value', message: unknownValue(value, options) }];
  }
  // The option of the value's own type (a list for `command: [...]`) explains best what is wrong inside it.
  const branches = issue.errors;
  const matching = branches.find((branch) => !branch.some(isRootTypeMismatch));
  if (matching !== undefined) {
    return matching.flatMap((inner) =>
      describeIssue({ ...inner, path: [...path, ...inner.path] } as Issue, context),
    );
  }
  const expected = branches
    .map((branch) => branch.find(isRootTypeMismatch))
    .map((inner) => (inner?.code === 'invalid_type' ? typeName(inner.expected) : undefined))
    .filter((name): name is string => name !== undefined);
  const message =
    expected.length > 0
      ? `expected ${[...new Set(expected)].join(' or ')}, got ${describeValue(value)}`
      : issue.message;
  return [{ path, anchor: 'value', message }];
}

function isRootTypeMismatch(issue: Issue): boolean {
  return issue.code === 'invalid_type' && issue.path.length === 0;
}

function outOfRange(
  issue: Extract<Issue, { code: 'too_small' | 'too_big' }>,
  value: unknown,
  path: PathSegment[],
): string {
  const small = issue.code === 'too_small';
  const bound = small ? issue.minimum : issue.maximum;
  if (issue.origin === 'array') {
    const noun = path[path.length - 1] === 'benchmarks' ? 'benchmark' : 'item';
    return small
      ? `expected at least ${bound} ${noun}${bound === 1 ? '' : 's'}, got ${describeValue(value)}`
      : `expected at most ${bound} items`;
  }
  if (issue.origin === 'string') {
    return small
      ? 'must not be empty'
      : `is longer than the ${bound} characters allowed; shorten it`;
  }
  const comparison = small
    ? issue.inclusive
      ? 'at least'
      : 'more than'
    : issue.inclusive
      ? 'at most'
      : 'less than';
  let hint = '';
  if (!small && path[path.length - 2] === FRACTION_PARENT) {
    hint = ' (thresholds are fractions of the base value: write 0.02 for 2%)';
  } else if (!small && SECONDS_KEY.test(String(path[path.length - 1]))) {
    hint = ' (the value is in seconds, not milliseconds)';
  }
  return `${quote(value)} is out of range; expected ${comparison} ${String(bound)}${hint}`;
}

function badFormat(pattern: string | undefined, value: unknown): string {
  if (typeof value === 'string' && pattern === String(BENCHMARK_NAME_PATTERN)) {
    const slug = slugify(value);
    const guess = slug === '' ? '' : ` (did you mean ${quote(slug)}?)`;
    return `invalid name ${quote(value)}; use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit${guess}`;
  }
  return `${quote(value)} must match ${pattern ?? 'the expected format'}`;
}

/** The nearest valid benchmark name: "VGGT forward 20f" -> "vggt-forward-20f". */
function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
}

function suggestion(word: string, candidates: readonly string[]): string {
  const guess = didYouMean(word, candidates);
  return guess === undefined || guess === word ? '' : ` (did you mean ${quote(guess)}?)`;
}

/** The raw value at a path, or undefined where the path leaves the data. */
export function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let current = data;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isRecord(current) && Object.hasOwn(current, segment)) current = current[segment];
    else return undefined;
  }
  return current;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
