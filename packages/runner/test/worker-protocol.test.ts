import { describe, expect, it } from 'vitest';
import { RunnerError } from '../src/errors.js';
import { parseWorkerLine } from '../src/workloads/worker-protocol.js';
import { fixtureWorkload, isReaped, testContext } from './fixtures/workers/helpers.js';

describe('worker protocol: parsing lines from fd 4', () => {
  it('accepts a valid message and ignores unknown fields (forward compatible)', () => {
    const parsed = parseWorkerLine('{"type":"bye","later":"field"}');
    expect(parsed).toEqual({ kind: 'message', message: { type: 'bye' } });
  });

  it('names what is wrong with a malformed message and quotes it', () => {
    const parsed = parseWorkerLine('{"type":"result","samples":[{"hostMs":"fast"}],"memory":[]}');
    expect(parsed.kind).toBe('invalid');
    if (parsed.kind === 'invalid') {
      expect(parsed.problem).toContain('malformed "result" message');
      expect(parsed.problem).toContain('samples[0].hostMs: expected number, received string');
      expect(parsed.problem).toContain(
        '`{"type":"result","samples":[{"hostMs":"fast"}],"memory":[]}`',
      );
    }
  });

  it('checks a hello version before its shape', () => {
    expect(parseWorkerLine('{"type":"hello","protocol":2}')).toEqual({
      kind: 'version',
      version: 2,
    });
  });

  it('rejects unknown types, non-objects and non-JSON', () => {
    expect(parseWorkerLine('{"type":"halo"}')).toMatchObject({ kind: 'invalid' });
    expect(parseWorkerLine('[1,2]')).toMatchObject({ kind: 'invalid' });
    expect(parseWorkerLine('ok')).toMatchObject({ kind: 'invalid' });
  });
});

describe('worker protocol: a hand-written worker', () => {
  it('takes dtype updates that arrive with a result (autocast seen in the first forward)', async () => {
    const { context } = testContext({ dtype: 'bf16' });
    const session = await fixtureWorkload('raw.py', { env: { MODE: 'info-update' } }).open(context);
    try {
      expect(session.info).toMatchObject({ framework: 'raw', dtype: 'fp32' });
      expect(session.info.extra.dtypeSource).toBe('parameters');
      await session.warmup(1);
      expect(session.info.dtype).toBe('bf16');
      expect(session.info.extra.dtypeSource).toBe('autocast');
      const result = await session.run(2);
      expect(result).toEqual({
        samples: [
          { hostMs: 1.5, deviceMs: 1.25 },
          { hostMs: 1.5, deviceMs: 1.25 },
        ],
        memory: [{ device: 0, maxAllocatedBytes: 1024, maxReservedBytes: 2048 }],
      });
    } finally {
      await session.close();
    }
  });

  it('warns in the log when the dtype in effect after the first run is not the one requested', async () => {
    // fp32 parameters and no autocast: a silent precision fallback.
    const { context, lines } = testContext({ dtype: 'bf16' });
    const session = await fixtureWorkload('raw.py', { env: { MODE: 'short-result' } }).open(
      context,
    );
    await session.warmup(1);
    await session.close();
    expect(lines).toContain(
      '[worker:head] warning: bf16 was requested but fp32 is in effect (from parameters).',
    );
  });

  it('does not warn about mixed precision: fp32 weights, bf16 autocast seen in the first run', async () => {
    const { context, lines } = testContext({ dtype: 'bf16' });
    const session = await fixtureWorkload('raw.py', { env: { MODE: 'info-update' } }).open(context);
    await session.warmup(1);
    expect(session.info.dtype).toBe('bf16');
    await session.close();
    expect(lines.some((line) => line.includes('is in effect'))).toBe(false);
  });

  it('a result with the wrong number of samples is a protocol error', async () => {
    const { context } = testContext();
    const session = await fixtureWorkload('raw.py', { env: { MODE: 'short-result' } }).open(
      context,
    );
    try {
      const error = await session.run(3).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RunnerError);
      expect((error as Error).message).toContain('a result of 2 samples for a run of 3 iterations');
    } finally {
      await session.close();
    }
    expect(isReaped(session.pid)).toBe(true);
  });

  it('a reply nobody asked for is a protocol error', async () => {
    const { context } = testContext();
    const error = await fixtureWorkload('raw.py', { env: { MODE: 'reply-early' } })
      .open(context)
      .catch((caught: unknown) => caught);
    expect((error as Error).message).toContain(
      `it sent "result" while the runner expected 'ready' (setup)`,
    );
  });
});
