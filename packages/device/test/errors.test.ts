import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DeviceError, loadNvml, openGpuReader, probeDevice, smiReader } from '../src/index.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A stand-in nvidia-smi: a shell script that behaves as told. */
function fakeSmi(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fake-smi-'));
  const path = join(dir, 'nvidia-smi');
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** Answers like the real nvidia-smi did on the GPU machine (captured fixtures). */
const replayingSmi = (options: { legacyOnly?: boolean } = {}) =>
  fakeSmi(`
case "$1" in
  --query-gpu=index,not*) echo 'Field "not.a.field" is not a valid field to query.'; exit 2;;
  --query-gpu=*compute_cap*) ${options.legacyOnly ? `echo 'Field "compute_cap" is not a valid field to query.'; exit 2` : `cat '${fixtures}smi-gpu-busy.txt'`};;
  --query-gpu=*) cat '${fixtures}smi-gpu-legacy-idle.txt';;
  --query-compute-apps=*) cat '${fixtures}smi-apps-busy.txt';;
  *) cat '${fixtures}smi-plain.txt';;
esac`);

describe('no driver, broken driver, wrong index', () => {
  it('a missing NVML library is NO_DRIVER with what to check', () => {
    const error = (() => {
      try {
        loadNvml('libnvidia-ml-missing.so.1');
      } catch (e) {
        return e as DeviceError;
      }
    })();
    expect(error).toBeInstanceOf(DeviceError);
    expect(error?.code).toBe('NO_DRIVER');
    expect(error?.message).toMatch(
      /libnvidia-ml-missing\.so\.1.*ldconfig -p \| grep nvidia-ml.*--gpus all/s,
    );
  });

  it('a missing nvidia-smi is NO_DRIVER', () => {
    expect(() => smiReader({ path: '/nonexistent/nvidia-smi' })).toThrow(
      /nvidia-smi was not found/,
    );
  });

  it('with neither, probeDevice says "no GPU" as a result, with both reasons', () => {
    const probe = probeDevice({
      nvmlLibrary: 'libnvidia-ml-missing.so.1',
      path: '/nonexistent/nvidia-smi',
    });
    expect(probe.state).toBe('no-gpu');
    if (probe.state === 'no-gpu') {
      expect(probe.reason).toContain('nvml: cannot load');
      expect(probe.reason).toContain('nvidia-smi: /nonexistent/nvidia-smi was not found');
    }
  });

  it('a driver nvidia-smi cannot talk to is NO_DRIVER, with its own words', () => {
    const path = fakeSmi(
      `echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."; exit 9`,
    );
    expect(() => smiReader({ path })).toThrow(/couldn't communicate with the NVIDIA driver/);
    expect(probeDevice({ nvmlLibrary: 'libnvidia-ml-missing.so.1', path }).state).toBe('no-gpu');
  });

  it('a hung nvidia-smi is stopped at the time limit, never waited on forever', () => {
    const path = fakeSmi('sleep 30');
    // Waiting out the 30 s sleep would outlast the test's own time limit.
    expect(() => smiReader({ path, timeoutMs: 300 })).toThrow(
      /did not answer within 300 ms.*dmesg/,
    );
  });
});

describe('nvidia-smi fallback, end to end over captured output', () => {
  it('opens, lists GPUs and processes when NVML is missing', () => {
    const reader = openGpuReader({
      nvmlLibrary: 'libnvidia-ml-missing.so.1',
      path: replayingSmi(),
    });
    expect(reader.source).toBe('nvidia-smi');
    const inventory = reader.inventory();
    expect(inventory.gpus[0]?.computeCapability?.major).toBe(9);
    expect(inventory.cudaDriverVersion).toMatch(/^\d+\.\d+$/);
    expect(reader.processes(0).length).toBeGreaterThan(0);
    expect(() => reader.processes(5)).toThrow(/GPU index 5 does not exist: nvidia-smi lists 1 GPU/);
  });

  it('the probe says NVML could not be used, why, and what reading through nvidia-smi misses', () => {
    const probe = probeDevice({ nvmlLibrary: 'libnvidia-ml-missing.so.1', path: replayingSmi() });
    expect(probe.state).toBe('ok');
    if (probe.state !== 'ok') return;
    const warning = probe.warnings.find((w) => w.startsWith('GPU read through nvidia-smi'));
    expect(warning).toContain(
      'nvml: cannot load the NVIDIA management library (libnvidia-ml-missing.so.1)',
    );
    expect(warning).toContain('spikes shorter than ~100 ms can be missed');
  });

  it('falls back to the legacy field set on a driver that rejects newer fields', () => {
    const reader = smiReader({ path: replayingSmi({ legacyOnly: true }) });
    expect(reader.inventory().gpus[0]?.computeCapability).toBeNull();
  });
});
