// On a GPU machine: what `probeDtypes` says for each execution provider.
// Where onnxruntime-node was installed without its CUDA download, the GPU
// providers must fail loudly with install instructions, never run on CPU.
//
//   node packages/device/scripts/probe-cuda.mjs
import { formatDtypeProbe, probeDtypes } from '@vggt-perf-gate/device';

for (const provider of ['cpu', 'cuda', 'tensorrt']) {
  try {
    console.log(formatDtypeProbe(await probeDtypes({ provider })));
  } catch (error) {
    console.log(`provider ${provider}: ${error.name} ${error.code}: ${error.message}`);
  }
}
