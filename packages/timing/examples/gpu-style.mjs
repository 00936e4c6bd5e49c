// Time an asynchronous, GPU-style function honestly: `sync` waits for the
// queued device work inside the timed region.
//   node packages/timing/examples/gpu-style.mjs
//
// A stand-in device (no GPU needed): launch() queues 4 ms of work and returns
// at once, like a CUDA kernel launch; synchronize() resolves when the queue
// is drained, like torch.cuda.synchronize(). With a real GPU, `fn` sends one
// iteration to your worker and `sync` waits for its synchronised reply.
import { measure } from '@vggt-perf-gate/timing';

const device = {
  busyUntil: 0,
  launch(ms) {
    this.busyUntil = Math.max(this.busyUntil, performance.now()) + ms;
  },
  synchronize() {
    return new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, this.busyUntil - performance.now())),
    );
  },
};

const forward = async () => device.launch(4);

const naive = await measure(forward, { batch: 1, warmupTime: 0, maxSamples: 20 });
await device.synchronize(); // drain what the naive run queued (23 calls x 4 ms)
const honest = await measure(forward, { sync: () => device.synchronize(), maxTime: 2000 });

console.log(
  `without sync: ${naive.stats.median.toFixed(3)} ms per call (only the launch was timed)`,
);
console.log(`with sync:    ${honest.stats.median.toFixed(3)} ms per call (the work itself)`);
console.log(
  `first call: ${honest.warmup.first.toFixed(3)} ms; warm-up calls: ${honest.warmup.iterations}`,
);
