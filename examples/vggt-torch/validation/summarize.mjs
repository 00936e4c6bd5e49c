// Summarizes repeated gate runs (run-gates.sh): per label, how many runs gave each
// latency verdict, the ratios and intervals, and each benchmark's time (`seconds` in the
// results: worker starts to verdict; run-gates.sh prints each whole command's wall time).
//
//   node examples/vggt-torch/validation/summarize.mjs <dir> [--markdown]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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
    rounds: bench?.rounds ?? null,
  };
  if (!byLabel.has(label)) byLabel.set(label, []);
  byLabel.get(label).push(row);
}
const pct = (r) => (r === null ? 'n/a' : `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(2)}%`);
const median = (xs) => {
  const s = xs.filter((x) => x !== null).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : null;
};
console.log(
  '| label | runs | regression | unchanged | inconclusive | improvement | failed | median ratio | widest interval | median s/run | max s/run |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|');
for (const [label, rows] of byLabel) {
  const count = (v) => rows.filter((r) => r.verdict === v).length;
  const widest = rows.reduce(
    (w, r) =>
      r.upper !== null && r.lower !== null && (!w || r.upper - r.lower > w.upper - w.lower) ? r : w,
    null,
  );
  console.log(
    `| ${label} | ${rows.length} | ${count('regression')} | ${count('unchanged')} | ${count('inconclusive')} | ${count('improvement')} | ${rows.filter((r) => r.status !== 'complete').length} | ${pct(median(rows.map((r) => r.ratio)))} | ${widest ? `[${pct(widest.lower)}, ${pct(widest.upper)}]` : 'n/a'} | ${median(rows.map((r) => r.seconds))?.toFixed(0) ?? 'n/a'} | ${Math.max(...rows.map((r) => r.seconds ?? 0)).toFixed(0)} |`,
  );
}
if (process.argv.includes('--runs'))
  for (const [label, rows] of byLabel)
    for (const r of rows)
      console.log(
        `${label} ${r.file}: ${r.verdict} ${pct(r.ratio)} [${pct(r.lower)}, ${pct(r.upper)}] ${r.rounds} rounds ${r.seconds?.toFixed(1)} s`,
      );
