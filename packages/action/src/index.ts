/**
 * The entry point action.yml runs (bundled into the repository's
 * dist/index.js): `uses: org/vggt-perf-gate@v1`.
 */
import { cancelOnSignals, run } from './main.js';

await run({ signal: cancelOnSignals() });
