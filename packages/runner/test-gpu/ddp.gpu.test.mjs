// GPU suite of @vggt-perf-gate/runner: torchrun jobs through the worker protocol.
// Needs PyTorch with CUDA; skips, saying why, without it. Run from the repository root
// (the Python client is taken from clients/python there).
//
//   npm run test:gpu
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { workerWorkload } from '@vggt-perf-gate/runner';

const here = dirname(fileURLToPath(import.meta.url));
const client = join(process.cwd(), 'clients/python');
const script = join(here, 'ddp_worker.py');
const probe = spawnSync('python3', ['-c', 'import torch; print(torch.cuda.device_count())'], {
  encoding: 'utf8',
});
const gpus = probe.status === 0 ? Number(probe.stdout.trim()) : 0;
const skip =
  gpus === 0
    ? `no PyTorch with CUDA here (${(probe.stderr || 'no GPU').trim().split('\n').at(-1)})`
    : !existsSync(client)
      ? `run from the repository root (${client} is missing)`
      : false;

async function session(nproc, env) {
  const workload = workerWorkload({
    command: [
      'python3',
      '-m',
      'torch.distributed.run',
      '--standalone',
      '--nproc-per-node',
      String(nproc),
      script,
    ],
    env: { PYTHONPATH: client, ...env },
  });
  const lines = [];
  const s = await workload.open({
    side: 'head',
    cwd: here,
    dtype: 'fp32',
    log: (l) => lines.push(l),
  });
  return { s, lines };
}

test('two ranks on one GPU (gloo): samples, both ranks memory, a profile', { skip }, async () => {
  const { s, lines } = await session(2, {
    CUDA_VISIBLE_DEVICES: '0',
    PERF_GATE_DIST_BACKEND: 'gloo',
  });
  try {
    assert.match(s.info.device ?? '', /^2 ranks \(gloo\)/);
    await s.warmup(2);
    const round = await s.run(5);
    assert.equal(round.samples.length, 5);
    assert.deepEqual(round.memory.map((m) => m.rank).sort(), [0, 1]);
    assert.ok(round.memory.every((m) => m.device === 0 && m.maxReservedBytes > 0));
    const profile = await s.profile();
    assert.equal(profile?.available, true, profile?.reason);
    assert.ok((profile?.kernels.length ?? 0) > 0);
  } finally {
    await s.close();
  }
  assert.ok(lines.some((l) => l.includes('protocol over PERF_GATE_SOCKET')));
});

test('one rank per GPU (NCCL), when there are two GPUs', {
  skip: skip || (gpus < 2 && 'fewer than 2 GPUs'),
}, async () => {
  const { s } = await session(2, {});
  try {
    await s.warmup(2);
    const round = await s.run(3);
    assert.deepEqual(round.memory.map((m) => [m.rank, m.device]).sort(), [
      [0, 0],
      [1, 1],
    ]);
    assert.ok(round.memory.every((m) => typeof m.uuid === 'string' && m.uuid.length > 8));
  } finally {
    await s.close();
  }
});
