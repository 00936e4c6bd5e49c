// Summarizes repeated gate runs (run-gates.sh): per label, how many runs gave each
// latency verdict, the ratios and the range of their intervals, and each run's times:
// `verdictSeconds` from the results (first worker start to the last timed round, when
// the verdict was known), `seconds` (to the end: the untimed profiling and the shutdown
// included), and the whole command's wall time, which run-gates.sh appends to each log.
//
//   node examples/vggt-torch/validation/summarize.mjs <dir>... [--runs]
//
// Several directories pool their runs by label (e.g. the runs of several sessions);
// --runs adds one line per run.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** What a run's log (run-gates.sh keeps it beside the results) says about its times. */
function fromLog(path) {
  if (!existsSync(path)) return { verdictSeconds: null, commandSeconds: null };
  const text = readFileSync(path, 'utf8');
  const at = (pattern) => {
    const m = text.match(new RegExp(`^\\s*([\\d.]+)s .*${pattern}`, 'm'));
    return m ? Number(m[1]) : null;
  };
  // Results written before `verdictSeconds` existed: the log stamps the line that starts
  // the profiling, which follows the last timed round; its time since the first worker
  // start is the same figure.
  const start = at('starting processes');
  const profiling = at('profiling what ran');
  const command = text.match(/^run-gates: whole command (\d+) s/m);
  return {
    verdictSeconds: start !== null && profiling !== null ? profiling - start : null,
    commandSeconds: command ? Number(command[1]) : null,
  };
}

function readRun(dir, file) {
  const results = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const bench = results.benchmarks?.[0];
  const latency = bench?.metrics?.find((m) => m.metric === 'latency');
  const log = fromLog(join(dir, file.replace(/\.json$/, '.log')));
  return {
    file,
    status: bench?.status ?? 'missing',
    verdict: latency?.verdict ?? 'failed',
    ratio: latency?.ratio ?? null,
    lower: latency?.interval?.lower ?? null,
    upper: latency?.interval?.upper ?? null,
    seconds: bench?.seconds ?? null,
    verdictSeconds: bench?.verdictSeconds ?? log.verdictSeconds,
    commandSeconds: log.commandSeconds,
    rounds: bench?.rounds ?? null,
  };
}

const args = process.argv.slice(2);
const dirs = args.filter((a) => !a.startsWith('--'));
if (dirs.length === 0) dirs.push('validation-runs');
const byLabel = new Map();
for (const dir of dirs) {
  if (!existsSync(dir)) {
    console.error(
      `summarize: ${dir} does not exist (run-gates.sh writes to OUT_DIR, default ./validation-runs)`,
    );
    process.exit(2);
  }
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const label = basename(file).replace(/-\d+\.json$/, '');
    if (!byLabel.has(label)) byLabel.set(label, []);
    byLabel.get(label).push(readRun(dir, file));
  }
}
if (byLabel.size === 0) {
  console.error(`summarize: no results files (*.json) in ${dirs.join(', ')}`);
  process.exit(2);
}

const pct = (r) => (r === null ? 'n/a' : `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(2)}%`);
const known = (xs) => xs.filter((x) => x !== null);
const median = (xs) => {
  const s = known(xs).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const seconds = (xs) =>
  known(xs).length ? `${median(xs).toFixed(1)} (${Math.max(...known(xs)).toFixed(1)})` : 'n/a';

console.log(
  '| label | runs | regression | unchanged | inconclusive | improvement | failed | median ratio | intervals, lowest lower / highest upper | verdict after, median (max) s | benchmark, median (max) s | whole command, median (max) s |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|');
for (const [label, rows] of [...byLabel].sort(([a], [b]) => a.localeCompare(b))) {
  const count = (v) => rows.filter((r) => r.verdict === v).length;
  const lowers = known(rows.map((r) => r.lower));
  const uppers = known(rows.map((r) => r.upper));
  const bounds = lowers.length
    ? `${pct(Math.min(...lowers))} / ${pct(Math.max(...uppers))}`
    : 'n/a';
  console.log(
    `| ${label} | ${rows.length} | ${count('regression')} | ${count('unchanged')} | ${count('inconclusive')} | ${count('improvement')} | ${rows.filter((r) => r.status !== 'complete').length} | ${pct(median(rows.map((r) => r.ratio)))} | ${bounds} | ${seconds(rows.map((r) => r.verdictSeconds))} | ${seconds(rows.map((r) => r.seconds))} | ${seconds(rows.map((r) => r.commandSeconds))} |`,
  );
}
if (args.includes('--runs'))
  for (const [label, rows] of byLabel)
    for (const r of rows)
      console.log(
        `${label} ${r.file}: ${r.verdict} ${pct(r.ratio)} [${pct(r.lower)}, ${pct(r.upper)}] ${r.rounds} rounds, verdict after ${r.verdictSeconds?.toFixed(1) ?? 'n/a'} s, ${r.seconds?.toFixed(1) ?? 'n/a'} s in all${r.commandSeconds === null ? '' : `, command ${r.commandSeconds} s`}`,
      );
