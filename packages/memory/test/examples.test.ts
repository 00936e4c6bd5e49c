import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The README's example is this file: run it as a user would, against the built package.
const run = promisify(execFile);
const example = (name: string) => fileURLToPath(new URL(`../examples/${name}`, import.meta.url));

describe('README example', () => {
  it('replay.mjs samples a recorded two-GPU run and explains the peak', async () => {
    const { stdout } = await run(process.execPath, [example('replay.mjs')]);
    expect(stdout).toContain('GPU 0: baseline 3.0 GiB, peak 9.0 GiB at 42 ms');
    expect(stdout).toContain('GPU 1: baseline 512.0 MiB, peak 2.5 GiB at 20 ms');
    expect(stdout).toContain('PIDs counted: 4101, 4102');
    expect(stdout).toMatch(
      /exceeded: the dtype that ran is probably not the one requested \(bf16\): the peak fits fp32/,
    );
  }, 30_000);
});
