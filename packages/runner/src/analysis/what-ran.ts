import { fractionOfPeak } from '@vggt-perf-gate/device';
import type { ProfiledKernel, WorkloadProfile } from '../workloads/reports.js';

/**
 * What a profiled iteration says actually ran, in the words a reviewer needs:
 * the precision in effect, the attention implementation, the precision of
 * the matrix products, and how close the iteration came to the GPU's peak.
 * The field failure this answers: a 45.7 GiB run blamed on a bf16
 * "fallback" was the attention kernel falling back to the materialising
 * (math) path, which only kernel names and operators reveal.
 */
export interface WhatRan {
  /** e.g. "bf16 (autocast; weights fp32)". */
  dtype: string | null;
  /** e.g. "flash", "math (materialised)", "flash ×48, math ×24"; null when no attention ran. */
  attention: string | null;
  /**
   * The attention kernel that took the most device time, its name shortened
   * (e.g. "cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16_knob_7…");
   * null when no fused attention kernel ran (the math path runs products and a softmax).
   */
  attentionKernel: string | null;
  /** e.g. "bf16", "tf32", "fp32", "bf16 (92%), fp32 (8%)"; null without matrix products seen. */
  matmul: string | null;
  /** The precision whose peak the achieved rate is compared with. */
  matmulKey: 'fp32' | 'tf32' | 'fp16' | 'bf16' | null;
  flops: number | null;
  achievedTflops: number | null;
  /** Of the GPU's dense peak for `matmulKey` (device package's table); null for an unknown GPU. */
  peakFraction: number | null;
  /** ONNX: where the nodes ran, e.g. "3 of 120 nodes on CPU under CUDAExecutionProvider: a, b, c". */
  placement: string | null;
  /** Parts of the profile that failed, e.g. "flops (AttributeError: ...)"; null when all ran. */
  missing: string | null;
  /**
   * Share of the iteration's device time in fp32 GEMM kernels (no TF32), from
   * kernel names: PyTorch's math attention upcasts bf16 to fp32 products, which
   * the operators' input dtypes do not show.
   */
  fp32GemmShare: number | null;
  /** Times one iteration made the host wait for a GPU value; null when not counted. */
  hostReads: number | null;
  /** Whether the profiled iteration ran kernels on a GPU (device time was measured). */
  onGpu: boolean;
}

/** Attention operators PyTorch dispatches to, by implementation. */
const ATTENTION_OPS: ReadonlyArray<[RegExp, string]> = [
  [/_scaled_dot_product_flash_attention/, 'flash'],
  [/_scaled_dot_product_efficient_attention/, 'memory-efficient'],
  [/_scaled_dot_product_cudnn_attention/, 'cuDNN'],
  [/_scaled_dot_product_fused_attention_overrideable/, 'fused (backend)'],
  [/_scaled_dot_product_attention_math/, 'math (materialised)'],
];
/** The same from kernel names, for a profile without operators. */
const ATTENTION_KERNELS: ReadonlyArray<[RegExp, string]> = [
  // cuDNN first: its kernel is named ..._sdpa_sm90_flash_fprop_..., and is not FlashAttention.
  [/cudnn.*(sdpa|attn|mha)|(sdpa|mha).*cudnn/i, 'cuDNN'],
  [/flash/i, 'flash'],
  [/fmha|mem_eff|efficient_attention|cutlassF/i, 'memory-efficient'],
];
/** Precision from GEMM kernel names (cuBLAS, CUTLASS), first match wins. */
const MATMUL_KERNELS: ReadonlyArray<[RegExp, WhatRan['matmulKey'] & string]> = [
  [/bf16/i, 'bf16'],
  [/tf32/i, 'tf32'],
  [/(^|[_\W])(f16|fp16|h16|hgemm|h884|h1688|h16816|half)/i, 'fp16'],
  [/sgemm|f32f32|s1688|s884/i, 'fp32'],
];
const GEMM = /gemm|matmul|nvjet|xmma|s16816|s1688/i;
/** fp32 products without TF32: cuBLAS's f32f32 xmma and sgemm kernels. */
const FP32_GEMM = /f32f32_f32f32|sgemm/i;
/** Below this share of device time, fp32 GEMMs are not worth a word. */
const FP32_GEMM_NOTABLE = 0.05;

export function whatRan(
  profile: WorkloadProfile | null | undefined,
  latencyMedianMs: number | null,
  deviceName: string | null,
): WhatRan | null {
  if (!profile?.available) return null;
  const dtype = profile.autocastDtype
    ? `${profile.autocastDtype} (autocast${profile.parameterDtype ? `; weights ${profile.parameterDtype}` : ''})`
    : profile.parameterDtype;
  const precision = matmulPrecision(profile);
  const fp32GemmShare = profile.totalDeviceUs
    ? profile.kernels
        .filter((k) => GEMM.test(k.name) && FP32_GEMM.test(k.name) && !/tf32/i.test(k.name))
        .reduce((sum, k) => sum + k.deviceUs, 0) / profile.totalDeviceUs
    : null;
  const { matmulKey } = precision;
  const matmul =
    precision.matmul &&
    fp32GemmShare !== null &&
    fp32GemmShare >= FP32_GEMM_NOTABLE &&
    matmulKey !== 'fp32'
      ? `${precision.matmul}; fp32 GEMM kernels ${Math.round(fp32GemmShare * 100)}% of device time`
      : precision.matmul;
  const achievedTflops =
    profile.flops && latencyMedianMs ? profile.flops / (latencyMedianMs / 1000) / 1e12 : null;
  const peakFraction =
    achievedTflops !== null && matmulKey && deviceName
      ? fractionOfPeak(deviceName, matmulKey, achievedTflops)
      : null;
  return {
    dtype,
    attention: attentionImplementation(profile),
    attentionKernel: attentionKernel(profile),
    matmul,
    matmulKey,
    flops: profile.flops,
    achievedTflops,
    peakFraction,
    placement: placement(profile),
    fp32GemmShare,
    missing: missingParts(profile),
    hostReads: typeof profile.hostReads === 'number' ? profile.hostReads : null,
    onGpu: profile.source === 'torch.profiler' && (profile.totalDeviceUs ?? 0) > 0,
  };
}

/** Longest error text kept per failed part in a report line. */
const FAILED_PART_CHARS = 300;

function missingParts(profile: WorkloadProfile): string | null {
  const failed = Object.entries(profile.failedParts ?? {});
  if (failed.length === 0) return null;
  return failed
    .map(
      ([part, why]) =>
        `${part} (${why.length > FAILED_PART_CHARS ? `${why.slice(0, FAILED_PART_CHARS)}…` : why})`,
    )
    .join(', ');
}

function attentionImplementation(profile: WorkloadProfile): string | null {
  const seen = new Map<string, number>();
  for (const [op, count] of Object.entries(profile.ops)) {
    const hit = ATTENTION_OPS.find(([pattern]) => pattern.test(op));
    if (hit) seen.set(hit[1], (seen.get(hit[1]) ?? 0) + count);
  }
  if (seen.size === 0) {
    for (const k of profile.kernels) {
      const hit = ATTENTION_KERNELS.find(([pattern]) => pattern.test(k.name));
      if (hit) seen.set(hit[1], (seen.get(hit[1]) ?? 0) + k.count);
    }
  }
  if (seen.size === 0) {
    // The composite op with no fused variant under it: PyTorch took the math path.
    const composite = Object.keys(profile.ops).some((op) =>
      /scaled_dot_product_attention$/.test(op),
    );
    return composite ? 'math (materialised)' : null;
  }
  if (seen.size === 1) return [...seen.keys()][0] ?? null;
  return [...seen]
    .sort((a, b) => b[1] - a[1])
    .map(([name, count]) => `${name} ×${count}`)
    .join(', ');
}

/** Characters of the attention kernel's name kept in a report line. */
const ATTENTION_KERNEL_CHARS = 60;

function attentionKernel(profile: WorkloadProfile): string | null {
  const fused = profile.kernels
    .filter((k) => ATTENTION_KERNELS.some(([pattern]) => pattern.test(k.name)))
    .sort((a, b) => b.deviceUs - a.deviceUs)[0];
  return fused ? shortKernelName(fused.name, ATTENTION_KERNEL_CHARS) : null;
}

function matmulPrecision(profile: WorkloadProfile): Pick<WhatRan, 'matmul' | 'matmulKey'> {
  const tf32 = (d: string) => (d === 'fp32' && profile.allowTf32 ? 'tf32' : d);
  const counts = new Map<string, number>();
  for (const [dtype, n] of Object.entries(profile.matmulDtypes))
    counts.set(tf32(dtype), (counts.get(tf32(dtype)) ?? 0) + n);
  if (counts.size === 0) {
    for (const k of profile.kernels.filter((k) => GEMM.test(k.name))) {
      const hit = MATMUL_KERNELS.find(([pattern]) => pattern.test(k.name));
      if (hit) counts.set(hit[1], (counts.get(hit[1]) ?? 0) + k.count);
    }
  }
  if (counts.size === 0) return { matmul: null, matmulKey: null };
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  const top = ranked[0]?.[0] ?? null;
  const matmul =
    ranked.length === 1
      ? top
      : ranked.map(([d, n]) => `${d} (${Math.round((100 * n) / total)}%)`).join(', ');
  const key = top === 'fp32' || top === 'tf32' || top === 'fp16' || top === 'bf16' ? top : null;
  return { matmul, matmulKey: key };
}

function placement(profile: WorkloadProfile): string | null {
  if (!profile.placement) return null;
  const { byProvider, cpuNodes } = profile.placement;
  const total = Object.values(byProvider).reduce((a, b) => a + b, 0);
  if (cpuNodes.length === 0)
    return Object.entries(byProvider)
      .map(([provider, n]) => `${n === total ? 'all ' : ''}${n} nodes on ${provider}`)
      .join(', ');
  const shown = cpuNodes.slice(0, 5).join(', ');
  return `${cpuNodes.length} of ${total} nodes ran on the CPU under a GPU provider: ${shown}${cpuNodes.length > 5 ? ', …' : ''}`;
}

/** One line: "bf16 (autocast; weights fp32) · attention flash · matmul bf16 · 412 TFLOPS, 42% of peak". */
export function describeWhatRan(w: WhatRan | null): string {
  if (!w) return 'not profiled';
  const parts = [
    w.dtype,
    w.attention
      ? `attention ${w.attention}${w.attentionKernel ? ` (${w.attentionKernel})` : ''}`
      : null,
    w.matmul ? `matmul ${w.matmul}` : null,
    w.achievedTflops !== null
      ? `${w.achievedTflops.toFixed(w.achievedTflops < 10 ? 2 : 0)} TFLOPS${w.peakFraction !== null ? `, ${Math.round(w.peakFraction * 100)}% of ${w.matmulKey} peak` : ''}`
      : null,
    w.placement,
    w.hostReads
      ? `${w.hostReads} host ${w.hostReads === 1 ? 'read' : 'reads'} per iteration`
      : null,
    w.missing ? `not profiled: ${w.missing}` : null,
  ];
  return parts.filter(Boolean).join(' · ');
}

/**
 * Warnings when the two sides did not run the same way, or not in the
 * precision configured: the silent-fallback stories, said out loud.
 */
export function whatRanWarnings(
  base: WhatRan | null,
  head: WhatRan | null,
  configuredDtype: string,
): string[] {
  const out: string[] = [];
  const differ = (what: string, b: string | null | undefined, h: string | null | undefined) => {
    if (b && h && b !== h) out.push(`${what} differs: base ran ${b}, head ran ${h}`);
  };
  differ('attention implementation', base?.attention, head?.attention);
  differ('matmul precision', base?.matmulKey, head?.matmulKey);
  if (fp32GemmsGrew(base, head))
    out.push(
      `head spent ${percent(head?.fp32GemmShare)} of its device time in fp32 GEMM kernels (base ${percent(base?.fp32GemmShare)}): something computes in fp32 that did not`,
    );
  differ('dtype in effect', base?.dtype, head?.dtype);
  for (const [side, w] of [
    ['base', base],
    ['head', head],
  ] as const) {
    if (w?.matmulKey && configuredDtype !== 'fp32' && w.matmulKey !== configuredDtype)
      out.push(
        `${side}'s matrix products ran in ${w.matmulKey}, not the configured ${configuredDtype}`,
      );
    if (w?.placement?.includes('ran on the CPU')) out.push(`${side}: ${w.placement}`);
  }
  return out;
}

/**
 * The differences between the sides that explain a slowdown or a memory growth on
 * their own, each as "attention cuDNN ×72 → math (materialised)": what a regression's
 * kernel table leads with, since a kernel list names symptoms (a GEMM that appeared)
 * before their cause (the attention implementation that changed).
 *
 * @example
 * explainingChanges(whatRan(base, 340, 'NVIDIA H200'), whatRan(head, 2500, 'NVIDIA H200'));
 * // ['attention cuDNN ×72 → math (materialised)', 'fp32 GEMM kernels 2% → 35% of device time']
 */
export function explainingChanges(base: WhatRan | null, head: WhatRan | null): string[] {
  const out: string[] = [];
  const change = (what: string, b: string | null | undefined, h: string | null | undefined) => {
    if (b && h && b !== h) out.push(`${what} ${b} → ${h}`);
  };
  change('attention', base?.attention, head?.attention);
  change('matmul', base?.matmulKey, head?.matmulKey);
  change('dtype', base?.dtype, head?.dtype);
  if (fp32GemmsGrew(base, head))
    out.push(
      `fp32 GEMM kernels ${percent(base?.fp32GemmShare)} → ${percent(head?.fp32GemmShare)} of device time`,
    );
  return out;
}

const percent = (share: number | null | undefined) => `${Math.round((share ?? 0) * 100)}%`;

/**
 * Whether head spent a notable and much larger share of its time in fp32 GEMMs while
 * its products are nominally 16-bit (fp32 weights are said elsewhere).
 */
function fp32GemmsGrew(base: WhatRan | null, head: WhatRan | null): boolean {
  const share = (w: WhatRan | null) => w?.fp32GemmShare ?? 0;
  return (
    head !== null &&
    head.matmulKey !== 'fp32' &&
    share(head) >= FP32_GEMM_NOTABLE &&
    share(head) > 2 * share(base)
  );
}

/**
 * From this many host reads per iteration on a GPU, a step's time follows the
 * host's: VGGT-1B's rotary embedding read its table length back 96 times per
 * forward, and its rounds varied 0.95-2.1% with the reads against 0.17-0.34%
 * without them (docs/validation.md). One loss.item() per step is harmless.
 */
const HOST_READS_NOTABLE = 10;

/**
 * The warning for a GPU step that reads tensor values into Python many times per
 * iteration: each read drains the GPU's queue and leaves it idle until Python has
 * launched the next kernels, so the latency, and the gate's noise, follow the host.
 * Null when neither side does (or the profile could not count them).
 *
 * @example
 * hostReadsWarning(whatRan(baseProfile, 340, 'NVIDIA H200'), whatRan(headProfile, 341, 'NVIDIA H200'));
 * // "the step makes the host wait for a GPU value 96 times per iteration (both sides): ..."
 */
export function hostReadsWarning(base: WhatRan | null, head: WhatRan | null): string | null {
  // Only sides whose reads were counted on a GPU: a side not profiled says nothing.
  const reads = (w: WhatRan | null) =>
    w?.onGpu && typeof w.hostReads === 'number' ? w.hostReads : null;
  const [b, h] = [reads(base), reads(head)];
  if (Math.max(b ?? 0, h ?? 0) < HOST_READS_NOTABLE) return null;
  const who =
    b !== null && h !== null
      ? b === h
        ? `${b} times per iteration (both sides)`
        : `${h} times per iteration in head, ${b} in base`
      : `${b ?? h} times per iteration in ${b !== null ? 'base' : 'head'}`;
  return `the step makes the host wait for a GPU value ${who}: .item(), int(), float() or bool() of a GPU tensor, a Python if on one, torch.equal or nonzero(). Each wait drains the GPU's queue and leaves it idle until Python launches the next kernels, so the latency follows the host's state of the moment, and the gate needs more rounds to decide (on VGGT-1B the rounds varied 4 or more times as much with such reads as without). Read such values once, outside the step, or keep them on the GPU.`;
}

export interface KernelChange {
  name: string;
  /** Device time per iteration (µs); null when the side did not run it (or it was outside its top kernels). */
  baseUs: number | null;
  headUs: number | null;
  change: 'appeared' | 'disappeared' | 'grew' | 'shrank';
}

/**
 * Kernels that appeared, disappeared, or whose device time changed most
 * between base and head: what to look at first when a metric regresses.
 */
export function kernelDiff(
  base: WorkloadProfile | null | undefined,
  head: WorkloadProfile | null | undefined,
  limit = 5,
): KernelChange[] {
  if (!base?.available || !head?.available) return [];
  const byName = (ks: readonly ProfiledKernel[]) => {
    const m = new Map<string, number>();
    for (const k of ks) m.set(k.name, (m.get(k.name) ?? 0) + k.deviceUs);
    return m;
  };
  const b = byName(base.kernels);
  const h = byName(head.kernels);
  const changes: Array<KernelChange & { delta: number }> = [];
  for (const name of new Set([...b.keys(), ...h.keys()])) {
    const baseUs = b.get(name) ?? null;
    const headUs = h.get(name) ?? null;
    const delta = (headUs ?? 0) - (baseUs ?? 0);
    const change =
      baseUs === null
        ? 'appeared'
        : headUs === null
          ? 'disappeared'
          : delta >= 0
            ? 'grew'
            : 'shrank';
    changes.push({ name, baseUs, headUs, change, delta });
  }
  // What explains a regression first: kernels that appeared or grew, the largest
  // first; then what shrank or went. Sorting by size alone led the ONNX demo's
  // table with an untimed 10x "improvement" of a node unrelated to its slowdown.
  // The largest kernel that shrank or went keeps the last row even when growth
  // fills the table: it is what the new kernels replaced (cuDNN's attention, say).
  const bySize = (x: { delta: number }, y: { delta: number }) =>
    Math.abs(y.delta) - Math.abs(x.delta);
  const grown = changes.filter((c) => c.delta > 0).sort(bySize);
  const shrunk = changes.filter((c) => c.delta < 0).sort(bySize);
  const same = changes.filter((c) => c.delta === 0);
  const keep = shrunk.length > 0 && grown.length >= limit ? limit - 1 : limit;
  return [...grown.slice(0, keep), ...shrunk, ...same]
    .slice(0, limit)
    .map(({ delta: _delta, ...c }) => c);
}

/**
 * What the times in a profile measure. onnxruntime's node timings are taken
 * on the host around each node: under a GPU provider they are mostly launch
 * time, not kernel time, so they are not called device time.
 */
export function profileTimeLabel(profile: WorkloadProfile | null | undefined): string {
  return profile?.source === 'onnxruntime'
    ? 'nodes by time per iteration (onnxruntime node timings)'
    : 'kernels by device time per iteration';
}

/** A kernel's name short enough for a table: template arguments and parameter lists dropped. */
export function shortKernelName(name: string, max = 90): string {
  let short = name.replace(/^void /, '');
  // Innermost template/parameter lists first, until none are left.
  for (let i = 0; i < 10 && /<[^<>]*>|\([^()]*\)/.test(short); i++)
    short = short.replace(/<[^<>]*>/g, '').replace(/\([^()]*\)/g, '');
  short = short.trim() || name;
  return short.length > max ? `${short.slice(0, max - 1)}…` : short;
}
