import { describe, expect, it } from 'vitest';
import { RunnerError } from '../src/errors.js';
import { workerWorkload } from '../src/workloads/worker.js';
import {
  CLIENT_DIR,
  FIXTURES,
  fixtureWorkload,
  isReaped,
  testContext,
} from './fixtures/workers/helpers.js';

describe('worker workload: a normal run with the Python client (no torch)', () => {
  it('reports hello info, warms up, and returns timed samples per round', async () => {
    const { context, lines } = testContext({ dtype: 'fp16', side: 'base' });
    const session = await fixtureWorkload('sleepy.py', { options: { frames: 20 } }).open(context);
    try {
      expect(session.pid).toBeGreaterThan(0);
      expect(session.info).toMatchObject({
        framework: 'python',
        device: 'cpu',
        // No torch.nn.Module to inspect: the requested dtype, marked as such.
        dtype: 'fp16',
        itemsPerIteration: 20,
        extra: {
          name: 'sleepy',
          dtypeSource: 'requested',
          seen: { side: 'base', dtype: 'fp16', device: 'cpu', options: { frames: 20 } },
        },
      });
      expect(session.info.frameworkVersion).toMatch(/^3\.\d+/);

      await session.warmup(3);
      for (let round = 0; round < 3; round++) {
        const result = await session.run(5);
        expect(result.samples).toHaveLength(5);
        expect(result.memory).toEqual([]);
        for (const sample of result.samples) {
          // The step sleeps 2 ms, inside the timed region.
          expect(sample.hostMs).toBeGreaterThanOrEqual(2);
          expect(sample.hostMs).toBeLessThan(1000);
          expect(sample.deviceMs).toBeNull();
        }
      }
    } finally {
      await session.close();
    }
    expect(isReaped(session.pid)).toBe(true);
    // Warm-up's 3 steps and 3 x 5 measured ones all ran; their prints reached the log.
    expect(lines).toContain('[worker:base stdout] step 18: not JSON at all {');
    expect(lines).toContain('[worker:base stderr] stderr line 18');
    expect(lines.some((line) => line.includes('could not see the dtype in effect'))).toBe(true);
  });

  it('ignores anything the workload prints on stdout, even protocol-shaped lines', async () => {
    const { context, lines } = testContext();
    const session = await fixtureWorkload('sleepy.py').open(context);
    try {
      const result = await session.run(2);
      expect(result.samples).toHaveLength(2);
    } finally {
      await session.close();
    }
    expect(lines.some((line) => line.includes('stdout] {"type": "result"'))).toBe(true);
  });

  it('runs a string command through the shell', async () => {
    const { context } = testContext();
    const workload = workerWorkload({
      command: `exec python3 "${FIXTURES}/sleepy.py"`,
      env: { PYTHONPATH: CLIENT_DIR },
    });
    const session = await workload.open(context);
    try {
      expect((await session.run(1)).samples).toHaveLength(1);
    } finally {
      await session.close();
    }
  });

  it('close() is safe to call twice', async () => {
    const { context } = testContext();
    const session = await fixtureWorkload('sleepy.py').open(context);
    await Promise.all([session.close(), session.close()]);
    await session.close();
    expect(isReaped(session.pid)).toBe(true);
    await expect(session.run(1)).rejects.toThrow(/session is closed/);
  });

  it('rejects a config without a command', () => {
    expect(() => workerWorkload({ command: [] })).toThrow(RunnerError);
    expect(() => workerWorkload({ command: ' ' })).toThrow(/non-empty/);
    expect(() => workerWorkload({ command: 'x', startupTimeoutMs: 0 })).toThrow(/startupTimeoutMs/);
  });
});

describe('worker workload: ranks started by a launcher (torchrun closes fds 3 and 4)', () => {
  it('rank 0 speaks the protocol over PERF_GATE_SOCKET; the whole launcher tree is stopped', async () => {
    const { context, lines } = testContext();
    const session = await fixtureWorkload('launcher.py', {}).open(context);
    try {
      expect(session.info.extra).toMatchObject({
        fds_open: [false, false],
        rank: 0,
        world_size: 1,
      });
      await session.warmup(2);
      const result = await session.run(4);
      expect(result.samples).toHaveLength(4);
    } finally {
      await session.close();
    }
    expect(isReaped(session.pid)).toBe(true);
    expect(lines.some((l) => l.includes('protocol over PERF_GATE_SOCKET'))).toBe(true);
  });

  it('a rank that dies mid-run ends in an error that quotes its stderr', async () => {
    const { context } = testContext();
    const session = await fixtureWorkload('launcher.py', { env: { FD_PROBE_DIE: '1' } }).open(
      context,
    );
    try {
      await expect(session.run(2)).rejects.toThrow(/rank 0 is going down hard/);
    } finally {
      await session.close();
    }
    expect(isReaped(session.pid)).toBe(true);
  });
});
