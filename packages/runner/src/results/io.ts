import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RunnerError } from '../errors.js';
import { checkResults } from './schema.js';
import { type GateResults, RESULTS_SCHEMA_VERSION } from './types.js';

/**
 * Writes atomically: a temporary file in the same directory, then a rename,
 * so a reader never sees half a file and a crash never leaves one. Creates
 * the parent directory when it is missing. Throws a RunnerError
 * (RESULTS_IO) naming the path when it cannot write.
 *
 * @example
 * import { readResults, writeResults } from '@vggt-perf-gate/runner';
 * const results = await readResults('perf-gate-results.json');
 * await writeResults('archive/perf-gate-results.json', results); // archive/ is created if needed
 */
export async function writeResults(path: string, results: GateResults): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, `${JSON.stringify(results, null, 2)}\n`);
    await rename(temporary, path);
  } catch (cause) {
    // Best effort: where the write failed (a parent that is a file), so can this.
    await rm(temporary, { force: true }).catch(() => undefined);
    throw new RunnerError(
      'RESULTS_IO',
      `cannot write the results to ${path}: ${(cause as Error).message}. Choose a writable path with --results.`,
      { cause },
    );
  }
}

/**
 * Reads and checks a results file: its schema version, then every field's
 * type (schema.ts), since the file may come from a fork's run.
 * Throws a RunnerError (RESULTS_IO) naming the file and the fields.
 *
 * @example
 * import { readResults } from '@vggt-perf-gate/runner';
 * const results = await readResults('perf-gate-results.json');
 * console.log(`${results.verdict}: ${results.regressions} regression(s) in ${results.benchmarks.length} benchmarks`);
 */
export async function readResults(path: string): Promise<GateResults> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new RunnerError(
      'RESULTS_IO',
      `cannot read results from ${path}: ${(cause as Error).message}`,
      { cause },
    );
  }
  const version = (parsed as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== RESULTS_SCHEMA_VERSION) {
    throw new RunnerError(
      'RESULTS_IO',
      `${path} has results schema version ${JSON.stringify(version)}; this tool reads version ${RESULTS_SCHEMA_VERSION}. Re-run the gate with this version, or use the version that wrote it.`,
    );
  }
  return checkResults(parsed, path);
}
