/**
 * Maps a path into the config (`['benchmarks', 0, 'workload', 'kind']`) back
 * to the YAML node it came from, so a problem can name a line and column.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

export type PathSegment = string | number;

/** A 1-based position in the file. */
export interface Position {
  line: number;
  column: number;
}

/** Where the problem is anchored. */
export type Anchor =
  /** The value at the path (wrong type, value or range). */
  | 'value'
  /** The key at the path (an unknown key). */
  | 'key'
  /** The mapping that should hold the path's last key (a missing key). */
  | 'parent';

interface Found {
  /** The deepest node reached along the path. */
  node: Node | null;
  /** The key node of the last pair stepped through, if the path ended on it. */
  key: Node | null;
  /** Whether the whole path was found. */
  complete: boolean;
}

/** The position a problem at `path` should point at; the file's start when nothing better exists. */
export function locate(
  document: Document,
  lineCounter: LineCounter,
  path: readonly PathSegment[],
  anchor: Anchor,
): Position {
  const target = anchor === 'parent' ? path.slice(0, -1) : path;
  const found = walk(document, target);
  // A partial walk lands on the deepest ancestor that exists: still the right neighbourhood.
  const node = anchor === 'key' && found.complete && found.key ? found.key : found.node;
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function walk(document: Document, path: readonly PathSegment[]): Found {
  let node = resolveAlias(document, document.contents as Node | null);
  let key: Node | null = null;
  for (const segment of path) {
    if (node === null) return { node: null, key: null, complete: false };
    const next = child(document, node, segment);
    if (next === undefined) return { node, key: null, complete: false };
    node = next.value ?? next.key ?? node;
    key = next.key;
  }
  return { node, key, complete: true };
}

function child(
  document: Document,
  node: Node,
  segment: PathSegment,
): { key: Node | null; value: Node | null } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isScalar(pair.key) && String(pair.key.value) === String(segment)) {
        return { key: pair.key, value: resolveAlias(document, pair.value as Node | null) };
      }
    }
    return undefined;
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined
      ? undefined
      : { key: null, value: resolveAlias(document, item as Node | null) };
  }
  return undefined;
}

/** `*anchor` references point at their anchored node, where the text actually is. */
function resolveAlias(document: Document, node: Node | null): Node | null {
  if (node !== null && isAlias(node)) return (node.resolve(document) as Node | undefined) ?? node;
  return node;
}
