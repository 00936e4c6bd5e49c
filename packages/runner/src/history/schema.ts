import * as z from 'zod';
import { BENCHMARK_NAME_PATTERN } from '../config/index.js';
import { HISTORY_KIND, HISTORY_SCHEMA_VERSION, type HistoryEntry } from './entry.js';

/**
 * An entry's shape, checked where one is read: a history lives on a branch
 * that anyone with push access (or a bad merge) can change, so a file that
 * is not an entry is named and skipped, never drawn.
 */

const finite = z.number();
const interval = z.number().nullable();
const point = z.object({
  metric: z.enum(['latency', 'memory', 'throughput']),
  unit: z.enum(['ms', 'bytes', 'items/s']),
  median: finite,
  lower: interval,
  upper: interval,
  change: z.object({ ratio: finite, lower: finite, upper: finite }).nullable(),
  verdict: z.enum(['regression', 'improvement', 'unchanged', 'inconclusive', 'not-measured']),
  threshold: finite,
  noise: z
    .object({
      perRoundSd: finite,
      betweenPairSd: finite,
      roundsPerPair: z.number().int().nonnegative(),
    })
    .nullable()
    .optional(),
});
const entry = z.object({
  schemaVersion: z.literal(HISTORY_SCHEMA_VERSION),
  kind: z.literal(HISTORY_KIND),
  recordedAt: z.iso.datetime(),
  measuredAt: z.string(),
  commit: z.object({
    sha: z
      .string()
      .regex(/^[0-9a-f]{7,64}$/i)
      .nullable(),
    ref: z.string(),
    baseSha: z
      .string()
      .regex(/^[0-9a-f]{7,64}$/i)
      .nullable(),
  }),
  device: z.string(),
  runner: z.string().nullable(),
  configHash: z.string(),
  calibration: z.boolean().optional(),
  verdict: z.enum(['pass', 'regression', 'inconclusive', 'failed']),
  benchmarks: z.array(
    z.object({
      // The config's rule for names: an entry's text reaches logs and comments.
      name: z.string().regex(BENCHMARK_NAME_PATTERN, 'a benchmark name as perf-gate.yml allows it'),
      status: z.enum(['complete', 'failed']),
      points: z.array(point),
    }),
  ),
});

/**
 * The entry in `data`, or why it is not one (the first problem, with its
 * field): what a reader says about a file it skips.
 *
 * @example
 * const checked = checkHistoryEntry(JSON.parse(text));
 * if ('problem' in checked) console.warn(`skipped: ${checked.problem}`);
 */
export function checkHistoryEntry(data: unknown): { entry: HistoryEntry } | { problem: string } {
  const parsed = entry.safeParse(data);
  if (parsed.success) return { entry: parsed.data as HistoryEntry };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return { problem: `${where}${issue?.message ?? 'not a history entry'}` };
}
