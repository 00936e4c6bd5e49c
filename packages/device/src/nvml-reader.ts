import { decodeClockEventReasons } from './clock-events.js';
import { DeviceError } from './errors.js';
import type { NvmlCalls } from './nvml-api.js';
import type { GpuInfo, GpuMemory, GpuProcess, GpuReader, Inventory } from './types.js';

/**
 * A GpuReader over NVML calls (the real library or a recording). An index
 * the calls do not have throws DeviceError NO_SUCH_GPU; a read after
 * `close()` (which shuts NVML down) throws INVALID_ARGUMENT.
 *
 * @example
 * import { readFileSync } from 'node:fs';
 * import { nvmlReader, replayNvml } from '@vggt-perf-gate/device';
 * const reader = nvmlReader(replayNvml(JSON.parse(readFileSync('fixtures/nvml-idle.json', 'utf8'))));
 * console.log(reader.memory(0).usedBytes);
 * reader.close();
 */
export function nvmlReader(calls: NvmlCalls): GpuReader {
  let closed = false;
  const count = calls.deviceCount();
  const checkIndex = (index: number) => {
    if (closed)
      throw new DeviceError('INVALID_ARGUMENT', 'this GPU reader is closed; open a new one.');
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new DeviceError(
        'NO_SUCH_GPU',
        `GPU index ${index} does not exist: this machine has ${count} NVIDIA GPU(s)${count > 0 ? ` (indices 0-${count - 1})` : ''}. Check the device index in your config, and CUDA_VISIBLE_DEVICES (NVML numbers all GPUs, CUDA only the visible ones).`,
      );
    }
  };
  const uuids = new Map<number, string>();
  const uuidOf = (index: number) => {
    let uuid = uuids.get(index);
    if (uuid === undefined) {
      uuid = calls.uuid(index);
      uuids.set(index, uuid);
    }
    return uuid;
  };
  const memory = (index: number): GpuMemory => {
    checkIndex(index);
    const v2 = calls.memoryV2(index);
    if (v2) {
      return {
        totalBytes: Number(v2.total),
        usedBytes: Number(v2.used),
        freeBytes: Number(v2.free),
        reservedBytes: Number(v2.reserved),
      };
    }
    const v1 = calls.memory(index);
    return {
      totalBytes: Number(v1.total),
      usedBytes: Number(v1.used),
      freeBytes: Number(v1.free),
      reservedBytes: null,
    };
  };
  const processes = (index: number): GpuProcess[] => {
    checkIndex(index);
    const gpuUuid = uuidOf(index);
    return calls.computeProcesses(index).map((p) => ({
      pid: p.pid,
      gpuIndex: index,
      gpuUuid,
      usedBytes: p.usedGpuMemory === null ? null : Number(p.usedGpuMemory),
    }));
  };
  const info = (index: number): GpuInfo => {
    checkIndex(index);
    const capability = calls.computeCapability(index);
    const reasons = calls.clockEventReasons(index);
    const power = calls.powerUsage(index);
    const limit = calls.powerLimit(index);
    return {
      index,
      name: calls.name(index),
      uuid: uuidOf(index),
      pciBusId: calls.pciBusId(index),
      computeCapability: capability && { major: capability[0], minor: capability[1] },
      memory: memory(index),
      clocks: {
        smMHz: calls.clock(index, 'sm', false),
        memoryMHz: calls.clock(index, 'memory', false),
        smMaxMHz: calls.clock(index, 'sm', true),
        memoryMaxMHz: calls.clock(index, 'memory', true),
      },
      throttleReasons: reasons === null ? [] : decodeClockEventReasons(reasons),
      temperatureC: calls.temperature(index),
      powerDrawW: power === null ? null : power / 1000,
      powerLimitW: limit === null ? null : limit / 1000,
    };
  };
  return {
    source: 'nvml',
    deviceCount: () => count,
    processes,
    memory,
    inventory: (): Inventory => {
      const gpus = Array.from({ length: count }, (_, i) => info(i));
      const cuda = calls.cudaDriverVersion();
      return {
        source: 'nvml',
        driverVersion: calls.driverVersion(),
        cudaDriverVersion:
          cuda === null ? null : `${Math.floor(cuda / 1000)}.${(cuda % 1000) / 10}`,
        gpus,
        processes: gpus.flatMap((g) => processes(g.index)),
      };
    },
    close: () => {
      if (!closed) {
        closed = true;
        calls.shutdown();
      }
    },
  };
}
