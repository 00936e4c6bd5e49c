import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The runner's modules in layers, each allowed to import only from its own
 * layer and those below: config and workloads at the bottom, then the results
 * file's shape, the analyses of what ran, the gate that measures, and the
 * reports on top (see README.md, "Layout"). An import against this order is a
 * cycle waiting to happen, and the reason a change in a report would ripple
 * into measuring.
 */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['errors.ts', 'version.ts'],
  ['config'],
  ['workloads'],
  ['results'],
  ['analysis', 'history'],
  ['gate'],
  ['report', 'demo'],
  ['cli.ts', 'index.ts', 'history-index.ts', 'commands'],
];

const SRC = fileURLToPath(new URL('../src', import.meta.url));

function layerOf(path: string): number {
  const top = relative(SRC, path).split('/')[0] ?? '';
  const layer = LAYERS.findIndex((names) => names.includes(top));
  if (layer < 0) throw new Error(`${top} is in no layer: add it to LAYERS`);
  return layer;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Each relative import of `file`, as the source file it names. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/from '(\.{1,2}\/[^']+)'/g)].map((m) =>
    resolve(dirname(file), (m[1] ?? '').replace(/\.js$/, '.ts')),
  );
}

describe('the runner source', () => {
  it('imports only along the layers, from top to bottom', () => {
    const against = sources(SRC).flatMap((file) =>
      importsOf(file)
        .filter((target) => layerOf(target) > layerOf(file))
        .map((target) => `${relative(SRC, file)} -> ${relative(SRC, target)}`),
    );
    expect(against).toEqual([]);
  });

  it('is checked at all: every module is in a layer and the scan finds imports', () => {
    const files = sources(SRC);
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) expect(layerOf(file)).toBeGreaterThanOrEqual(0);
    expect(files.flatMap(importsOf).length).toBeGreaterThan(100);
  });
});

describe('the API documentation check (scripts/api-docs.mjs)', () => {
  it('names each export without a doc comment, each function without an example, and what it cannot find', async () => {
    const { apiDocProblems } = await import('../../../scripts/api-docs.mjs');
    const fixture = fileURLToPath(new URL('./fixtures/api-docs', import.meta.url));
    expect(apiDocProblems(fixture)).toEqual([
      'noExample (function, src/functions.ts): no @example in its doc comment',
      'undocumented (const, src/functions.ts): no doc comment',
      'missing: declaration not found (from ./types.js)',
    ]);
  });
});
