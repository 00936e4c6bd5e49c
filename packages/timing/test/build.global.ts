import { buildPackages } from '../../../scripts/build-packages.mjs';

/** The examples import the published entry point (dist/), so build it first. */
export default function setup(): void {
  buildPackages('timing');
}
