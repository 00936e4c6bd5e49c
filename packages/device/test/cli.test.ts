import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));

async function probe(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
      env: { ...process.env, PATH: '/nonexistent' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('vggt-perf-gate-probe', () => {
  beforeAll(async () => {
    const tsc = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url));
    await run(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root });
  }, 60_000);

  it('says there is no GPU and exits 1 on a machine without one', async () => {
    const result = await probe([]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^No NVIDIA GPU: no NVIDIA GPU can be read here/);
  });

  it('prints JSON with --json', async () => {
    const result = await probe(['--json']);
    expect(JSON.parse(result.stdout).device.state).toBe('no-gpu');
  });

  it('runs the dtype probe on the CPU provider', async () => {
    const result = await probe(['--dtypes', 'cpu']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/bfloat16 +matmul +not-implemented/);
  }, 30_000);

  it('rejects a bad option with usage and exit 2', async () => {
    const result = await probe(['--source', 'rocm']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--source must be nvml or nvidia-smi, not "rocm"');
  });
});
