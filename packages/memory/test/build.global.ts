import { buildPackages } from '../../../scripts/build-packages.mjs';

/**
 * The sampler's worker thread and the README example run the compiled
 * package (dist/), so build it before the tests. The replay source used by
 * the tests needs nothing from @vggt-perf-gate/device, so that is not built.
 */
export default function setup(): void {
  buildPackages('memory');
}
