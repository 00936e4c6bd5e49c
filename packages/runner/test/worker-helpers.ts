import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkloadContext } from '../src/workloads/types.js';
import { type WorkerWorkloadConfig, workerWorkload } from '../src/workloads/worker.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The Python client, imported by the fixtures through PYTHONPATH. */
export const CLIENT_DIR = resolve(here, '../../../clients/python');
export const FIXTURES = join(here, 'fixtures', 'workers');

/** A context whose log is kept for assertions. */
export function testContext(overrides: Partial<WorkloadContext> = {}) {
  const lines: string[] = [];
  const context: WorkloadContext = {
    side: 'head',
    cwd: FIXTURES,
    dtype: 'bf16',
    log: (line) => lines.push(line),
    ...overrides,
  };
  return { context, lines };
}

/** A worker workload running `python3 fixtures/workers/<script>` with the client on PYTHONPATH. */
export function fixtureWorkload(
  script: string,
  config: Partial<WorkerWorkloadConfig> & { env?: Record<string, string> } = {},
) {
  return workerWorkload({
    command: ['python3', join(FIXTURES, script)],
    ...config,
    env: { PYTHONPATH: CLIENT_DIR, ...config.env },
  });
}

/**
 * True when `pid` no longer runs. A process that died but was not reaped
 * counts as gone: where PID 1 does not reap orphans (some containers, this
 * sandbox's init), a killed grandchild stays a zombie forever, holding no
 * memory and no GPU, yet still answering kill(pid, 0).
 */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw error;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** True when kill(pid, 0) says ESRCH: the process is gone and reaped. */
export function isReaped(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
