import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DeviceError, type NvmlRecording, nvmlReader, replayNvml } from '../src/index.js';

// Captured on a real GPU machine by scripts/capture-fixtures.mjs (see fixtures/README.md).
const fixture = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'),
  ) as NvmlRecording;

describe('NVML reader over a recording from a real GPU', () => {
  const busy = fixture('nvml-busy.json');
  const holders = JSON.parse(
    readFileSync(new URL('../fixtures/torch-holders.json', import.meta.url), 'utf8'),
  ) as Array<{ pid: number; reserved: number }>;

  it('reads the inventory: name, capability, driver, memory with the v2 reserved field', () => {
    const reader = nvmlReader(replayNvml(busy));
    const inventory = reader.inventory();
    expect(inventory.source).toBe('nvml');
    expect(inventory.driverVersion).toMatch(/^\d+\.\d+/);
    expect(inventory.cudaDriverVersion).toMatch(/^\d+\.\d+$/);
    const gpu = inventory.gpus[0]!;
    expect(gpu.name).toMatch(/H100|H200/);
    expect(gpu.computeCapability).toEqual({ major: 9, minor: 0 });
    expect(gpu.uuid).toMatch(/^GPU-[0-9a-f-]{36}$/);
    expect(gpu.memory.totalBytes).toBeGreaterThan(70 * 2 ** 30);
    expect(gpu.memory.reservedBytes).toBeGreaterThan(0);
    expect(gpu.memory.usedBytes + gpu.memory.freeBytes + (gpu.memory.reservedBytes ?? 0)).toBe(
      gpu.memory.totalBytes,
    );
    expect(gpu.clocks.smMaxMHz).toBeGreaterThan(1000);
    expect(gpu.powerLimitW).toBeGreaterThan(100);
  });

  it('lists the PyTorch processes that held memory, parent and child, with their bytes', () => {
    const processes = nvmlReader(replayNvml(busy)).processes(0);
    for (const holder of holders) {
      const seen = processes.find((p) => p.pid === holder.pid);
      expect(seen, `PID ${holder.pid}`).toBeDefined();
      // NVML's per-process number is torch's reserved memory plus the CUDA context.
      const context = (seen?.usedBytes ?? 0) - holder.reserved;
      expect(context).toBeGreaterThan(100 * 2 ** 20);
      expect(context).toBeLessThan(2 ** 30);
    }
  });

  it('says which GPU indices exist when asked for one that does not', () => {
    const reader = nvmlReader(replayNvml(busy));
    const count = reader.deviceCount();
    const error = (() => {
      try {
        reader.memory(count);
      } catch (e) {
        return e as DeviceError;
      }
    })();
    expect(error).toBeInstanceOf(DeviceError);
    expect(error?.code).toBe('NO_SUCH_GPU');
    expect(error?.message).toContain(`GPU index ${count} does not exist`);
    expect(error?.message).toContain('CUDA_VISIBLE_DEVICES');
  });

  it('refuses reads after close', () => {
    const reader = nvmlReader(replayNvml(busy));
    reader.close();
    expect(() => reader.processes(0)).toThrow(/closed/);
  });
});
