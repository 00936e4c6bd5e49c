// Summarizes repeated gate runs (run-gates.sh): per label, how many runs gave each
// latency verdict, the ratios and intervals, and each benchmark's times from the results:
// `verdictSeconds` (first worker start to the last timed round, when the verdict was known)
// and `seconds` (to the end: the untimed profiling and the shutdown included).
// run-gates.sh prints each whole command's wall time.
//
//   node examples/vggt-torch/validation/summarize.mjs <dir> [--markdown]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Results written before `verdictSeconds` existed: the run's log (run-gates.sh keeps it
 * beside the results) stamps the line that starts the profiling, which follows the last
 * timed round; its time since the first worker start is the same figure.
 */
function verdictFromLog(path) {
  if (!existsSync(path)) return null;
  const text = readFileSync(path, 'utf8');
  const at = (pattern) => {
    const m = text.match(new RegExp(`^\\s*([\\d.]+)s .*${pattern}`, 'm'));
    return m ? Number(m[1]) : null;
  };
  const start = at('starting processes');
  const verdict = at('profiling what ran');
  return start !== null && verdict !== null ? verdict - start : null;
}

const dir = process.argv[2] ?? 'validation-runs';
const byLabel = new Map();
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const label = file.replace(/-\d+\.json$/, '');
  const results = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const bench = results.benchmarks[0];
  const latency = bench?.metrics.find((m) => m.metric === 'latency');
  const row = {
    file,
    status: bench?.status ?? 'missing',
    verdict: latency?.verdict ?? 'failed',
    ratio: latency?.ratio ?? null,
    lower: latency?.interval?.lower ?? null,
    upper: latency?.interval?.upper ?? null,
    seconds: bench?.seconds ?? null,
    verdictSeconds:
      bench?.verdictSeconds ?? verdictFromLog(join(dir, file.replace(/\.json$/, '.log'))),
    rounds: bench?.rounds ?? null,
  };
  if (!byLabel.has(label)) byLabel.set(label, []);
  byLabel.get(label).push(row);
}
const pct = (r) => (r === null ? 'n/a' : `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(2)}%`);
const median = (xs) => {
  const s = xs.filter((x) => x !== null).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
console.log(
  '| label | runs | regression | unchanged | inconclusive | improvement | failed | median ratio | widest interval | verdict after, median (max) s | benchmark, median (max) s |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|');
const seconds = (xs) => {
  const known = xs.filter((x) => x !== null);
  return known.length ? `${median(known).toFixed(0)} (${Math.max(...known).toFixed(0)})` : 'n/a';
};
for (const [label, rows] of byLabel) {
  const count = (v) => rows.filter((r) => r.verdict === v).length;
  const widest = rows.reduce(
    (w, r) =>
      r.upper !== null && r.lower !== null && (!w || r.upper - r.lower > w.upper - w.lower) ? r : w,
    null,
  );
  console.log(
    `| ${label} | ${rows.length} | ${count('regression')} | ${count('unchanged')} | ${count('inconclusive')} | ${count('improvement')} | ${rows.filter((r) => r.status !== 'complete').length} | ${pct(median(rows.map((r) => r.ratio)))} | ${widest ? `[${pct(widest.lower)}, ${pct(widest.upper)}]` : 'n/a'} | ${seconds(rows.map((r) => r.verdictSeconds))} | ${seconds(rows.map((r) => r.seconds))} |`,
  );
}
if (process.argv.includes('--runs'))
  for (const [label, rows] of byLabel)
    for (const r of rows)
      console.log(
        `${label} ${r.file}: ${r.verdict} ${pct(r.ratio)} [${pct(r.lower)}, ${pct(r.upper)}] ${r.rounds} rounds, verdict after ${r.verdictSeconds?.toFixed(1) ?? 'n/a'} s, ${r.seconds?.toFixed(1)} s in all`,
      );
