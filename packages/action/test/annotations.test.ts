import { readResults } from '@vggt-perf-gate/runner';
import { describe, expect, it } from 'vitest';
import { annotate } from '../src/verdict.js';

/**
 * The checks page's annotations for results the shipped Action wrote on an
 * NVIDIA H200 for the VGGT-1B example (docs/validation.md): what a reviewer
 * reads beside the PR's files, from this version's code.
 */
const run = async (label: string) => {
  const results = await readResults(
    new URL(`../../../examples/vggt-torch/validation/runs/${label}.results.json`, import.meta.url)
      .pathname,
  );
  const emitted: { kind: string; text: string; title: string }[] = [];
  annotate(results, (kind, text, title) => emitted.push({ kind, text, title }));
  return emitted;
};

describe('annotations of real H200 runs of VGGT-1B', () => {
  it('a head out of memory: one error that says who ran out and what base needed, with no empty change', async () => {
    const [only, ...rest] = await run('what-ran2-h200/wr2-oom');
    expect(rest).toEqual([]);
    expect(only).toEqual({
      kind: 'error',
      title: 'perf regression: vggt-forward-48f memory',
      text: 'vggt-forward-48f memory: regression: head ran out of GPU memory in step: it tried to allocate 109.51 GiB; base fit, with a peak of 17.33 GiB',
    });
  });

  it('a regression with an interval: its change, the threshold it passed and why', async () => {
    const emitted = await run('counts-h200/n-slow2');
    expect(emitted.map((a) => a.title)).toEqual([
      'perf regression: vggt-forward-20f latency',
      'perf regression: vggt-forward-20f throughput',
    ]);
    expect(emitted[0]!.text).toMatch(
      /^vggt-forward-20f latency: \+3\.51% \[\+2\.06%, \+4\.98%\], beyond the 2% threshold\. regression: head changed by \+3\.51%/,
    );
  });

  it('an inconclusive metric: a warning with its change and the way it surely went, never an error', async () => {
    const emitted = await run('counts-h200/n-slow1');
    expect(emitted.map((a) => a.kind)).toEqual(['warning', 'warning']);
    expect(emitted[0]!.text).toMatch(
      /^vggt-forward-20f latency: \+3\.02% \[\+1\.99%, \+4\.06%\]: worse by ≥ 1\.99%, not surely beyond the threshold\. inconclusive: /,
    );
  });
});
