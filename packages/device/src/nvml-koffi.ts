import { createRequire } from 'node:module';
import { DeviceError } from './errors.js';
import {
  NVML_ERROR_INSUFFICIENT_SIZE,
  NVML_ERROR_NOT_SUPPORTED,
  NVML_SUCCESS,
  NvmlCallError,
  type NvmlCalls,
} from './nvml-api.js';

let typesDeclared = false;

/** koffi's type names are process-wide: declare ours once, however often NVML is loaded. */
function declareTypes(koffi: Koffi): void {
  if (typesDeclared) return;
  koffi.pointer('nvmlDevice_t', koffi.opaque('nvmlDevice_st'));
  typesDeclared = true;
}

/**
 * Where the NVML library lives by default on each platform.
 *
 * @example
 * import { defaultNvmlLibrary } from '@vggt-perf-gate/device';
 * defaultNvmlLibrary('linux'); // 'libnvidia-ml.so.1'
 * defaultNvmlLibrary('win32'); // 'nvml.dll'
 */
export function defaultNvmlLibrary(platform = process.platform): string {
  return platform === 'win32' ? 'nvml.dll' : 'libnvidia-ml.so.1';
}

/** nvmlMemory_v2_t is 40 bytes; its version word is size | (2 << 24) (nvml.h NVML_STRUCT_VERSION). */
const MEMORY_V2_VERSION = 40 | (2 << 24);
/** nvmlProcessInfo_t (v2/v3): pid u32, pad, usedGpuMemory u64, gpuInstanceId u32, computeInstanceId u32. */
const PROCESS_INFO_SIZE = 24;
/** NVML_VALUE_NOT_AVAILABLE as an unsigned 64-bit value. */
const VALUE_NOT_AVAILABLE = 0xffffffffffffffffn;
const NVML_CLOCK_SM = 1;
const NVML_CLOCK_MEM = 2;
const NVML_TEMPERATURE_GPU = 0;
const STRING_BUFFER = 96;

type Koffi = typeof import('koffi');
// biome-ignore lint/suspicious/noExplicitAny: koffi's foreign functions are untyped by nature.
type Foreign = (...args: any[]) => any;

/**
 * Loads NVML through koffi and initialises it. Throws DeviceError NO_DRIVER
 * when the library is absent (no NVIDIA driver here), DRIVER_ERROR when it
 * loads but cannot initialise (driver/library mismatch, no permission).
 * Only the functions this package needs are bound; ones missing from an old
 * driver fall back to their older names or report null. Call `shutdown()`
 * when done (a reader's `close()` does).
 *
 * @example
 * import { loadNvml, nvmlReader } from '@vggt-perf-gate/device';
 * const reader = nvmlReader(loadNvml());
 * console.log(reader.inventory().gpus.map((gpu) => gpu.name));
 * reader.close(); // shuts NVML down
 */
export function loadNvml(library = defaultNvmlLibrary()): NvmlCalls {
  const koffi = createRequire(import.meta.url)('koffi') as Koffi;
  let lib: ReturnType<Koffi['load']>;
  try {
    lib = koffi.load(library);
  } catch (cause) {
    throw new DeviceError(
      'NO_DRIVER',
      `cannot load the NVIDIA management library (${library}): ${(cause as Error).message}. Is the NVIDIA driver installed? On Linux it provides libnvidia-ml.so.1 (check \`ldconfig -p | grep nvidia-ml\`); in a container, run with the NVIDIA container toolkit (--gpus all).`,
      { cause },
    );
  }
  const bind = (signature: string): Foreign | null => {
    try {
      return lib.func(signature) as Foreign;
    } catch {
      return null;
    }
  };
  const need = (signature: string): Foreign => {
    const fn = bind(signature);
    if (!fn) {
      throw new DeviceError(
        'DRIVER_ERROR',
        `${library} lacks ${signature.split('(')[0]}: the NVIDIA driver is too old for this tool; update the driver.`,
      );
    }
    return fn;
  };
  declareTypes(koffi);
  const errorString = bind('const char *nvmlErrorString(int result)');
  const describe = (code: number) => (errorString ? String(errorString(code)) : `code ${code}`);
  const check = (call: string, code: number) => {
    if (code !== NVML_SUCCESS) throw new NvmlCallError(call, code, describe(code));
  };
  /** NOT_SUPPORTED (and a missing function) become null; other errors throw. */
  const optional = <T>(call: string, run: () => [number, T]): T | null => {
    const [code, value] = run();
    if (code === NVML_ERROR_NOT_SUPPORTED) return null;
    check(call, code);
    return value;
  };

  const init = need('int nvmlInit_v2()');
  check('nvmlInit_v2', init());

  const fns = {
    shutdown: need('int nvmlShutdown()'),
    driverVersion: need('int nvmlSystemGetDriverVersion(_Out_ char *version, unsigned int length)'),
    cudaVersion:
      bind('int nvmlSystemGetCudaDriverVersion_v2(_Out_ int *version)') ??
      bind('int nvmlSystemGetCudaDriverVersion(_Out_ int *version)'),
    count: need('int nvmlDeviceGetCount_v2(_Out_ unsigned int *count)'),
    handle: need(
      'int nvmlDeviceGetHandleByIndex_v2(unsigned int index, _Out_ nvmlDevice_t *device)',
    ),
    name: need('int nvmlDeviceGetName(nvmlDevice_t device, _Out_ char *name, unsigned int length)'),
    uuid: need('int nvmlDeviceGetUUID(nvmlDevice_t device, _Out_ char *uuid, unsigned int length)'),
    pci: need('int nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, _Out_ uint8_t *pci)'),
    capability: bind(
      'int nvmlDeviceGetCudaComputeCapability(nvmlDevice_t device, _Out_ int *major, _Out_ int *minor)',
    ),
    memoryV2: bind('int nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, _Inout_ uint8_t *memory)'),
    memory: need('int nvmlDeviceGetMemoryInfo(nvmlDevice_t device, _Out_ uint8_t *memory)'),
    clock: need(
      'int nvmlDeviceGetClockInfo(nvmlDevice_t device, int type, _Out_ unsigned int *mhz)',
    ),
    maxClock: need(
      'int nvmlDeviceGetMaxClockInfo(nvmlDevice_t device, int type, _Out_ unsigned int *mhz)',
    ),
    reasons:
      bind(
        'int nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t device, _Out_ uint64_t *reasons)',
      ) ??
      bind(
        'int nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t device, _Out_ uint64_t *reasons)',
      ),
    temperature: need(
      'int nvmlDeviceGetTemperature(nvmlDevice_t device, int sensor, _Out_ unsigned int *temp)',
    ),
    power: need('int nvmlDeviceGetPowerUsage(nvmlDevice_t device, _Out_ unsigned int *milliwatts)'),
    powerLimit: need(
      'int nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, _Out_ unsigned int *milliwatts)',
    ),
    processes:
      bind(
        'int nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, _Inout_ unsigned int *count, uint8_t *infos)',
      ) ??
      need(
        'int nvmlDeviceGetComputeRunningProcesses_v2(nvmlDevice_t device, _Inout_ unsigned int *count, uint8_t *infos)',
      ),
  };

  const handles = new Map<number, unknown>();
  const device = (index: number): unknown => {
    let handle = handles.get(index);
    if (handle === undefined) {
      const out = [null];
      check(`nvmlDeviceGetHandleByIndex_v2(${index})`, fns.handle(index, out));
      handle = out[0];
      handles.set(index, handle);
    }
    return handle;
  };
  const text = (call: string, run: (buffer: Buffer) => number): string => {
    const buffer = Buffer.alloc(STRING_BUFFER);
    check(call, run(buffer));
    const end = buffer.indexOf(0);
    return buffer.toString('utf8', 0, end < 0 ? buffer.length : end);
  };
  const unsigned = (call: string, run: (out: number[]) => number): number | null =>
    optional(call, () => {
      const out = [0];
      return [run(out), out[0]!];
    });

  return {
    driverVersion: () => text('nvmlSystemGetDriverVersion', (b) => fns.driverVersion(b, b.length)),
    cudaDriverVersion: () => {
      const get = fns.cudaVersion;
      return get ? unsigned('nvmlSystemGetCudaDriverVersion', (out) => get(out)) : null;
    },
    deviceCount: () => {
      const out = [0];
      check('nvmlDeviceGetCount_v2', fns.count(out));
      return out[0]!;
    },
    name: (i) => text('nvmlDeviceGetName', (b) => fns.name(device(i), b, b.length)),
    uuid: (i) => text('nvmlDeviceGetUUID', (b) => fns.uuid(device(i), b, b.length)),
    pciBusId: (i) => {
      // nvmlPciInfo_t: busIdLegacy[16], domain, bus, device, pciDeviceId, pciSubSystemId (u32 each), busId[32].
      const buffer = Buffer.alloc(68);
      check('nvmlDeviceGetPciInfo_v3', fns.pci(device(i), buffer));
      const busId = buffer.subarray(36, 68);
      const end = busId.indexOf(0);
      return busId.toString('utf8', 0, end < 0 ? busId.length : end);
    },
    computeCapability: (i) => {
      const get = fns.capability;
      if (!get) return null;
      return optional('nvmlDeviceGetCudaComputeCapability', () => {
        const major = [0];
        const minor = [0];
        return [get(device(i), major, minor), [major[0]!, minor[0]!] as [number, number]];
      });
    },
    memoryV2: (i) => {
      const get = fns.memoryV2;
      if (!get) return null;
      return optional('nvmlDeviceGetMemoryInfo_v2', () => {
        const buffer = Buffer.alloc(40);
        buffer.writeUInt32LE(MEMORY_V2_VERSION, 0);
        const code = get(device(i), buffer);
        return [
          code,
          {
            total: buffer.readBigUInt64LE(8),
            reserved: buffer.readBigUInt64LE(16),
            free: buffer.readBigUInt64LE(24),
            used: buffer.readBigUInt64LE(32),
          },
        ];
      });
    },
    memory: (i) => {
      const buffer = Buffer.alloc(24);
      check('nvmlDeviceGetMemoryInfo', fns.memory(device(i), buffer));
      return {
        total: buffer.readBigUInt64LE(0),
        free: buffer.readBigUInt64LE(8),
        used: buffer.readBigUInt64LE(16),
      };
    },
    clock: (i, kind, max) =>
      unsigned(max ? 'nvmlDeviceGetMaxClockInfo' : 'nvmlDeviceGetClockInfo', (out) =>
        (max ? fns.maxClock : fns.clock)(
          device(i),
          kind === 'sm' ? NVML_CLOCK_SM : NVML_CLOCK_MEM,
          out,
        ),
      ),
    clockEventReasons: (i) => {
      const get = fns.reasons;
      if (!get) return null;
      return optional('nvmlDeviceGetCurrentClocksEventReasons', () => {
        const out = [0n];
        const code = get(device(i), out);
        return [code, BigInt(out[0]!)];
      });
    },
    temperature: (i) =>
      unsigned('nvmlDeviceGetTemperature', (out) =>
        fns.temperature(device(i), NVML_TEMPERATURE_GPU, out),
      ),
    powerUsage: (i) => unsigned('nvmlDeviceGetPowerUsage', (out) => fns.power(device(i), out)),
    powerLimit: (i) =>
      unsigned('nvmlDeviceGetEnforcedPowerLimit', (out) => fns.powerLimit(device(i), out)),
    computeProcesses: (i) => {
      // Ask for the count first (INSUFFICIENT_SIZE is the expected answer), then read
      // with room to spare: processes can start between the two calls.
      let capacity = 0;
      for (let attempt = 0; attempt < 4; attempt++) {
        const count = [capacity];
        const buffer = Buffer.alloc(Math.max(1, capacity) * PROCESS_INFO_SIZE);
        const code = fns.processes(device(i), count, capacity === 0 ? null : buffer);
        if (code === NVML_SUCCESS) {
          const out: Array<{ pid: number; usedGpuMemory: bigint | null }> = [];
          for (let k = 0; k < count[0]!; k++) {
            const used = buffer.readBigUInt64LE(k * PROCESS_INFO_SIZE + 8);
            out.push({
              pid: buffer.readUInt32LE(k * PROCESS_INFO_SIZE),
              usedGpuMemory: used === VALUE_NOT_AVAILABLE ? null : used,
            });
          }
          return out;
        }
        if (code !== NVML_ERROR_INSUFFICIENT_SIZE)
          check('nvmlDeviceGetComputeRunningProcesses', code);
        capacity = count[0]! + 8;
      }
      throw new DeviceError(
        'DRIVER_ERROR',
        'nvmlDeviceGetComputeRunningProcesses kept growing between calls: processes are starting faster than they can be listed; try again.',
      );
    },
    shutdown: () => {
      fns.shutdown();
    },
  };
}
