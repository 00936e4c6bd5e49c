/**
 * Small renderers for messages: config paths, values as a person wrote them,
 * and zod's type names in words.
 */
import type { PathSegment } from './locate.js';

/** Strings longer than this are cut in messages; the position already says where they are. */
const MAX_SHOWN_STRING = 60;
const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** `['benchmarks', 0, 'workload', 'kind']` -> `benchmarks[0].workload.kind`. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** A value as it appears in a message: strings quoted, numbers bare. */
export function quote(value: unknown): string {
  if (typeof value === 'string') {
    const shown =
      value.length > MAX_SHOWN_STRING ? `${value.slice(0, MAX_SHOWN_STRING)}...` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}

/** What was found, for "got ..." in a wrong-type message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return `the string ${quote(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `${value}`;
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (value instanceof Date) return `the date ${value.toISOString().slice(0, 10)}`;
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

/** zod's `expected` type names, as a person would say them. */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value lines)',
  record: 'a mapping (key: value lines)',
  array: 'a list',
};

export function typeName(expected: string): string {
  return Object.hasOwn(TYPE_NAMES, expected) ? TYPE_NAMES[expected]! : expected;
}

/** A value written as YAML on one line, for "e.g." examples. */
export function inlineYaml(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineYaml).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const pairs = Object.entries(value).map(([key, item]) => `${key}: ${inlineYaml(item)}`);
    return `{ ${pairs.join(', ')} }`;
  }
  if (typeof value === 'string' && /^[\w./-][\w ./-]*$/.test(value) && !/^\d/.test(value)) {
    return value;
  }
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
