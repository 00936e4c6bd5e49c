import { describe, expect, it } from 'vitest';
import { addChecks } from '../src/analysis/benchmark-checks.js';
import { loadConfig } from '../src/config/index.js';
import { briefOutOfMemory } from '../src/gate/measure/result.js';
import { howMeasured } from '../src/report/format.js';
import { renderHtml } from '../src/report/html.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { renderTerminal } from '../src/report/terminal.js';
import { readResults } from '../src/results/io.js';

/**
 * Results files the shipped Action wrote on an NVIDIA H200 for the VGGT-1B example
 * (docs/validation.md, "What ran, out of memory and a busy GPU"): the reports a user
 * reads are rendered from them here, with this version's report code.
 */
const fromRuns = (dir: string) => (label: string) =>
  readResults(
    new URL(
      `../../../examples/vggt-torch/validation/runs/${dir}/${label}.results.json`,
      import.meta.url,
    ).pathname,
  );
const run = fromRuns('what-ran-h200');
/** The example as published (parameters requiring grad), from the bundle of commit d3d3793. */
const published = fromRuns('what-ran2-h200');

describe('reports of real H200 runs of VGGT-1B', () => {
  it('a math-attention head: the comment leads with the attention change, and the kernel it replaced is listed', async () => {
    const markdown = renderMarkdown(await run('wr-math'));
    expect(markdown).toContain(
      '**What changed in vggt-forward-20f**: attention cuDNN ×72, memory-efficient ×16 → math (materialised); fp32 GEMM kernels 2% → 35% of device time. Kernels by device time per iteration',
    );
    const table = markdown.slice(markdown.indexOf('| kernel |'), markdown.indexOf('<details>'));
    const rows = table.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows).toHaveLength(5);
    expect(rows[4]).toMatch(/cudnn_generated_fort_native_sdpa.*\| 79\.18 ms \| – \| disappeared/);
    expect(markdown).toContain('head profiled: bf16 (autocast; weights fp32) · attention math');
  });

  it('a head out of memory at 48 frames: a regression that says who ran out, not that a budget stopped it', async () => {
    const results = await run('wr-oom');
    expect(results.verdict).toBe('regression'); // as recorded: the rest is this version's rendering
    const b = results.benchmarks[0]!;
    expect(howMeasured(b)).toMatch(
      /^no timed round, .*; stopped: head ran out of GPU memory in step \(21 s\)$/,
    );
    expect(renderMarkdown(results)).toContain('### 🔴 Performance regression: 1 metric');
    // PyTorch's advice and link stay in the results file, out of the comment.
    const brief = briefOutOfMemory(b.outOfMemory!.message);
    expect(brief).toMatch(/Tried to allocate 109\.51 GiB\..*unallocated\.$/);
    expect(brief).not.toMatch(/PYTORCH_CUDA_ALLOC_CONF|documentation/);
  });

  it('beside a busy neighbour: no row reads as a clean pass, in the comment, the terminal or the page', async () => {
    const results = await run('wr-busy-warn');
    expect(results.verdict).toBe('inconclusive');
    const markdown = renderMarkdown(results);
    expect(markdown).toMatch(/^### 🟡 Performance gate inconclusive: measured beside other GPU/);
    expect(markdown).not.toContain('✅');
    expect(markdown).toContain('| 🟡 unchanged, GPU shared |');
    expect(renderTerminal(results)).toContain('UNCHANGED (GPU SHARED)');
    expect(renderHtml(results)).toContain('GPU shared: not a clean pass');
  });

  it('an A/A run reads clean, with what ran on each side from its profile', async () => {
    const markdown = renderMarkdown(await run('wr-aa'));
    expect(markdown).toMatch(/^### ✅ No performance regression/);
    expect(markdown).not.toContain('What changed');
    expect(markdown).toMatch(/base profiled: bf16 \(autocast; weights fp32\) · attention cuDNN/);
  });

  it("the checks, re-run on the A/A run's profiles: no expected-memory or precision warning under autocast; its 96 host reads named", async () => {
    // The run predates the host-read count: the example's 96 per forward is put in.
    const results = await run('wr-aa');
    const b = results.benchmarks[0]!;
    for (const side of ['base', 'head'] as const) b.profiles![side]!.hostReads = 96;
    b.warnings = [];
    const config = await loadConfig(
      new URL('../../../examples/vggt-torch/perf-gate.yml', import.meta.url).pathname,
    );
    addChecks(b, config.benchmarks[0]!, { dtype: 'bf16', warning: null }, 'NVIDIA H200');
    expect(b.warnings).toHaveLength(1);
    expect(b.warnings[0]).toMatch(
      /^the step makes the host wait for a GPU value 96 times per iteration \(both sides\)/,
    );
  });

  it("the model as published, as recorded: the FLOP counter's failure named with its fix, the rest of the profile kept, the host reads warned of", async () => {
    const results = await published('wr2-aa');
    const markdown = renderMarkdown(results);
    for (const side of ['base', 'head'])
      expect(markdown).toContain(
        `${side} profiled: bf16 (autocast; weights fp32) · attention cuDNN ×72, memory-efficient ×16`,
      );
    expect(markdown).toContain(
      '· 96 host reads per iteration · not profiled: flops (AttributeError',
    );
    expect(markdown).toContain('model.requires\\_grad\\_(False) in setup avoids it');
    expect(results.benchmarks[0]!.warnings.filter((w) => /host wait/.test(w))).toHaveLength(1);
  });

  it('a head out of memory, as recorded: its dtype is the one its step ran in, so no precision warning', async () => {
    const results = await published('wr2-oom');
    const b = results.benchmarks[0]!;
    expect(b.ran?.head?.dtype).toBe('bf16');
    expect(b.warnings).toHaveLength(1);
    expect(b.warnings[0]).toMatch(
      /^head ran out of GPU memory in step: it tried to allocate 109\.51 GiB/,
    );
    expect(renderMarkdown(results)).toContain(
      'head: torch 2.11.0+cu130, bf16, on cuda:0 NVIDIA H200, attention: math',
    );
  });
});
