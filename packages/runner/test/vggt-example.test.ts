import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';

// The VGGT-1B example's torch-free half: its shapes and the validation runs' slowdown knob.
const example = fileURLToPath(new URL('../../../examples/vggt-torch', import.meta.url));

function python(code: string) {
  const r = spawnSync('python3', ['-c', code], { cwd: example, encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe('examples/vggt-torch shapes', () => {
  it('has the parameter count of VGGT-1B without its track head (1.1-1.2 B) and prints its FLOPs', () => {
    const out = python('import runpy; runpy.run_path("vggt_config.py", run_name="__main__")');
    expect(out).toMatch(/parameters 1,190,596,120 \(1\.191 B, without the track head\)/);
    expect(out).toMatch(/of which DINOv2 encoder +304,372,736/);
    expect(out).toMatch(/camera head +216,174,610/);
    expect(out).toMatch(/^20 frames: [\d.]+ TFLOP per forward/m);
  });

  it('counts parameters as the torch modules hold them', () => {
    // Counts that torch reported for model.py (check_cpu.py: a CPU build for the tiny
    // configuration, the meta device for the full one); the formulas must keep giving them.
    const counts = JSON.parse(
      python(`
import json
from vggt_config import Config, parameter_count
tiny = Config(height=56, width=70, dim=64, heads=4, encoder_depth=2, aggregator_depth=4, camera_trunk_depth=2,
              camera_heads=4, dpt_layers=(0, 1, 2, 3), dpt_features=32, dpt_channels=(16, 32, 64, 64), dpt_out_hidden=8)
print(json.dumps([parameter_count(Config()), parameter_count(tiny)]))
`),
    ) as number[];
    expect(counts).toEqual([1_190_596_120, 1_602_040]);
  });

  it('sizes the injected slowdown in aligned widths that grow with the knob', () => {
    // Unaligned widths put cuBLAS on slow kernels: on an H200 the knob's effect on time
    // jumped (0.03 -> +4.3%, 0.10 -> +42.5%) until widths were multiples of 64.
    const widths = JSON.parse(
      python(`
import json
from vggt_config import Config, slowdown_width
cfg = Config()
knobs = [0.0, 0.005, 0.01, 0.0433, 0.0754, 0.10, 0.135]
print(json.dumps([[slowdown_width(cfg, n, k) for k in knobs] for n in (cfg.tokens_per_frame, 20 * cfg.tokens_per_frame)]))
`),
    ) as number[][];
    for (const row of widths) {
      expect(row[0]).toBe(0);
      for (const k of row.slice(1)) expect(k % 64).toBe(0);
      for (let i = 2; i < row.length; i++) expect(row[i]!).toBeGreaterThanOrEqual(row[i - 1]!);
    }
  });
});

describe('examples/vggt-torch/validation/summarize.mjs', () => {
  // Real run-gates.sh output from an H200: the published validation tables come from this script.
  const runs = fileURLToPath(new URL('./fixtures/validation-runs', import.meta.url));
  const summarize = (...args: string[]) =>
    spawnSync('node', [join(example, 'validation', 'summarize.mjs'), ...args], {
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('counts verdicts and gives medians, interval bounds and times per label', () => {
    const r = summarize(runs, '--runs');
    expect(r.status, r.stderr).toBe(0);
    // Two +5% runs: the median of an even count is the mean of the middle two;
    // slow5-302's results predate verdictSeconds, so its 27.8 s comes from its log.
    expect(r.stdout).toContain(
      '| slow5 | 2 | 2 | 0 | 0 | 0 | 0 | +5.22% | +4.75% / +5.50% | 28.3 (28.8) | 41.6 (42.4) | 44 (45) |',
    );
    expect(r.stdout).toContain('| aa | 1 | 0 | 1 | 0 | 0 | 0 | 0.00% |');
    // All runs' times together, with no ratio mixed across slowdowns.
    expect(r.stdout).toContain(
      '| (all runs) | 3 | 2 | 1 | 0 | 0 | 0 |  |  | 27.8 (28.8) | 40.8 (42.4) | 43 (45) |',
    );
    expect(r.stdout).toContain(
      'slow5 slow5-302.json: regression +5.32% [+5.14%, +5.50%] 8 rounds, verdict after 27.8 s, 40.8 s in all, command 43 s',
    );
  });

  it('pools several directories by label, in run order, each run in one column', () => {
    const more = mkdtempSync(join(tmpdir(), 'summarize-'));
    copyFileSync(join(runs, 'slow5-301.json'), join(more, 'slow5-10.json'));
    // A run that failed keeps its latency numbers but counts as failed only.
    const failed = JSON.parse(readFileSync(join(runs, 'slow5-302.json'), 'utf8'));
    failed.benchmarks[0].status = 'failed';
    writeFileSync(join(more, 'slow5-9.json'), JSON.stringify(failed));
    writeFileSync(join(more, 'notes.json'), '{}');
    const r = summarize(runs, more, '--runs');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/skipping .*notes\.json: not named <label>-<n>\.json/);
    // No log beside the copies: their command times are unknown, the others still count.
    expect(r.stdout).toContain(
      '| slow5 | 4 | 3 | 0 | 0 | 0 | 1 | +5.22% | +4.75% / +5.50% | 28.8 (28.8) | 41.6 (42.4) | 44 (45) |',
    );
    const order = [...r.stdout.matchAll(/^slow5 (slow5-\d+)\.json: (\w+)/gm)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    expect(order).toEqual([
      'slow5-301 regression',
      'slow5-302 regression',
      'slow5-9 failed',
      'slow5-10 regression',
    ]);
  });

  it('tallies the labels each --pool names as one row and leaves out every other label', () => {
    // Runs of one setting labelled per session, and a single run with no number in its name.
    const more = mkdtempSync(join(tmpdir(), 'summarize-'));
    copyFileSync(join(runs, 'slow5-301.json'), join(more, 'wr-slow.results.json'));
    const r = summarize(runs, more, '--pool', '+5%=slow5, wr-slow');
    expect(r.status, r.stderr).toBe(0);
    // The median of slow5-301 (+5.12%, twice: once as wr-slow) and slow5-302 (+5.32%).
    expect(r.stdout).toMatch(/^\| \+5% \| 3 \| 3 \| 0 \| 0 \| 0 \| 0 \| \+5\.12% \|/m);
    expect(r.stdout).not.toMatch(/^\| aa /m);
    expect(r.stderr).toContain('left out, in no --pool: aa');
    // A pooled label with no runs is a typo, not a smaller tally.
    const typo = summarize(runs, '--pool', 'x=aa,slow6');
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('no runs of slow6, named in --pool (labels found: aa, slow5)');
    expect(summarize(runs, '--pool', 'x=aa,,slow5').stderr).toContain('an empty label');
    expect(summarize(runs, '--pool', 'x=aa,aa').stderr).toContain('aa is listed twice');
    expect(summarize(runs, '--pool').stderr).toContain('--pool takes NAME=label,label,...');
    const twice = summarize(runs, '--pool', 'a=aa', '--pool', 'b=aa');
    expect(twice.status).toBe(2);
    expect(twice.stderr).toContain('label aa is in two pools (a and b)');
    const unknown = summarize(runs, '--pools', 'a=aa');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown option --pools');
  });

  it('says which directory is missing, empty or unreadable instead of printing an empty table', () => {
    const missing = summarize(join(runs, 'nope'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nope does not exist .*OUT_DIR/);
    const empty = summarize(mkdtempSync(join(tmpdir(), 'summarize-')));
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/no results files/);
    const broken = mkdtempSync(join(tmpdir(), 'summarize-'));
    writeFileSync(join(broken, 'aa-1.json'), '{ not json');
    const r = summarize(broken);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/aa-1\.json is not a results file/);
  });
});

// A GPU session is short: a validation config that fails to load, or that drifted from
// the default config it claims to vary, costs the runs planned on it.
describe('examples/vggt-torch validation configs', () => {
  const configs = join(example, 'validation', 'configs');
  const load = async (path: string) => {
    const { benchmarks } = await loadConfig(path);
    expect(benchmarks, path).toHaveLength(1);
    return benchmarks[0]!;
  };

  it('each loads and differs from the default config in the benchmark fields it is for', async () => {
    const base = await load(join(example, 'perf-gate.yml'));
    const varies: Record<string, string[]> = {
      'busy-warn.yml': ['gpuBusy', 'budget'],
      'frames48.yml': ['name', 'workload'],
      'pairs4.yml': ['workload'],
      // These three were run when the default expected 8 GiB of activations, and kept it.
      'pinned.yml': ['workload', 'expectedMemory'],
      'rope-once.yml': ['workload', 'expectedMemory'],
      'threshold05.yml': ['threshold'],
      'uniform.yml': ['workload', 'expectedMemory'],
    };
    expect(readdirSync(configs).sort()).toEqual(Object.keys(varies).sort());
    for (const [file, fields] of Object.entries(varies)) {
      const variant = await load(join(configs, file));
      const differing = Object.keys({ ...base, ...variant }).filter(
        (k) => !isDeepStrictEqual(variant[k as keyof typeof variant], base[k as keyof typeof base]),
      );
      expect(differing.sort(), file).toEqual([...fields].sort());
    }
    const threshold05 = await load(join(configs, 'threshold05.yml'));
    expect(threshold05.threshold.latency).toBe(0.005);
  });
});
