import { describe, expect, it } from 'vitest';
import { checkExpectedMemory, MemoryError } from '../src/index.js';

const GIB = 1024 ** 3;
/** VGGT-1B's parameter count, about. */
const VGGT_PARAMETERS = 1.2e9;

describe('checkExpectedMemory', () => {
  it('passes a bf16 peak that fits bf16 weights with headroom', () => {
    // 1.2e9 x 2 bytes = 2.2 GiB of weights, 0.5 GiB of activations: 2.7 GiB expected, 4.1 GiB allowed.
    const check = checkExpectedMemory({
      parameterCount: VGGT_PARAMETERS,
      dtype: 'bf16',
      activationBytes: 0.5 * GIB,
      measuredPeakBytes: 3.6 * GIB,
    });
    expect(check.state).toBe('ok');
    expect(check.expectedBytes).toBeCloseTo(2.4e9 + 0.5 * GIB);
    expect(check.limitBytes).toBeCloseTo(check.expectedBytes * 1.5);
    expect(check.ratio).toBeCloseTo((3.6 * GIB) / check.expectedBytes);
    expect(check.likelyCause).toBeUndefined();
  });

  it('names the dtype when bf16 was requested and the peak fits fp32', () => {
    // fp32 weights of the same model: 4.8e9 bytes (4.5 GiB), plus activations in fp32.
    const check = checkExpectedMemory({
      parameterCount: VGGT_PARAMETERS,
      dtype: 'bf16',
      activationBytes: 0.5 * GIB,
      measuredPeakBytes: 6.5 * GIB,
    });
    expect(check.state).toBe('exceeded');
    expect(check.likelyCause).toMatch(
      /^the dtype that ran is probably not the one requested \(bf16\): the peak fits fp32/,
    );
    expect(check.likelyCause).toMatch(/compute capability/);
  });

  it('blames the attention kernel for the field report: 45.7 GiB where 3.6 GiB was expected', () => {
    const check = checkExpectedMemory({
      parameterCount: VGGT_PARAMETERS,
      dtype: 'bf16',
      activationBytes: 3.6 * GIB - 2.4e9,
      factor: 1.5,
      measuredPeakBytes: 45.7 * GIB,
    });
    expect(check.expectedBytes).toBeCloseTo(3.6 * GIB);
    expect(check.ratio).toBeCloseTo(45.7 / 3.6);
    expect(check.state).toBe('exceeded');
    expect(check.likelyCause).toMatch(/more than even fp32 weights would take/);
    expect(check.likelyCause).toMatch(/attention fell back to the math \(materialising\) kernel/);
    expect(check.likelyCause).not.toMatch(/dtype that ran/);
  });

  it('names the fp16/bf16 width for an int8 model that ran unquantised, and shows a named request', () => {
    const check = checkExpectedMemory({
      parameterCount: 1e9,
      dtype: 'int8',
      requestedDtype: 'auto',
      measuredPeakBytes: 2.5e9,
    });
    expect(check.likelyCause).toMatch(
      /not the one requested \(auto, i\.e\. int8\): the peak fits fp16 or bf16/,
    );
  });

  it('notes a peak far below the expectation', () => {
    const check = checkExpectedMemory({
      parameterCount: 1e9,
      dtype: 'fp32',
      measuredPeakBytes: 1e9,
    });
    expect(check.state).toBe('ok');
    expect(check.note).toMatch(/under half/);
  });

  it('rejects bad input, saying what it needs', () => {
    const base = { parameterCount: 1e9, dtype: 'bf16' as const, measuredPeakBytes: 1e9 };
    expect(() => checkExpectedMemory({ ...base, parameterCount: 0 })).toThrow(
      /parameterCount = 0 is invalid/,
    );
    expect(() => checkExpectedMemory({ ...base, dtype: 'fp64' as never })).toThrow(
      /dtype = "fp64" is invalid: expected one of fp32, fp16, bf16, int8, fp8/,
    );
    expect(() => checkExpectedMemory({ ...base, factor: 0.9 })).toThrow(MemoryError);
    expect(() => checkExpectedMemory({ ...base, measuredPeakBytes: Number.NaN })).toThrow(
      /measuredPeakBytes/,
    );
  });
});

describe('checkExpectedMemory with weights stored wider than the compute dtype', () => {
  // VGGT-1B as its README runs it: 1.19 B fp32 weights (4.4 GiB), bf16 autocast, 6 GiB of activations.
  const vggt = {
    parameterCount: 1.19e9,
    dtype: 'bf16' as const,
    activationBytes: 6 * 2 ** 30,
    measuredPeakBytes: 13.5 * 2 ** 30,
  };

  it('counts fp32 weights at 4 bytes, so an autocast run within its headroom is not a fallback', () => {
    const check = checkExpectedMemory({ ...vggt, weightsDtype: 'fp32' });
    expect(check.state).toBe('ok');
    expect(check.expectedBytes).toBeCloseTo(1.19e9 * 4 + 6 * 2 ** 30, -3);
  });

  it('without the weights dtype, the same peak reads as a fallback to fp32 (the false warning)', () => {
    const check = checkExpectedMemory(vggt);
    expect(check.state).toBe('exceeded');
    expect(check.likelyCause).toMatch(/the peak fits fp32/);
  });

  it('still names a real fallback: activations in fp32 as well', () => {
    const check = checkExpectedMemory({
      ...vggt,
      weightsDtype: 'fp32',
      measuredPeakBytes: 20 * 2 ** 30,
    });
    expect(check.state).toBe('exceeded');
    expect(check.likelyCause).toMatch(/fits fp32.*expected at bf16 \(weights fp32\)/);
  });
});
