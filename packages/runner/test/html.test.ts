import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../src/report/html.js';
import { MAX_TIMELINE_POINTS, thinPeaks } from '../src/report/html-timeline.js';
import type {
  BenchmarkResult,
  GateResults,
  MetricResult,
  VramTimeline,
} from '../src/results/types.js';
import { benchmarkResult, noGpuResults } from './fixtures/results.js';

/** Debian's chromium; CI installs it. Without it the browser test skips and says why. */
const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
/** Kept after the run (test-results/ is gitignored) so a person can open what the browser saw. */
const SCREENSHOT = fileURLToPath(new URL('../test-results/html-report.png', import.meta.url));
const PAGE = fileURLToPath(new URL('../test-results/html-report.html', import.meta.url));
/** A laptop-width window for the screenshot, and a phone-width one for the overflow check. */
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const MiB = 2 ** 20;

const RTX_4090 = 'cuda:0 NVIDIA GeForce RTX 4090';

const torchSide = {
  framework: 'torch',
  frameworkVersion: '2.11.0',
  device: RTX_4090,
  dtype: 'bf16',
  itemsPerIteration: 20,
  extra: { attention: 'flash' },
};

const workerBenchmark = benchmarkResult({
  dtype: {
    requested: 'auto',
    resolved: 'bf16',
    explanation: 'auto -> bf16: the GPU (compute capability 8.9) supports bf16',
  },
  ran: { base: torchSide, head: torchSide },
  seconds: 41.2,
  processes: 1,
  memory: {
    base: [
      {
        gpuIndex: 0,
        allocatorPeak: 8_650 * MiB,
        reservedPeak: 9_010 * MiB,
        processPeak: 9_512 * MiB,
        contextOverhead: 502 * MiB,
      },
    ],
    head: [
      {
        gpuIndex: 0,
        allocatorPeak: 8_652 * MiB,
        reservedPeak: 9_012 * MiB,
        processPeak: 9_514 * MiB,
        contextOverhead: 502 * MiB,
      },
    ],
  },
  metrics: [
    {
      metric: 'latency',
      unit: 'ms',
      base: { count: 40, median: 188.1, p5: 187.2, p95: 190.3 },
      head: { count: 40, median: 192.4, p5: 191.0, p95: 194.8 },
      ratio: 1.0229,
      interval: { lower: 1.019, upper: 1.026, level: 0.95 },
      threshold: 0.02,
      verdict: 'regression',
      explanation:
        'regression: head changed by +2.29% (95% interval [+1.90%, +2.60%]), beyond the ±2% threshold',
    },
    {
      metric: 'memory',
      unit: 'bytes',
      base: { count: 8, median: 9_512 * MiB, p5: 9_508 * MiB, p95: 9_516 * MiB },
      head: { count: 8, median: 9_514 * MiB, p5: 9_509 * MiB, p95: 9_519 * MiB },
      ratio: 1.0002,
      interval: { lower: 0.9996, upper: 1.0008, level: 0.95 },
      threshold: 0.01,
      verdict: 'unchanged',
      explanation:
        'unchanged: head changed by +0.02% (95% interval [-0.04%, +0.08%]), within the ±1% threshold',
    },
  ],
});

const onnxSide = {
  framework: 'onnxruntime',
  frameworkVersion: '1.30.0',
  device: 'cuda:0 (CUDAExecutionProvider)',
  dtype: 'fp32',
  itemsPerIteration: 4,
  extra: {},
};

const onnxBenchmark = benchmarkResult({
  name: 'vggt-onnx-4f',
  workload: 'onnx',
  dtype: { requested: 'fp32', resolved: 'fp32', explanation: 'fp32 as configured' },
  ran: { base: onnxSide, head: onnxSide },
  rounds: 6,
  seconds: 12.7,
  processes: 1,
  metrics: [
    {
      metric: 'latency',
      unit: 'ms',
      base: { count: 60, median: 23.41, p5: 23.1, p95: 24.02 },
      head: { count: 60, median: 23.38, p5: 23.05, p95: 23.97 },
      ratio: 0.9987,
      interval: { lower: 0.9952, upper: 1.0021, level: 0.95 },
      threshold: 0.02,
      verdict: 'unchanged',
      explanation:
        'unchanged: head changed by -0.13% (95% interval [-0.48%, +0.21%]), within the ±2% threshold',
    },
  ],
});

const failedBenchmark = benchmarkResult({
  name: 'vggt-forward-64f',
  status: 'failed',
  error:
    'the head worker exited with code 1: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB',
  dtype: {
    requested: 'auto',
    resolved: 'bf16',
    explanation: 'auto -> bf16: compute capability 8.9',
  },
  ran: { base: workerBenchmark.ran.base, head: null },
  rounds: 0,
  stopReason: 'failed',
  seconds: 3.4,
  processes: 1,
  memory: { base: workerBenchmark.memory.base, head: null },
});

function fixture(overrides: Partial<GateResults> = {}): GateResults {
  return noGpuResults({
    configHash: 'a3f1c9e07b5d2e48c6a1f0b9d8e7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9',
    commits: {
      base: { ref: 'origin/main', sha: '4b825dc642cb6eb9a060e54bf8d69288fbee4904' },
      head: { ref: 'working tree', sha: '9f2c1e7a5b3d4c6e8f0a1b2c3d4e5f6a7b8c9d0e', dirty: false },
    },
    device: {
      state: 'ok',
      name: 'NVIDIA GeForce RTX 4090',
      computeCapability: '8.9',
      driver: '570.86',
      source: 'nvml',
    },
    verdict: 'failed',
    regressions: 1,
    benchmarks: [workerBenchmark, onnxBenchmark, failedBenchmark],
    warnings: ['GPU 0 (NVIDIA GeForce RTX 4090) is in use by 1 other process (Xorg, 312 MiB)'],
    ...overrides,
  });
}

/** Latency samples around a median, for the dots of the distribution chart. */
function spread(median: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => median * (1 + 0.008 * Math.sin(i * 1.7)));
}

/** Round numbers for `count` samples taken `perRound` to a round. */
function roundsOf(count: number, perRound: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.floor(i / perRound));
}

/**
 * A VRAM timeline as the runner records it: ABBA rounds of `perRound`
 * points each, the sides taking turns, per GPU; head uses `extra` more.
 */
function vramTimeline(
  rounds: number,
  gpus: readonly number[],
  { perRound = 24, bytes = 9_500 * MiB, extra = 40 * MiB } = {},
): { base: VramTimeline[]; head: VramTimeline[] } {
  const out = {
    base: gpus.map((gpuIndex) => ({ gpuIndex, points: [] as Array<[number, number]> })),
    head: gpus.map((gpuIndex) => ({ gpuIndex, points: [] as Array<[number, number]> })),
  };
  let t = 1_200;
  for (let r = 0; r < rounds; r++) {
    const order =
      r % 4 === 0 || r % 4 === 3 ? (['base', 'head'] as const) : (['head', 'base'] as const);
    for (const side of order) {
      out[side].forEach((gpu, g) => {
        for (let i = 0; i < perRound; i++) {
          const ramp = Math.min(1, i / 4);
          const level = (g === 0 ? bytes : bytes / 3) * (0.6 + 0.4 * ramp);
          gpu.points.push([t + i * 25, Math.round(level + (side === 'head' ? extra : 0))]);
        }
      });
      t += 700;
    }
  }
  return out;
}

function metric(verdict: MetricResult['verdict']): MetricResult {
  const measured = verdict !== 'not-measured';
  return {
    metric: 'latency',
    unit: 'ms',
    base: measured ? { count: 10, median: 10, p5: 9.5, p95: 10.5 } : null,
    head: measured ? { count: 10, median: 10.1, p5: 9.6, p95: 10.6 } : null,
    ratio: measured ? 1.01 : null,
    interval: measured ? { lower: 0.99, upper: 1.03, level: 0.95 } : null,
    threshold: 0.02,
    verdict,
    explanation: `${verdict}: explained`,
  };
}

describe('renderHtml', () => {
  it('is one self-contained document with the headline, commits and device', () => {
    const html = renderHtml(fixture(), { title: 'VGGT perf' });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<title>VGGT perf: Performance gate failed to measure</title>');
    expect(html).toContain('4b825dc6');
    expect(html).toContain('9f2c1e7a');
    expect(html).toContain('NVIDIA GeForce RTX 4090');
    expect(html).toContain('+2.29% [+1.90%, +2.60%]');
    expect(html).toContain('auto -&gt; bf16');
    expect(html).toContain('Xorg, 312 MiB');
    expect(html).not.toMatch(/<script|<link/i);
  });

  it('shows text from the results as text, never as markup', () => {
    const evil = '<script>alert(1)</script>';
    const results = fixture({
      benchmarks: [
        { ...workerBenchmark, name: evil },
        { ...failedBenchmark, error: `bad "quote" & <img src=x onerror=alert(1)>` },
      ],
      warnings: ['<b>bold</b>'],
    });
    const html = renderHtml(results, { title: '<i>t</i>' });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>bold');
    expect(html).not.toContain('<i>t');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('bad &quot;quote&quot; &amp; &lt;img src=x onerror=alert(1)&gt;');
  });

  it('renders every verdict with its colour class', () => {
    const verdicts: MetricResult['verdict'][] = [
      'regression',
      'improvement',
      'unchanged',
      'inconclusive',
      'not-measured',
    ];
    const html = renderHtml(
      fixture({ benchmarks: [{ ...workerBenchmark, metrics: verdicts.map(metric) }] }),
    );
    for (const verdict of verdicts) {
      expect(html).toContain(`<tr class="v-${verdict}">`);
      expect(html).toContain(
        `<span class="badge v-${verdict}">${verdict.replace('-', ' ')}</span>`,
      );
    }
    for (const verdict of ['pass', 'regression', 'inconclusive', 'failed'] as const) {
      expect(renderHtml(fixture({ verdict }))).toContain(`class="headline v-${verdict}"`);
    }
  });

  it('shows a failed benchmark with its error, in the table and in its section', () => {
    const html = renderHtml(fixture());
    const error = 'torch.OutOfMemoryError: CUDA out of memory.';
    expect(html.split(error).length - 1).toBe(2);
    expect(html).toContain('<tr class="failed">');
    expect(html).toContain('did not start');
  });

  it('fetches nothing: no external URLs anywhere', () => {
    const html = renderHtml(fixture(), {
      samples: { 'vggt-forward-20f': { latency: { base: spread(188, 40) } } },
    });
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
  });

  it('draws a distribution and a change chart per measured metric, and samples as dots', () => {
    const html = renderHtml(fixture(), {
      samples: {
        'vggt-forward-20f': { latency: { base: spread(188.1, 40), head: spread(192.4, 40) } },
        constructor: {},
      },
    });
    expect(html.match(/<svg class="chart distribution"/g)).toHaveLength(3);
    expect(html.match(/<svg class="chart change"/g)).toHaveLength(3);
    expect(html.match(/<circle class="dot"/g)).toHaveLength(80);
    const notMeasured = renderHtml(
      fixture({ benchmarks: [{ ...workerBenchmark, metrics: [metric('not-measured')] }] }),
    );
    expect(notMeasured).toContain('no change measured');
    expect(notMeasured).not.toContain('class="chart change"');
  });

  it('draws the samples in the results file as dots when the caller passes none', () => {
    const withSamples: BenchmarkResult = {
      ...workerBenchmark,
      samples: {
        latency: {
          base: spread(188.1, 40),
          head: spread(192.4, 40),
          baseRounds: roundsOf(40, 5),
          headRounds: roundsOf(40, 5),
        },
        memory: {
          base: spread(9_512 * MiB, 8),
          head: spread(9_514 * MiB, 8),
          baseRounds: roundsOf(8, 1),
          headRounds: roundsOf(8, 1),
        },
      },
    };
    const results = fixture({ benchmarks: [withSamples, onnxBenchmark] });
    expect(renderHtml(results).match(/<circle class="dot"/g)).toHaveLength(96);
    // Given samples win for their benchmark and metric; the results' own fill in the rest.
    const given = renderHtml(results, {
      samples: { 'vggt-forward-20f': { latency: { base: [188, 189], head: [192] } } },
    });
    expect(given.match(/<circle class="dot"/g)).toHaveLength(3 + 16);
  });

  it('thins thousands of samples to a bounded number of dots', () => {
    const many = spread(188.1, 10_000);
    const html = renderHtml(
      fixture({
        benchmarks: [
          {
            ...workerBenchmark,
            metrics: [workerBenchmark.metrics[0]!],
            samples: {
              latency: {
                base: many,
                head: many,
                baseRounds: roundsOf(10_000, 50),
                headRounds: roundsOf(10_000, 50),
              },
            },
          },
        ],
      }),
    );
    const dots = html.match(/<circle class="dot"/g)?.length ?? 0;
    expect(dots).toBeGreaterThan(100);
    expect(dots).toBeLessThanOrEqual(800);
  });

  it('says how many worker processes each side started', () => {
    const html = renderHtml(
      fixture({ benchmarks: [{ ...workerBenchmark, processes: 2 }, onnxBenchmark] }),
    );
    expect(html).toContain(
      '<strong>processes</strong> 2 worker processes per side: fresh ones replaced them during the run',
    );
    expect(html).toContain('<strong>processes</strong> 1 in-process session per side');
    // Results from before `processes` was recorded: nothing rather than "undefined".
    const { processes: _, ...old } = workerBenchmark;
    const oldHtml = renderHtml(fixture({ benchmarks: [old as BenchmarkResult] }));
    expect(oldHtml).not.toContain('<strong>processes</strong>');
    expect(oldHtml).not.toContain('undefined');
  });

  it('draws a VRAM timeline per benchmark: a line per side and GPU, in bursts, with a legend', () => {
    const html = renderHtml(
      fixture({
        benchmarks: [{ ...workerBenchmark, vramTimeline: vramTimeline(4, [0, 1]) }, onnxBenchmark],
      }),
    );
    expect(html.match(/<svg class="chart timeline"/g)).toHaveLength(1);
    const series = html.match(/<g class="series side-(base|head)">/g) ?? [];
    expect(series).toEqual([
      '<g class="series side-base">',
      '<g class="series side-head">',
      '<g class="series side-base">',
      '<g class="series side-head">',
    ]);
    for (const name of ['base · GPU 0', 'head · GPU 0', 'base · GPU 1', 'head · GPU 1'])
      expect(html).toContain(`${name} <span class="num">peak`);
    expect(html).toContain('head · GPU 0 <span class="num">peak 9.32 GiB</span>');
    // GPU 1 is told apart by its dash; GPU 0 is solid.
    expect(html).toMatch(/<g class="series side-base">.*?<path class="vram-line" d="M[^"]+"\/>/);
    expect(html).toMatch(/<path class="vram-line" d="M[^"]+" stroke-dasharray="7 4"\/>/);
    // ABBA over 4 rounds: base runs in rounds 0, 1+2 (back to back) and 3, so three bursts.
    const baseGpu0 = html.match(/<g class="series side-base">.*?d="([^"]+)"/)?.[1] ?? '';
    expect(baseGpu0.split('M').length - 1).toBe(3);
    // y in GiB from zero, x in seconds.
    expect(html).toMatch(/<text class="tick unit"[^>]*>GiB<\/text>/);
    expect(html).toMatch(/<text class="tick unit"[^>]*>s<\/text>/);
    expect(html).not.toMatch(/<script/i);
  });

  it('draws no timeline without points, and none for results from before timelines', () => {
    const empty = renderHtml(
      fixture({
        benchmarks: [
          { ...workerBenchmark, vramTimeline: { base: [{ gpuIndex: 0, points: [] }], head: [] } },
        ],
      }),
    );
    expect(empty).not.toContain('class="chart timeline"');
    expect(renderHtml(fixture())).not.toContain('VRAM over the run');
  });

  it('thins a long timeline but keeps its peaks', () => {
    const long = vramTimeline(400, [0]);
    const base = long.base[0]!;
    expect(base.points.length).toBeGreaterThan(MAX_TIMELINE_POINTS);
    const spike = base.points[3_001]!;
    spike[1] = 20_000 * MiB;
    const thinned = thinPeaks(base.points);
    expect(thinned.length).toBeLessThanOrEqual(MAX_TIMELINE_POINTS);
    expect(thinned).toContainEqual(spike);
    const html = renderHtml(fixture({ benchmarks: [{ ...workerBenchmark, vramTimeline: long }] }));
    const d = html.match(/<g class="series side-base">.*?d="([^"]+)"/)?.[1] ?? '';
    expect(d.split(/[ML]/).length - 1).toBeLessThanOrEqual(MAX_TIMELINE_POINTS);
    expect(html).toContain('base · GPU 0 <span class="num">peak 19.53 GiB</span>');
  });

  it('renders a run without benchmarks or a GPU', () => {
    const html = renderHtml(
      fixture({ benchmarks: [], device: { state: 'no-gpu', reason: 'nvidia-smi not found' } }),
    );
    expect(html).toContain('No benchmarks ran.');
    expect(html).toContain('no GPU (CPU only): nvidia-smi not found');
  });
});

describe('renderHtml in a real browser', () => {
  // .ci/run installs chromium and sets this: there the browser test must run, never skip.
  it.runIf(!HAS_CHROMIUM && process.env.PERF_GATE_REQUIRE_BROWSER === '1')(
    'has a browser to test in',
    () => {
      expect.fail(
        `${CHROMIUM} is missing although PERF_GATE_REQUIRE_BROWSER=1: install Debian's chromium (apt-get install chromium)`,
      );
    },
  );
  if (!HAS_CHROMIUM) {
    console.warn(`skipping the browser test: ${CHROMIUM} not found (apt-get install chromium)`);
  }

  it.skipIf(!HAS_CHROMIUM)(
    `lays out the table and charts with no errors (needs ${CHROMIUM})`,
    async () => {
      mkdirSync(dirname(PAGE), { recursive: true });
      writeFileSync(
        PAGE,
        renderHtml(
          fixture({
            benchmarks: [
              {
                ...workerBenchmark,
                processes: 2,
                samples: {
                  latency: {
                    base: spread(188.1, 40),
                    head: spread(192.4, 40),
                    baseRounds: roundsOf(40, 5),
                    headRounds: roundsOf(40, 5),
                  },
                },
                vramTimeline: vramTimeline(8, [0, 1]),
              },
              onnxBenchmark,
              failedBenchmark,
            ],
          }),
          { title: 'VGGT perf gate' },
        ),
      );
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      try {
        const page = await browser.newPage({ viewport: DESKTOP });
        const problems: string[] = [];
        const requests: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
        });
        page.on('pageerror', (e) => problems.push(e.message));
        page.on('request', (r) => requests.push(r.url()));
        await page.goto(pathToFileURL(PAGE).href);

        await expect(page.locator('table.results tbody tr').count()).resolves.toBe(4);
        await expect(page.locator('table.results tbody tr.v-regression').count()).resolves.toBe(1);
        await expect(
          page.locator('table.results tbody tr.failed').textContent(),
        ).resolves.toContain('CUDA out of memory');

        const charts = page.locator('svg.chart');
        await expect(charts.count()).resolves.toBe(7);
        await expect(page.locator('svg.chart.timeline path.vram-line').count()).resolves.toBe(4);
        await expect(page.locator('figure.timeline .timeline-legend > span').count()).resolves.toBe(
          4,
        );
        await expect(page.locator('svg.chart circle.dot').count()).resolves.toBe(80);
        for (const chart of await charts.all()) {
          const box = await chart.boundingBox();
          expect(box?.width).toBeGreaterThan(300);
          expect(box?.height).toBeGreaterThan(40);
        }
        for (const mark of await page
          .locator('svg rect.box, svg .interval .whisker, svg path.vram-line')
          .all()) {
          const box = await mark.boundingBox();
          expect(box?.width).toBeGreaterThan(0);
        }
        // No card's content may spill out of it (long labels, charts wider than the card).
        const spills = await page.$$eval(
          'figure.metric, figure.timeline, section.benchmark',
          (nodes) => nodes.filter((n) => n.scrollWidth > n.clientWidth + 1).length,
        );
        expect(spills).toBe(0);

        await page.screenshot({ path: SCREENSHOT, fullPage: true });

        // On a phone only the results table may scroll sideways, inside its own box.
        await page.setViewportSize(PHONE);
        // A string, not a function: this package's TypeScript has no DOM types.
        const pageOverflow = await page.evaluate<number>(
          'document.documentElement.scrollWidth - window.innerWidth',
        );
        expect(pageOverflow).toBeLessThanOrEqual(0);

        expect(problems).toEqual([]);
        expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );
});
