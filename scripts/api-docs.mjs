#!/usr/bin/env node
/**
 * Which public exports of a package lack their documentation: every name an
 * entry point of the package exports (package.json "exports", source
 * condition) must have a doc comment where it is declared, and every exported
 * function and class an `@example` in it. Declarations are found by
 * following `export { ... } from` chains; the check reads source text (the
 * compiler has no JS API to ask), so it knows the declaration forms the
 * repository uses and says so when it cannot find one.
 *
 *   node scripts/api-docs.mjs packages/runner   # lists what is missing; exit 1 if anything is
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const DECLARATION = (name) =>
  new RegExp(
    `^export (?:declare )?(?:abstract )?(?:async )?(function\\*?|const|let|class|interface|type|enum) ${name}\\b`,
    'm',
  );
const RE_EXPORT = /export (?:type )?\{([^}]*)\} from '(\.[^']+)'/g;

/** `a`, `type B`, `c as d` → { local: 'a' | 'B' | 'c', exported: 'a' | 'B' | 'd' }. */
function namesOf(list) {
  return list
    .split(',')
    .map((item) => item.trim().replace(/^type\s+/, ''))
    .filter(Boolean)
    .map((item) => {
      const [local, exported] = item.split(/\s+as\s+/);
      return { local: local.trim(), exported: (exported ?? local).trim() };
    });
}

const sourceOf = (from, specifier) =>
  normalize(join(dirname(from), specifier.replace(/\.js$/, '.ts')));

/** Where `name` is declared, following re-exports: { kind, doc, file } or null. */
function declarationOf(file, name, depth = 0) {
  if (depth > 6 || !existsSync(file)) return null;
  const text = readFileSync(file, 'utf8');
  const found = DECLARATION(name.replace(/[$]/g, '\\$')).exec(text);
  if (found) {
    const before = text.slice(0, found.index).trimEnd();
    const doc = before.endsWith('*/') ? before.slice(before.lastIndexOf('/**')) : '';
    return { kind: found[1], doc, file };
  }
  for (const match of text.matchAll(RE_EXPORT)) {
    const hit = namesOf(match[1]).find((n) => n.exported === name);
    if (hit) return declarationOf(sourceOf(file, match[2]), hit.local, depth + 1);
  }
  return null;
}

/** The package's entry points, from package.json "exports" (source condition). */
function entryPoints(packageDir) {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  return Object.values(manifest.exports ?? {})
    .map((entry) => (typeof entry === 'string' ? entry : entry.source))
    .filter(Boolean)
    .map((path) => join(packageDir, path));
}

/**
 * Every problem with the package's public documentation, one line each;
 * empty when every export is documented.
 *
 * @example
 * const problems = apiDocProblems('packages/timing');
 * if (problems.length > 0) console.log(problems.join('\n'));
 */
export function apiDocProblems(packageDir) {
  const problems = [];
  for (const entry of entryPoints(packageDir)) {
    const text = readFileSync(entry, 'utf8');
    for (const match of text.matchAll(RE_EXPORT)) {
      for (const { local, exported } of namesOf(match[1])) {
        const found = declarationOf(sourceOf(entry, match[2]), local);
        const where = found ? relative(packageDir, found.file) : match[2];
        if (!found) problems.push(`${exported}: declaration not found (from ${match[2]})`);
        else if (!found.doc) problems.push(`${exported} (${found.kind}, ${where}): no doc comment`);
        else if (/^(function|class)/.test(found.kind) && !found.doc.includes('@example'))
          problems.push(`${exported} (${found.kind}, ${where}): no @example in its doc comment`);
      }
    }
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let failed = false;
  for (const dir of process.argv.slice(2)) {
    const problems = apiDocProblems(dir);
    console.log(
      `${dir}: ${problems.length === 0 ? 'every export documented' : `${problems.length} to document`}`,
    );
    for (const p of problems) console.log(`  ${p}`);
    failed ||= problems.length > 0;
  }
  process.exitCode = failed ? 1 : 0;
}
