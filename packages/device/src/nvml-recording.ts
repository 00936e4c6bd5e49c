import { DeviceError } from './errors.js';
import type { NvmlCalls } from './nvml-api.js';

/**
 * Every value `NvmlCalls` returned on one machine at one moment, as JSON
 * (64-bit values as decimal strings). Captured on real GPUs by
 * `bench/capture-fixtures.mjs`; replayed by `replayNvml` in tests.
 */
export interface NvmlRecording {
  capturedWith: string;
  driverVersion: string;
  cudaDriverVersion: number | null;
  devices: NvmlDeviceRecording[];
}

/**
 * One GPU of an NvmlRecording: what each `NvmlCalls` method returned for it,
 * with 64-bit values as decimal strings and the clock-event mask as hex.
 */
export interface NvmlDeviceRecording {
  name: string;
  uuid: string;
  pciBusId: string;
  computeCapability: [number, number] | null;
  memoryV2: { total: string; reserved: string; free: string; used: string } | null;
  memory: { total: string; free: string; used: string };
  clocks: {
    sm: number | null;
    memory: number | null;
    smMax: number | null;
    memoryMax: number | null;
  };
  clockEventReasons: string | null;
  temperature: number | null;
  powerUsage: number | null;
  powerLimit: number | null;
  computeProcesses: Array<{ pid: number; usedGpuMemory: string | null }>;
}

/**
 * Reads every value once through `calls`. `capturedWith` says how the
 * recording was made, for whoever reads the file later.
 *
 * @example
 * import { writeFileSync } from 'node:fs';
 * import { loadNvml, recordNvml } from '@vggt-perf-gate/device';
 * const calls = loadNvml();
 * writeFileSync('nvml-now.json', JSON.stringify(recordNvml(calls, 'recordNvml, idle'), null, 2));
 * calls.shutdown();
 */
export function recordNvml(calls: NvmlCalls, capturedWith: string): NvmlRecording {
  const devices: NvmlDeviceRecording[] = [];
  for (let i = 0; i < calls.deviceCount(); i++) {
    const v2 = calls.memoryV2(i);
    const memory = calls.memory(i);
    devices.push({
      name: calls.name(i),
      uuid: calls.uuid(i),
      pciBusId: calls.pciBusId(i),
      computeCapability: calls.computeCapability(i),
      memoryV2: v2 && {
        total: String(v2.total),
        reserved: String(v2.reserved),
        free: String(v2.free),
        used: String(v2.used),
      },
      memory: { total: String(memory.total), free: String(memory.free), used: String(memory.used) },
      clocks: {
        sm: calls.clock(i, 'sm', false),
        memory: calls.clock(i, 'memory', false),
        smMax: calls.clock(i, 'sm', true),
        memoryMax: calls.clock(i, 'memory', true),
      },
      clockEventReasons: nullable(calls.clockEventReasons(i), (v) => `0x${v.toString(16)}`),
      temperature: calls.temperature(i),
      powerUsage: calls.powerUsage(i),
      powerLimit: calls.powerLimit(i),
      computeProcesses: calls.computeProcesses(i).map((p) => ({
        pid: p.pid,
        usedGpuMemory: nullable(p.usedGpuMemory, String),
      })),
    });
  }
  return {
    capturedWith,
    driverVersion: calls.driverVersion(),
    cudaDriverVersion: calls.cudaDriverVersion(),
    devices,
  };
}

/**
 * `NvmlCalls` answering from a recording, for tests and offline reports. An
 * index past the recorded devices throws DeviceError NO_SUCH_GPU.
 *
 * @example
 * import { readFileSync } from 'node:fs';
 * import { type NvmlRecording, nvmlReader, probeDevice, replayNvml } from '@vggt-perf-gate/device';
 * const recording = JSON.parse(readFileSync('fixtures/nvml-busy.json', 'utf8')) as NvmlRecording;
 * const probe = probeDevice({ reader: nvmlReader(replayNvml(recording)) });
 */
export function replayNvml(recording: NvmlRecording): NvmlCalls {
  const at = (index: number): NvmlDeviceRecording => {
    const device = recording.devices[index];
    if (!device) {
      throw new DeviceError(
        'NO_SUCH_GPU',
        `GPU index ${index} does not exist: this recording has ${recording.devices.length} GPU(s) (indices 0-${recording.devices.length - 1}).`,
      );
    }
    return device;
  };
  return {
    driverVersion: () => recording.driverVersion,
    cudaDriverVersion: () => recording.cudaDriverVersion,
    deviceCount: () => recording.devices.length,
    name: (i) => at(i).name,
    uuid: (i) => at(i).uuid,
    pciBusId: (i) => at(i).pciBusId,
    computeCapability: (i) => at(i).computeCapability,
    memoryV2: (i) =>
      nullable(at(i).memoryV2, (m) => ({
        total: BigInt(m.total),
        reserved: BigInt(m.reserved),
        free: BigInt(m.free),
        used: BigInt(m.used),
      })),
    memory: (i) => {
      const m = at(i).memory;
      return { total: BigInt(m.total), free: BigInt(m.free), used: BigInt(m.used) };
    },
    clock: (i, kind, max) => {
      const c = at(i).clocks;
      return kind === 'sm' ? (max ? c.smMax : c.sm) : max ? c.memoryMax : c.memory;
    },
    clockEventReasons: (i) => nullable(at(i).clockEventReasons, BigInt),
    temperature: (i) => at(i).temperature,
    powerUsage: (i) => at(i).powerUsage,
    powerLimit: (i) => at(i).powerLimit,
    computeProcesses: (i) =>
      at(i).computeProcesses.map((p) => ({
        pid: p.pid,
        usedGpuMemory: nullable(p.usedGpuMemory, BigInt),
      })),
    shutdown: () => {},
  };
}

function nullable<T, U>(value: T | null, map: (value: T) => U): U | null {
  return value === null ? null : map(value);
}
