/**
 * Entry point of the sampler's worker thread (not part of the public API).
 * Unlike every other module here, this one acts on import: it is only ever
 * loaded as a Worker by `startVramSampler()`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerInput, WorkerMessage } from './protocol.js';
import { runSampling } from './sampler-run.js';

if (parentPort !== null) {
  const port = parentPort;
  await runSampling(workerData as WorkerInput, (message: WorkerMessage) =>
    port.postMessage(message),
  );
}
