import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  GPU_FIELDS,
  LEGACY_GPU_FIELDS,
  type NvmlRecording,
  nvmlReader,
  parseAppsCsv,
  parseCudaVersion,
  parseGpuCsv,
  replayNvml,
} from '../src/index.js';

const text = (name: string) =>
  readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

describe('nvidia-smi output captured on a real GPU', () => {
  const nvml = nvmlReader(
    replayNvml(JSON.parse(text('nvml-busy.json')) as NvmlRecording),
  ).inventory();

  it('parses --query-gpu into the same inventory NVML gives', () => {
    const [gpu] = parseGpuCsv(text('smi-gpu-busy.txt'), GPU_FIELDS);
    const reference = nvml.gpus[0]!;
    expect(gpu?.name).toBe(reference.name);
    expect(gpu?.uuid).toBe(reference.uuid);
    expect(gpu?.computeCapability).toEqual(reference.computeCapability);
    expect(gpu?.driverVersion).toBe(nvml.driverVersion);
    expect(gpu?.memory.totalBytes).toBe(
      Math.floor(reference.memory.totalBytes / 2 ** 20) * 2 ** 20,
    );
    expect(gpu?.clocks.smMaxMHz).toBe(reference.clocks.smMaxMHz);
  });

  it('parses the legacy field set that older drivers understand', () => {
    const [gpu] = parseGpuCsv(text('smi-gpu-legacy-idle.txt'), LEGACY_GPU_FIELDS);
    expect(gpu?.computeCapability).toBeNull();
    expect(gpu?.memory.reservedBytes).toBeNull();
    expect(gpu?.memory.totalBytes).toBeGreaterThan(0);
  });

  it('parses --query-compute-apps into processes with bytes and GPU index', () => {
    const apps = parseAppsCsv(text('smi-apps-busy.txt'), (uuid) =>
      nvml.gpus.findIndex((g) => g.uuid === uuid),
    );
    const fromNvml = nvml.processes;
    expect(apps.map((p) => p.pid).sort()).toEqual(fromNvml.map((p) => p.pid).sort());
    for (const app of apps) {
      const same = fromNvml.find((p) => p.pid === app.pid);
      // nvidia-smi rounds to MiB.
      expect(Math.abs((app.usedBytes ?? 0) - (same?.usedBytes ?? 0))).toBeLessThan(2 ** 20);
      expect(app.gpuIndex).toBe(0);
    }
    expect(parseAppsCsv('', () => 0)).toEqual([]);
  });

  it('reads the CUDA version from the plain header', () => {
    expect(parseCudaVersion(text('smi-plain.txt'))).toBe(nvml.cudaDriverVersion);
  });

  it('says what went wrong when the field count does not match', () => {
    expect(() => parseGpuCsv('0, NVIDIA H100', GPU_FIELDS)).toThrow(
      /printed 2 fields on line 1 where 18 were asked for/,
    );
  });
});
