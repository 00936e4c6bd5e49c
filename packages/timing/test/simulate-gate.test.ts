import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const bench = fileURLToPath(new URL('../bench/simulate-gate.mjs', import.meta.url));

// The simulation's figures stand for the shipped gate only while it stops and judges
// where the gate does: replayed on their own plans, the default config's recorded H200
// runs must reach the verdict, at the round, each reached on the GPU.
it('simulate-gate.mjs replays every recorded default-config GPU run as the GPU decided it', async () => {
  const { stdout } = await run(process.execPath, [bench, '--runs', '20', '--seed', '1'], {
    maxBuffer: 16 * 2 ** 20,
  });
  const [, agree, compared] = /Replayed as on the GPU[^:]*: (\d+) of (\d+) runs/.exec(stdout) ?? [];
  expect(Number(compared)).toBeGreaterThanOrEqual(36);
  expect(agree).toBe(compared);
  expect(stdout).not.toContain('(differs)');
}, 120_000);
