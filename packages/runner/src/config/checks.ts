/**
 * Rules a per-field schema cannot state: names unique across benchmarks,
 * metrics listed once. They run on the raw data next to zod, so they are
 * reported together with every other problem, not after those are fixed.
 */
import { formatPath } from './describe.js';
import { type Draft, isRecord, valueAt } from './issues.js';

export function checkDuplicates(data: unknown): Draft[] {
  const drafts: Draft[] = [];
  const benchmarks = valueAt(data, ['benchmarks']);
  if (!Array.isArray(benchmarks)) return drafts;
  const firstByName = new Map<string, number>();
  benchmarks.forEach((benchmark, index) => {
    if (!isRecord(benchmark) || typeof benchmark.name !== 'string') return;
    const first = firstByName.get(benchmark.name);
    if (first === undefined) {
      firstByName.set(benchmark.name, index);
      return;
    }
    drafts.push({
      path: ['benchmarks', index, 'name'],
      anchor: 'value',
      message: `duplicate benchmark name ${JSON.stringify(benchmark.name)}, already used by ${formatPath(['benchmarks', first])}; give each benchmark a unique name`,
    });
  });
  drafts.push(...duplicateMetrics(data, ['defaults', 'metrics']));
  benchmarks.forEach((_, index) => {
    drafts.push(...duplicateMetrics(data, ['benchmarks', index, 'metrics']));
  });
  return drafts;
}

function duplicateMetrics(data: unknown, path: (string | number)[]): Draft[] {
  const metrics = valueAt(data, path);
  if (!Array.isArray(metrics)) return [];
  const seen = new Set<unknown>();
  const drafts: Draft[] = [];
  metrics.forEach((metric, index) => {
    if (seen.has(metric)) {
      drafts.push({
        path: [...path, index],
        anchor: 'value',
        message: `${JSON.stringify(metric)} is listed twice; remove the repeat`,
      });
    }
    seen.add(metric);
  });
  return drafts;
}
