import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The README's examples are these files: run them as a user would, against the built package.
const run = promisify(execFile);
const example = (name: string) => fileURLToPath(new URL(`../examples/${name}`, import.meta.url));

describe('README examples', () => {
  it('cpu-function.mjs measures two functions and prints a verdict', async () => {
    const { stdout } = await run(process.execPath, [example('cpu-function.mjs')]);
    expect(stdout).toMatch(/loop: {3}median [\d.]+ ms ± [\d.]+% \(\d+ samples, stopped on \w+/);
    expect(stdout).toMatch(/^(regression|improvement|unchanged|inconclusive) - /m);
  }, 30_000);

  it('gpu-style.mjs shows that only a sync hook times the queued work', async () => {
    const { stdout } = await run(process.execPath, [example('gpu-style.mjs')]);
    const naive = Number(/without sync: ([\d.]+) ms/.exec(stdout)?.[1]);
    const honest = Number(/with sync: +([\d.]+) ms/.exec(stdout)?.[1]);
    expect(naive).toBeLessThan(1);
    // At least the 4 ms of queued work; a loaded machine can only make it longer.
    expect(honest).toBeGreaterThanOrEqual(4);
  }, 30_000);

  it('interleave-rounds.mjs stops at a planned look once decided, with process pairs as the unit', async () => {
    const { stdout } = await run(process.execPath, [example('interleave-rounds.mjs')]);
    // Two process pairs (round 4) cannot yet tell +10% apart at the look's level; three can.
    expect(stdout).toMatch(/^4 rounds: inconclusive$/m);
    expect(stdout).toMatch(/^stopped after 6 rounds: decided, regression$/m);
  }, 30_000);
});
