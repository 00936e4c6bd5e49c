#!/usr/bin/env node
/**
 * The longest functions of a package's src/: each function, method and
 * arrow function assigned to a name, from its first line to its closing
 * brace, counted by matching braces outside strings and comments (the
 * compiler has no JS API to ask). The repository's rule: none over 100
 * lines, except flat tables of bindings a file names in ALLOWED.
 *
 *   node scripts/function-lengths.mjs packages/runner   # the ten longest, and any over the limit
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const MAX_FUNCTION_LINES = 100;
/** Flat tables of foreign-function bindings: one line per NVML call, nothing to split. */
const ALLOWED = new Set(['nvml-koffi.ts:loadNvml', 'nvml-reader.ts:nvmlReader']);

const START =
  /^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\*?\s+([\w$]+)|(?:const|let)\s+([\w$]+)\s*=\s*(?:async\s*)?(?:\([^)]*\)|[\w$]+)\s*(?::[^=]+)?=>|(?:(?:public|private|protected|static|async|readonly|get|set)\s+)*(#?[\w$]+)\s*\([^;]*\)\s*(?::\s*[^{;]+)?\{\s*$)/;
const NOT_FUNCTIONS = new Set(['if', 'for', 'while', 'switch', 'catch', 'return', 'function']);

/** Code without strings, template text and comments, so braces in them are not counted. */
function codeOf(line) {
  return line.replace(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|`(?:\\.|[^`\\])*`|\/\/.*$/g, '');
}

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/**
 * Every function of `packageDir`'s src/ with its length in lines, longest first.
 *
 * @example
 * const [longest] = functionLengths('packages/timing'); // { where: 'src/measure.ts:475 resolveOptions', lines: 68, allowed: false }
 */
export function functionLengths(packageDir) {
  const out = [];
  for (const file of sources(join(packageDir, 'src'))) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const m = START.exec(line);
      const name = m && (m[1] ?? m[2] ?? m[3]);
      if (!name || NOT_FUNCTIONS.has(name)) return;
      let depth = 0;
      let opened = false;
      for (let j = i; j < lines.length && (opened || j < i + 8); j++) {
        const code = codeOf(lines[j]);
        for (const c of code) {
          if (c === '{') {
            depth++;
            opened = true;
          } else if (c === '}') depth--;
        }
        if (opened && depth <= 0) {
          const base = file.split('/').at(-1);
          out.push({
            where: `${relative(packageDir, file)}:${i + 1} ${name}`,
            lines: j - i + 1,
            allowed: ALLOWED.has(`${base}:${name}`),
          });
          return;
        }
      }
    });
  }
  return out.sort((a, b) => b.lines - a.lines);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let failed = false;
  for (const dir of process.argv.slice(2)) {
    const all = functionLengths(dir);
    const over = all.filter((f) => f.lines > MAX_FUNCTION_LINES && !f.allowed);
    console.log(`${dir}: ${all.length} functions, ${over.length} over ${MAX_FUNCTION_LINES} lines`);
    for (const f of all.slice(0, 10))
      console.log(
        `  ${String(f.lines).padStart(4)}  ${f.where}${f.allowed ? ' (a bindings table)' : ''}`,
      );
    failed ||= over.length > 0;
  }
  process.exitCode = failed ? 1 : 0;
}
