import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  describeWhatRan,
  explainingChanges,
  hostReadsWarning,
  kernelDiff,
  shortKernelName,
  whatRan,
  whatRanWarnings,
} from '../src/analysis/what-ran.js';
import type { WorkloadProfile } from '../src/workloads/types.js';

/** Real profiler output from an H100 (fixtures/profiles/README.md). */
const fixture = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`./fixtures/profiles/${name}.json`, import.meta.url), 'utf8'),
  ) as WorkloadProfile;
const H100 = 'NVIDIA H100 80GB HBM3';
const defaultBf16 = fixture('vggt-bf16-default');
const mathBf16 = fixture('vggt-bf16-math');
const fp32 = fixture('vggt-fp32-default');

describe('what ran, from real H100 profiles of the VGGT-shaped model', () => {
  it("names PyTorch's default choice in bf16: cuDNN attention, bf16 products, and the achieved rate", () => {
    // 10 frames ran in ~59 ms of device time; 25.6 TFLOP per iteration.
    const w = whatRan(defaultBf16, 60, H100);
    expect(w).toMatchObject({
      dtype: 'bf16',
      attention: 'cuDNN',
      matmul: 'bf16',
      matmulKey: 'bf16',
    });
    expect(w?.achievedTflops).toBeCloseTo(426, 0);
    expect(w?.peakFraction).toBeCloseTo(426 / 989, 2);
    expect(describeWhatRan(w)).toBe(
      'bf16 · attention cuDNN (cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16…) · matmul bf16 · 426 TFLOPS, 43% of bf16 peak',
    );
  });

  it('names the math (materialising) attention path and the fp32 GEMMs it upcasts to', () => {
    const w = whatRan(mathBf16, 790, H100);
    expect(w?.attention).toBe('math (materialised)');
    expect(w?.matmul).toMatch(/^bf16; fp32 GEMM kernels \d+% of device time$/);
    expect(w?.fp32GemmShare).toBeGreaterThan(0.2);
  });

  it('names fp32 weights: fp32 products and the memory-efficient kernel', () => {
    expect(whatRan(fp32, 690, H100)).toMatchObject({
      dtype: 'fp32',
      attention: 'memory-efficient',
      matmul: 'fp32',
      matmulKey: 'fp32',
    });
  });

  it('warns when the sides differ, and when a side left the configured precision', () => {
    const base = whatRan(defaultBf16, 60, H100);
    expect(whatRanWarnings(base, whatRan(mathBf16, 790, H100), 'bf16')).toEqual([
      'attention implementation differs: base ran cuDNN, head ran math (materialised)',
      expect.stringMatching(/^head spent \d+% of its device time in fp32 GEMM kernels \(base 0%\)/),
    ]);
    expect(whatRanWarnings(base, whatRan(fp32, 690, H100), 'bf16')).toEqual([
      'attention implementation differs: base ran cuDNN, head ran memory-efficient',
      'matmul precision differs: base ran bf16, head ran fp32',
      'dtype in effect differs: base ran bf16, head ran fp32',
      "head's matrix products ran in fp32, not the configured bf16",
    ]);
    expect(whatRanWarnings(base, whatRan(defaultBf16, 60, H100), 'bf16')).toEqual([]);
  });

  it('the kernel diff puts the math path’s new kernels first, and ends with the attention kernel they replaced', () => {
    const diff = kernelDiff(defaultBf16, mathBf16, 5);
    expect(diff).toHaveLength(5);
    expect(diff.slice(0, 4).every((c) => c.change === 'appeared' || c.change === 'grew')).toBe(
      true,
    );
    expect(diff.map((c) => shortKernelName(c.name)).join(' ')).toMatch(/SoftMax|xmma_gemm_f32f32/);
    expect(diff[4]).toMatchObject({ change: 'disappeared', headUs: null });
    expect(diff[4]?.name).toMatch(/cudnn.*sdpa/);
    expect(kernelDiff(defaultBf16, defaultBf16).every((c) => c.baseUs === c.headUs)).toBe(true);
  });

  it('a regression leads with its cause: the attention implementation and the fp32 GEMMs it brought', () => {
    const base = whatRan(defaultBf16, 60, H100);
    expect(explainingChanges(base, whatRan(mathBf16, 790, H100))).toEqual([
      'attention cuDNN → math (materialised)',
      expect.stringMatching(/^fp32 GEMM kernels 0% → \d+% of device time$/),
    ]);
    expect(explainingChanges(base, whatRan(fp32, 690, H100))).toEqual([
      'attention cuDNN → memory-efficient',
      'matmul bf16 → fp32',
      'dtype bf16 → fp32',
    ]);
    expect(explainingChanges(base, base)).toEqual([]);
    expect(explainingChanges(base, null)).toEqual([]);
  });

  it('from kernel names alone (no operators), cuDNN attention is not mistaken for flash', () => {
    const kernelsOnly = { ...defaultBf16, ops: {} };
    expect(whatRan(kernelsOnly, 60, H100)?.attention).toBe('cuDNN');
    expect(whatRan({ ...mathBf16, ops: {} }, 790, H100)?.attention).toBeNull();
  });

  it('a profile that is not available says nothing rather than guessing', () => {
    const none = { ...defaultBf16, available: false, reason: 'torch is not importable' };
    expect(whatRan(none, 60, H100)).toBeNull();
    expect(describeWhatRan(null)).toBe('not profiled');
    expect(kernelDiff(none, mathBf16)).toEqual([]);
  });

  it('a profile that lost a part names it and keeps what the other parts saw', () => {
    // FlopCounterMode raised inside a model (torch 2.11, VGGT-1B's camera head): no FLOPs.
    const noFlops = {
      ...defaultBf16,
      flops: null,
      failedParts: { flops: "AttributeError: 'NoneType' object has no attribute 'next_functions'" },
    };
    const w = whatRan(noFlops, 60, H100);
    expect(w).toMatchObject({ attention: 'cuDNN', matmul: 'bf16', achievedTflops: null });
    expect(describeWhatRan(w)).toBe(
      "bf16 · attention cuDNN (cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16…) · matmul bf16 · not profiled: flops (AttributeError: 'NoneType' object has no attribute 'next_functions')",
    );
  });

  it('the kernel diff leads with what grew, not with a larger shrink that cannot explain a slowdown', () => {
    const at = (kernels: Array<[string, number]>): WorkloadProfile => ({
      ...defaultBf16,
      kernels: kernels.map(([name, deviceUs]) => ({ name, count: 1, deviceUs })),
    });
    const base = at([
      ['Gather', 10_000],
      ['MatMul', 5_000],
    ]);
    const head = at([
      ['Gather', 1_000],
      ['MatMul', 7_000],
      ['Softmax', 500],
    ]);
    expect(kernelDiff(base, head).map((c) => `${c.name} ${c.change}`)).toEqual([
      'MatMul grew',
      'Softmax appeared',
      'Gather shrank',
    ]);
  });

  it('warns of a GPU step that reads values into Python many times per iteration, as VGGT-1B does', () => {
    const reading = (n: number) => whatRan({ ...defaultBf16, hostReads: n }, 60, H100);
    expect(hostReadsWarning(reading(96), reading(96))).toMatch(
      /^the step makes the host wait for a GPU value 96 times per iteration \(both sides\): .*the latency follows the host's state/,
    );
    expect(hostReadsWarning(reading(0), reading(96))).toMatch(
      /96 times per iteration in head, 0 in base/,
    );
    // A side whose reads were not counted (not profiled) is not said to have none.
    expect(hostReadsWarning(null, reading(96))).toMatch(
      /wait for a GPU value 96 times per iteration in head:/,
    );
    // One loss.item() per step is no news; nor are reads on the CPU, or reads not counted.
    expect(hostReadsWarning(reading(1), reading(1))).toBeNull();
    const cpu = whatRan({ ...defaultBf16, totalDeviceUs: null, hostReads: 96 }, 60, null);
    expect(hostReadsWarning(cpu, cpu)).toBeNull();
    expect(hostReadsWarning(whatRan(defaultBf16, 60, H100), null)).toBeNull();
  });

  it('shortens C++ kernel names for a table', () => {
    expect(
      shortKernelName(
        'void at::native::(anonymous namespace)::cunn_SoftMaxForwardReg<float, float, float, at::native::(anonymous namespace)::SoftMaxForwardEpilogue, long, 8>(float*, float const*, long)',
      ),
    ).toBe('at::native::::cunn_SoftMaxForwardReg');
  });
});
