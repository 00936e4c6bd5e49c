import { buildPackages } from '../../../scripts/build-packages.mjs';

/**
 * End-to-end tests run the built CLI (dist/cli.js) the way users and the
 * Action do, and the memory sampler's worker is a built file: build every
 * package this one depends on, in dependency order, first.
 */
export default function setup(): void {
  buildPackages('timing', 'device', 'memory', 'runner');
}
