// Sampler overhead on a PyTorch workload: the same GPU work timed (CUDA
// events, in the worker) with and without the VRAM sampler watching it, in
// interleaved ABBA rounds; prints the ratio of medians and the sampling rate.
//
//   npm run build && node packages/memory/bench-gpu/sampler-overhead.mjs [rounds]
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startVramSampler } from '@vggt-perf-gate/memory';
import { compare, roundOrder } from '@vggt-perf-gate/timing';

const ROUNDS = Number(process.argv[2] ?? 20);
// Each "run" line: 10 timed iterations of a bf16 matmul chain (about 10-20 ms each on an H100).
const WORKLOAD = `
import json, sys, torch
a = torch.randn(8192, 8192, device='cuda', dtype=torch.bfloat16)
b = torch.randn(8192, 8192, device='cuda', dtype=torch.bfloat16)
def step():
    c = a
    for _ in range(4): c = (c @ b) * 1e-2
    return c
for _ in range(20): step()
torch.cuda.synchronize()
print('ready', flush=True)
for line in sys.stdin:
    out = []
    for _ in range(10):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record(); step(); e.record(); torch.cuda.synchronize(); out.append(s.elapsed_time(e))
    print(json.dumps(out), flush=True)
`;

const proc = spawn('python3', ['-c', WORKLOAD], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
await lines.next(); // ready
const run = async () => {
  proc.stdin.write('run\n');
  return JSON.parse((await lines.next()).value);
};

const samples = { base: [], head: [] };
const rounds = { base: [], head: [] };
const rates = [];
for (let r = 0; r < ROUNDS; r++) {
  for (const side of roundOrder(r)) {
    // Both sides start and stop a sampler, so the host work and the GPU's idle
    // gap before the run are the same; only head keeps it sampling (1 ms, NVML)
    // while the workload runs. An earlier version started a sampler only for
    // head, and head came out ~10% *faster*: the gap, not the sampler.
    const sampler = await startVramSampler({
      rootPid: proc.pid,
      intervalMs: 1,
      source: { kind: 'nvml' },
    });
    if (side === 'base') await sampler.stop();
    const times = await run();
    if (side === 'head') rates.push((await sampler.stop()).achievedHz);
    samples[side].push(...times);
    rounds[side].push(...times.map(() => r));
  }
}
proc.stdin.end();
const result = compare(samples.base, samples.head, { threshold: 0.005, rounds });
console.log(
  `workload median without sampler ${result.base.median.toFixed(3)} ms, with ${result.head.median.toFixed(3)} ms`,
);
console.log(
  `ratio with/without ${result.ratio.toFixed(4)} [${result.interval.lower.toFixed(4)}, ${result.interval.upper.toFixed(4)}] (95%), verdict at ±0.5%: ${result.verdict}`,
);
rates.sort((a, b) => a - b);
console.log(
  `sampler rate: median ${rates[Math.floor(rates.length / 2)].toFixed(0)} Hz (min ${rates[0].toFixed(0)}, max ${rates[rates.length - 1].toFixed(0)}) over ${rates.length} rounds`,
);
process.exit(0);
