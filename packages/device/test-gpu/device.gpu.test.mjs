// GPU suite of @vggt-perf-gate/device: run on a machine with an NVIDIA GPU
// (and PyTorch for the process test). Skips, saying why, without one.
//
//   npm run test:gpu -w @vggt-perf-gate/device
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import {
  DeviceError,
  loadNvml,
  nvmlReader,
  openGpuReader,
  probeDevice,
  smiReader,
} from '@vggt-perf-gate/device';

const gpu = (() => {
  try {
    openGpuReader().close();
    return null;
  } catch (error) {
    return `no NVIDIA GPU here (${error.message.split('\n')[0]})`;
  }
})();

test('NVML and nvidia-smi agree on every GPU', { skip: gpu ?? false }, () => {
  const nvml = nvmlReader(loadNvml());
  const smi = smiReader();
  try {
    const a = nvml.inventory();
    const b = smi.inventory();
    assert.equal(a.gpus.length, b.gpus.length);
    assert.equal(a.driverVersion, b.driverVersion);
    assert.equal(a.cudaDriverVersion, b.cudaDriverVersion);
    for (const [i, g] of a.gpus.entries()) {
      const h = b.gpus[i];
      assert.equal(g.name, h.name);
      assert.equal(g.uuid, h.uuid);
      assert.equal(g.pciBusId.toLowerCase(), h.pciBusId.toLowerCase());
      assert.deepEqual(g.computeCapability, h.computeCapability);
      // nvidia-smi prints MiB: equal to the MiB.
      assert.equal(Math.floor(g.memory.totalBytes / 2 ** 20), h.memory.totalBytes / 2 ** 20);
      assert.equal(g.clocks.smMaxMHz, h.clocks.smMaxMHz);
      console.log(
        `GPU ${i}: ${g.name}, CC ${g.computeCapability.major}.${g.computeCapability.minor}, ${(g.memory.totalBytes / 2 ** 30).toFixed(1)} GiB, reserved ${g.memory.reservedBytes} B`,
      );
    }
  } finally {
    nvml.close();
  }
});

test('a PyTorch process and its memory are listed, the same by both sources', {
  skip: gpu ?? false,
}, async () => {
  const child = spawn(
    'python3',
    [
      '-c',
      "import torch,sys; x=torch.empty(1<<30,dtype=torch.uint8,device='cuda'); torch.cuda.synchronize(); print(torch.cuda.memory_reserved(), flush=True); sys.stdin.read()",
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  try {
    const reserved = Number(
      await new Promise((resolve, reject) => {
        child.stdout.once('data', (d) => resolve(String(d).trim()));
        child.once('exit', (code) => reject(new Error(`python exited ${code}`)));
      }),
    );
    const nvml = nvmlReader(loadNvml());
    try {
      const mine = nvml.processes(0).find((p) => p.pid === child.pid);
      assert.ok(mine, `PID ${child.pid} not among NVML compute processes`);
      const smiMine = smiReader()
        .processes(0)
        .find((p) => p.pid === child.pid);
      assert.ok(smiMine, 'nvidia-smi does not list the process');
      assert.equal(Math.round(mine.usedBytes / 2 ** 20), smiMine.usedBytes / 2 ** 20);
      const context = mine.usedBytes - reserved;
      console.log(
        `torch reserved ${reserved} B, NVML process ${mine.usedBytes} B, context ${(context / 2 ** 20).toFixed(0)} MiB`,
      );
      assert.ok(
        context > 0 && context < 2 ** 30,
        `context overhead ${context} B outside (0, 1 GiB)`,
      );
    } finally {
      nvml.close();
    }
  } finally {
    child.stdin.end();
  }
});

test('a GPU index that does not exist is a NO_SUCH_GPU error that names the range', {
  skip: gpu ?? false,
}, () => {
  const reader = openGpuReader();
  try {
    const n = reader.deviceCount();
    assert.throws(
      () => reader.memory(n),
      (e) =>
        e instanceof DeviceError &&
        e.code === 'NO_SUCH_GPU' &&
        e.message.includes(`indices 0-${n - 1}`),
    );
  } finally {
    reader.close();
  }
});

test('probeDevice resolves dtype auto from the compute capability', { skip: gpu ?? false }, () => {
  const probe = probeDevice();
  assert.equal(probe.state, 'ok');
  const cc = probe.inventory.gpus[0].computeCapability;
  assert.equal(probe.gpus[0].autoDtype.dtype, cc.major >= 8 ? 'bf16' : 'fp16');
});

test('a missing NVML library is a NO_DRIVER error, and nvidia-smi is used instead', {
  skip: gpu ?? false,
}, () => {
  assert.throws(
    () => loadNvml('libnvidia-ml-does-not-exist.so'),
    (e) => e.code === 'NO_DRIVER' && /ldconfig/.test(e.message),
  );
  const reader = openGpuReader({ nvmlLibrary: 'libnvidia-ml-does-not-exist.so' });
  try {
    assert.equal(reader.source, 'nvidia-smi');
  } finally {
    reader.close();
  }
});
