// GPU suite of @vggt-perf-gate/memory: needs an NVIDIA GPU and PyTorch.
// Skips, saying why, without them.
//
//   npm run test:gpu     (from the repository root)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { loadNvml, nvmlReader, openGpuReader } from '@vggt-perf-gate/device';
import { startVramSampler } from '@vggt-perf-gate/memory';

const GIB = 2 ** 30;
const skip = (() => {
  try {
    openGpuReader({ only: true }).close();
    return false;
  } catch (error) {
    return `no NVIDIA GPU with NVML here (${error.message.split('\n')[0]})`;
  }
})();

/**
 * A Python process driven line by line: each command line runs, then it prints
 * one JSON line. Commands: ctx (init CUDA), alloc GiB, free, spike GiB ms
 * (allocate, synchronise, hold, free, empty the cache), child GiB (start a
 * child process that allocates and holds), stats.
 */
const DRIVER = `
import json, os, subprocess, sys, time, torch
held, child = [], None
def stats(**kw):
    d = dict(pid=os.getpid(), reserved=torch.cuda.memory_reserved(), max_reserved=torch.cuda.max_memory_reserved(), max_allocated=torch.cuda.max_memory_allocated(), **kw)
    print(json.dumps(d), flush=True)
for line in sys.stdin:
    cmd = line.split()
    if cmd[0] == 'ctx':
        torch.zeros(1, device='cuda'); torch.cuda.synchronize(); stats()
    elif cmd[0] == 'alloc':
        held.append(torch.empty(int(float(cmd[1]) * 2**30), dtype=torch.uint8, device='cuda')); torch.cuda.synchronize(); stats()
    elif cmd[0] == 'free':
        held.clear(); torch.cuda.empty_cache(); torch.cuda.synchronize(); stats()
    elif cmd[0] == 'spike':
        times = []
        for _ in range(int(cmd[3])):
            x = torch.empty(int(float(cmd[1]) * 2**30), dtype=torch.uint8, device='cuda'); torch.cuda.synchronize()
            t0 = time.perf_counter(); time.sleep(float(cmd[2]) / 1000); times.append((time.perf_counter() - t0) * 1000)
            del x; torch.cuda.empty_cache(); torch.cuda.synchronize(); time.sleep(0.1)
        stats(held_ms=times)
    elif cmd[0] == 'child':
        code = "import torch,sys,os,json; x=torch.empty(int(float(sys.argv[1])*2**30),dtype=torch.uint8,device='cuda'); torch.cuda.synchronize(); print(json.dumps(dict(pid=os.getpid(), reserved=torch.cuda.memory_reserved())), flush=True); sys.stdin.read()"
        child = subprocess.Popen([sys.executable, '-c', code, cmd[1]], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        stats(child=json.loads(child.stdout.readline()))
    elif cmd[0] == 'quit':
        break
if child: child.stdin.close(); child.wait()
`;

function startDriver() {
  const proc = spawn('python3', ['-c', DRIVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  return {
    pid: proc.pid,
    async send(command) {
      proc.stdin.write(`${command}\n`);
      const { value, done } = await lines.next();
      if (done) throw new Error(`python exited during "${command}"`);
      return JSON.parse(value);
    },
    close() {
      proc.stdin.end('quit\n');
    },
  };
}

const processBytes = (pid) => {
  const reader = nvmlReader(loadNvml());
  try {
    return reader.processes(0).find((p) => p.pid === pid)?.usedBytes ?? null;
  } finally {
    reader.close();
  }
};

test('the sampler peak equals torch max_memory_reserved plus the CUDA context, within 2%', {
  skip,
}, async () => {
  const py = startDriver();
  try {
    const ctx = await py.send('ctx');
    const context = processBytes(py.pid) - ctx.reserved;
    const sampler = await startVramSampler({
      rootPid: py.pid,
      intervalMs: 1,
      source: { kind: 'nvml' },
    });
    let done;
    let report;
    try {
      await py.send('alloc 3');
      await new Promise((r) => setTimeout(r, 300));
      done = await py.send('free');
    } finally {
      report = await sampler.stop();
    }
    const expected = done.max_reserved + context;
    const error = Math.abs(report.total.peakBytes - expected) / expected;
    console.log(
      `peak ${report.total.peakBytes} B, torch max_reserved ${done.max_reserved} B + context ${context} B = ${expected} B, error ${(error * 100).toFixed(3)}%, ${report.achievedHz?.toFixed(0)} Hz`,
    );
    assert.ok(error < 0.02, `sampler peak off by ${(error * 100).toFixed(2)}%`);
    assert.ok(report.pidsSeen.includes(py.pid));
  } finally {
    py.close();
  }
});

test('a 5 ms allocation spike is caught', { skip }, async () => {
  const py = startDriver();
  try {
    const ctx = await py.send('ctx');
    const context = processBytes(py.pid) - ctx.reserved;
    const sampler = await startVramSampler({
      rootPid: py.pid,
      intervalMs: 1,
      source: { kind: 'nvml' },
    });
    let spikes;
    let report;
    try {
      spikes = await py.send('spike 4 5 5');
    } finally {
      report = await sampler.stop();
    }
    const above = report.total.peakBytes - context;
    console.log(
      `spikes held ${spikes.held_ms.map((t) => t.toFixed(1)).join(', ')} ms; peak above context ${(above / GIB).toFixed(3)} GiB; ${report.achievedHz?.toFixed(0)} Hz, fell behind ${report.fellBehind}x`,
    );
    assert.ok(above >= 4 * GIB * 0.98, `peak ${above} B does not show the 4 GiB spike`);
    const spikePoints = report.total.timeline.filter(
      (p) => p.bytes - context >= 4 * GIB * 0.98,
    ).length;
    console.log(
      `timeline points at the spike level: ${spikePoints} of ${report.total.timeline.length}`,
    );
  } finally {
    py.close();
  }
});

test('a parent and its child process are summed as one tree', { skip }, async () => {
  const py = startDriver();
  try {
    await py.send('ctx');
    const sampler = await startVramSampler({
      rootPid: py.pid,
      intervalMs: 1,
      source: { kind: 'nvml' },
    });
    let spawned;
    let report;
    let parentBytes;
    let childBytes;
    try {
      await py.send('alloc 2');
      spawned = await py.send('child 1');
      await new Promise((r) => setTimeout(r, 300));
      parentBytes = processBytes(py.pid);
      childBytes = processBytes(spawned.child.pid);
    } finally {
      report = await sampler.stop();
    }
    console.log(
      `parent ${parentBytes} B + child ${childBytes} B = ${parentBytes + childBytes} B; sampler total peak ${report.total.peakBytes} B; pids ${report.pidsSeen.join(',')}`,
    );
    assert.ok(report.pidsSeen.includes(spawned.child.pid), 'child PID not tracked');
    assert.equal(report.total.peakBytes, parentBytes + childBytes);
  } finally {
    py.close();
  }
});
