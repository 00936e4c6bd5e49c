// Runs without a GPU: the sampler replays a recording instead of reading NVML.
import {
  checkExpectedMemory,
  formatBytes,
  mergeFrameworkMemory,
  startVramSampler,
} from '@vggt-perf-gate/memory';

const GIB = 1024 ** 3;
const launcher = 4100; // e.g. torchrun
const rank0 = 4101;
const rank1 = 4102;
const stranger = 7000; // another job on the same GPUs: not counted

// 100 frames, 1 ms apart: two ranks on two GPUs, and a 1 ms spike on GPU 0 at 42 ms.
const frames = Array.from({ length: 100 }, (_, tMs) => ({
  tMs,
  processes: [
    { pid: rank0, gpuIndex: 0, usedBytes: (tMs === 42 ? 9 : 3) * GIB },
    { pid: rank1, gpuIndex: 1, usedBytes: tMs < 20 ? 0.5 * GIB : 2.5 * GIB },
    { pid: stranger, gpuIndex: 1, usedBytes: 20 * GIB },
  ],
  treePids: [launcher, rank0, rank1],
}));
const recording = { version: 1, deviceCount: 2, capturedWith: 'nvml', frames };

const sampler = await startVramSampler({
  rootPid: launcher,
  source: { kind: 'replay', recording },
});
let report;
try {
  // ... run the workload here ...
} finally {
  report = await sampler.stop();
}

for (const gpu of report.perGpu) {
  console.log(
    `GPU ${gpu.gpuIndex}: baseline ${formatBytes(gpu.baselineBytes)}, peak ${formatBytes(gpu.peakBytes)} at ${gpu.peakAtMs} ms`,
  );
}
console.log(
  `total peak ${formatBytes(report.total.peakBytes)}; PIDs counted: ${report.pidsSeen.join(', ')}`,
);

// The worker's torch.cuda.max_memory_allocated / max_memory_reserved, per device.
const { rows } = mergeFrameworkMemory(
  [
    { device: 0, maxAllocatedBytes: 7.8 * GIB, maxReservedBytes: 8.4 * GIB },
    { device: 1, maxAllocatedBytes: 1.6 * GIB, maxReservedBytes: 2 * GIB },
  ],
  report.perGpu,
);
for (const row of rows) {
  console.log(
    `GPU ${row.gpuIndex}: CUDA context and libraries ${formatBytes(row.contextOverhead)}`,
  );
}

const check = checkExpectedMemory({
  parameterCount: 1.2e9,
  dtype: 'bf16',
  activationBytes: 1 * GIB,
  measuredPeakBytes: report.perGpu[0].peakBytes,
});
console.log(`${check.state}: ${check.likelyCause ?? 'within the expectation'}`);
