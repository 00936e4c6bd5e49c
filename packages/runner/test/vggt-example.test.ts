import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The VGGT-shaped example's torch-free half: its shapes and the validation runs' slowdown knob.
const example = fileURLToPath(new URL('../../../examples/vggt-torch', import.meta.url));

function python(code: string) {
  const r = spawnSync('python3', ['-c', code], { cwd: example, encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe('examples/vggt-torch shapes', () => {
  it('has the parameter count of VGGT (0.9-1.0 B) and prints its FLOPs', () => {
    expect(python('import runpy; runpy.run_path("vggt_config.py", run_name="__main__")')).toMatch(
      /parameters 909,972,941/,
    );
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
