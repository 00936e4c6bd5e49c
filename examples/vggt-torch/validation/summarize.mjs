// Summarizes repeated gate runs (run-gates.sh): per label, how many runs gave each
// latency verdict, the ratios and the range of their intervals, and each run's times:
// `verdictSeconds` from the results (first worker start to the last timed round, when
// the verdict was known), `seconds` (to the end: the untimed profiling and the shutdown
// included), and the whole command's wall time, which run-gates.sh appends to each log.
//
//   node examples/vggt-torch/validation/summarize.mjs <dir>... [--runs] [--pool NAME=label,...]...
//
// Reads <label>-<n>.json (run-gates.sh's names) and the <label>-<n>.log beside each, or
// <label><n>.results.json and <label><n>.log (action-run.sh's and gate-runs.sh's names;
// a single run may have no number: wr-aa.results.json is label wr-aa, while a name that
// ends in digits takes them as its number: wr-fp32.results.json is label wr-fp).
// Several directories pool their runs by label (e.g. the runs of several sessions): give
// runs of different settings different labels. --pool counts the labels it lists as one
// row NAME (runs of one setting labelled per session) and leaves out every label in no
// pool, so a tally holds exactly the runs named; a pooled label with no runs is an error.
// With several rows, a last row gives every run's times together. --runs adds one line
// per run.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const RUN_FILE = /^(.+?)-?(\d+)(\.results)?\.json$/;
const SINGLE_RUN_FILE = /^(.+)()\.results\.json$/;
// Each run lands in exactly one column: a benchmark that did not complete is "failed"
// whatever its metrics say; a complete one is counted by its latency verdict.
const COLUMNS = ['regression', 'unchanged', 'inconclusive', 'improvement', 'failed or other'];

function fail(message) {
  console.error(`summarize: ${message}`);
  process.exit(2);
}

/** What a run's log says about its times. */
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
  const command =
    text.match(/^run-gates: whole command (\d+) s/m) ??
    text.match(/^action-run: exit \d+, whole step (\d+) s/m);
  return {
    verdictSeconds: start !== null && profiling !== null ? profiling - start : null,
    commandSeconds: command ? Number(command[1]) : null,
  };
}

function readRun(dir, file) {
  const path = join(dir, file);
  let results;
  try {
    results = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    fail(`${path} is not a results file (${error.message}); move it out of the directory`);
  }
  const bench = results.benchmarks?.[0];
  const latency = bench?.metrics?.find((m) => m.metric === 'latency');
  const log = fromLog(path.replace(/(\.results)?\.json$/, '.log'));
  const verdict = bench?.status === 'complete' ? (latency?.verdict ?? 'no latency') : 'failed';
  return {
    file,
    column: COLUMNS.includes(verdict) ? verdict : 'failed or other',
    verdict,
    ratio: latency?.ratio ?? null,
    lower: latency?.interval?.lower ?? null,
    upper: latency?.interval?.upper ?? null,
    seconds: bench?.seconds ?? null,
    verdictSeconds: bench?.verdictSeconds ?? log.verdictSeconds,
    commandSeconds: log.commandSeconds,
    rounds: bench?.rounds ?? null,
  };
}

/** The directories, --runs, and each --pool's labels mapped to its name. */
function parseArgs(argv) {
  const options = { dirs: [], runs: false, pools: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--runs') options.runs = true;
    else if (arg === '--pool') addPool(options.pools, argv[++i]);
    else if (arg.startsWith('--'))
      fail(`unknown option ${arg} (options: --runs, --pool NAME=label,...)`);
    else options.dirs.push(arg);
  }
  if (options.dirs.length === 0) options.dirs.push('validation-runs');
  return options;
}

function addPool(pools, spec) {
  const m = /^([^=]+)=(.+)$/.exec(spec ?? '');
  if (!m)
    fail(
      `--pool takes NAME=label,label,... e.g. --pool "A/A=n-aa,m-aa" (got ${spec ?? 'nothing'})`,
    );
  const [, name, list] = m;
  for (const label of list.split(',').map((l) => l.trim())) {
    if (label === '') fail(`--pool ${spec}: an empty label (two commas, or one at an end)`);
    if (pools.get(label) === name) fail(`--pool ${spec}: ${label} is listed twice`);
    if (pools.has(label)) fail(`label ${label} is in two pools (${pools.get(label)} and ${name})`);
    pools.set(label, name);
  }
}

const { dirs, runs: perRun, pools } = parseArgs(process.argv.slice(2));
// With pools, a label's row is its pool's; a label in none is left out.
const rowOf = (label) => (pools.size ? pools.get(label) : label);
const leftOut = new Set();
const seen = new Set();
const byLabel = new Map();
for (const dir of dirs) {
  if (!existsSync(dir))
    fail(`${dir} does not exist (run-gates.sh writes to OUT_DIR, default ./validation-runs)`);
  if (!statSync(dir).isDirectory()) fail(`${dir} is not a directory: give the directory of runs`);
  const runs = readdirSync(dir)
    .map((file) => ({ file, match: RUN_FILE.exec(file) ?? SINGLE_RUN_FILE.exec(file) }))
    .filter(({ file, match }) => {
      if (!match && file.endsWith('.json') && !file.endsWith('.comments.json'))
        console.error(
          `summarize: skipping ${join(dir, file)}: not named <label>-<n>.json or <label>[<n>].results.json`,
        );
      return match;
    })
    .sort(
      (a, b) => a.match[1].localeCompare(b.match[1]) || Number(a.match[2]) - Number(b.match[2]),
    );
  if (runs.length === 0) console.error(`summarize: no results files in ${dir}`);
  for (const { file, match } of runs) {
    seen.add(match[1]);
    const label = rowOf(match[1]);
    if (label === undefined) {
      leftOut.add(match[1]);
      continue;
    }
    if (!byLabel.has(label)) byLabel.set(label, []);
    byLabel.get(label).push(readRun(dir, file));
  }
}
if (leftOut.size)
  console.error(`summarize: left out, in no --pool: ${[...leftOut].sort().join(', ')}`);
const missing = [...pools.keys()].filter((l) => !seen.has(l));
const found = `labels found: ${[...seen].sort().join(', ') || 'none'}`;
if (missing.length) fail(`no runs of ${missing.join(', ')}, named in --pool (${found})`);
if (byLabel.size === 0) fail(`no results files in ${dirs.join(', ')}`);
const labels = [...byLabel.keys()].sort((a, b) => a.localeCompare(b));

const pct = (r) => {
  if (r === null) return 'n/a';
  const text = ((r - 1) * 100).toFixed(2);
  return text === '-0.00' || text === '0.00' ? '0.00%' : `${r > 1 ? '+' : ''}${text}%`;
};
const known = (xs) => xs.filter((x) => x !== null);
const median = (xs) => {
  const s = known(xs).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const seconds = (xs, digits) =>
  known(xs).length
    ? `${median(xs).toFixed(digits)} (${Math.max(...known(xs)).toFixed(digits)})`
    : 'n/a';

console.log(
  `| label | runs | ${COLUMNS.join(' | ')} | median ratio | intervals, lowest lower / highest upper | verdict after, median (max) s | benchmark, median (max) s | whole command, median (max) s |`,
);
console.log(`|---|---:|${COLUMNS.map(() => '---:|').join('')}---:|---|---:|---:|---:|`);
function row(label, rows, pooled = false) {
  const counts = COLUMNS.map((c) => rows.filter((r) => r.column === c).length);
  const lowers = known(rows.map((r) => r.lower));
  const uppers = known(rows.map((r) => r.upper));
  const bounds = lowers.length
    ? `${pct(Math.min(...lowers))} / ${pct(Math.max(...uppers))}`
    : 'n/a';
  const times = (key, digits) =>
    seconds(
      rows.map((r) => r[key]),
      digits,
    );
  return `| ${label} | ${rows.length} | ${counts.join(' | ')} | ${pooled ? '' : pct(median(rows.map((r) => r.ratio)))} | ${pooled ? '' : bounds} | ${times('verdictSeconds', 1)} | ${times('seconds', 1)} | ${times('commandSeconds', 0)} |`;
}
for (const label of labels) console.log(row(label, byLabel.get(label)));
// Every run's times together: how long a gate run takes does not depend on the slowdown.
// Its ratio and bounds would mix slowdowns, so they are left blank.
const everyRun = labels.flatMap((l) => byLabel.get(l));
if (labels.length > 1) console.log(row('(all runs)', everyRun, true));
if (perRun)
  for (const label of labels)
    for (const r of byLabel.get(label))
      console.log(
        `${label} ${r.file}: ${r.verdict} ${pct(r.ratio)} [${pct(r.lower)}, ${pct(r.upper)}] ${r.rounds} rounds, verdict after ${r.verdictSeconds?.toFixed(1) ?? 'n/a'} s, ${r.seconds?.toFixed(1) ?? 'n/a'} s in all${r.commandSeconds === null ? '' : `, command ${r.commandSeconds} s`}`,
      );
