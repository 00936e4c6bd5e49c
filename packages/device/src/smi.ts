import { execFileSync } from 'node:child_process';
import { decodeClockEventReasons } from './clock-events.js';
import { DeviceError } from './errors.js';
import type { GpuInfo, GpuMemory, GpuProcess, GpuReader, Inventory } from './types.js';

/** Every nvidia-smi call is time-limited: a wedged driver must not hang the gate. */
export const DEFAULT_SMI_TIMEOUT_MS = 10_000;
const MIB = 1024 * 1024;

/** Fields asked of `--query-gpu`, newest names first. */
export const GPU_FIELDS = [
  'index',
  'name',
  'uuid',
  'pci.bus_id',
  'compute_cap',
  'driver_version',
  'memory.total',
  'memory.used',
  'memory.free',
  'memory.reserved',
  'clocks.sm',
  'clocks.mem',
  'clocks.max.sm',
  'clocks.max.mem',
  'clocks_event_reasons.active',
  'temperature.gpu',
  'power.draw',
  'power.limit',
] as const;

/** Older drivers lack some fields; this set works back to the R470 era. */
export const LEGACY_GPU_FIELDS: readonly string[] = [
  ...GPU_FIELDS.filter(
    (f) => f !== 'compute_cap' && f !== 'memory.reserved' && f !== 'clocks_event_reasons.active',
  ),
  'clocks_throttle_reasons.active',
];

/** Fields asked of `--query-compute-apps`, in the order `parseAppsCsv` reads them. */
export const APP_FIELDS = ['pid', 'used_memory', 'gpu_uuid'] as const;

/** How nvidia-smi is run: which binary, and the time limit of each call. */
export interface SmiOptions {
  /** Path of nvidia-smi, default found on PATH. */
  path?: string;
  /** Milliseconds each call may take, default DEFAULT_SMI_TIMEOUT_MS (10 s). */
  timeoutMs?: number;
}

/**
 * Runs nvidia-smi with a time limit and returns what it printed. Every
 * failure is a DeviceError that says what to check: NO_DRIVER when
 * nvidia-smi is missing or sees no driver or GPU, NVIDIA_SMI_FAILED when it
 * times out or fails otherwise.
 *
 * @example
 * import { parseCudaVersion, runNvidiaSmi } from '@vggt-perf-gate/device';
 * const header = runNvidiaSmi([], { timeoutMs: 5000 });
 * console.log(parseCudaVersion(header)); // '13.0'
 */
export function runNvidiaSmi(args: readonly string[], options: SmiOptions = {}): string {
  const path = options.path ?? 'nvidia-smi';
  const timeout = options.timeoutMs ?? DEFAULT_SMI_TIMEOUT_MS;
  try {
    return execFileSync(path, [...args], {
      encoding: 'utf8',
      timeout,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & {
      stdout?: string;
      stderr?: string;
      signal?: string;
    };
    if (e.code === 'ENOENT') {
      throw new DeviceError(
        'NO_DRIVER',
        `${path} was not found. Without it and without libnvidia-ml there is no way to see NVIDIA GPUs: install the NVIDIA driver, or run on a machine (or container, with --gpus all) that has one.`,
        { cause: error },
      );
    }
    if (e.code === 'ETIMEDOUT' || e.signal === 'SIGTERM') {
      throw new DeviceError(
        'NVIDIA_SMI_FAILED',
        `${path} ${args.join(' ')} did not answer within ${timeout} ms: the driver may be hung (check \`dmesg\` for Xid errors).`,
        { cause: error },
      );
    }
    const said = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim();
    const code: 'NO_DRIVER' | 'NVIDIA_SMI_FAILED' =
      /couldn't communicate with the NVIDIA driver|No devices were found/i.test(said)
        ? 'NO_DRIVER'
        : 'NVIDIA_SMI_FAILED';
    throw new DeviceError(
      code,
      `${path} ${args.join(' ')} failed: ${said || e.message}. ${code === 'NO_DRIVER' ? 'The NVIDIA driver is not running or sees no GPU: check `nvidia-smi` by hand.' : 'Run it by hand to see the full error.'}`,
      { cause: error },
    );
  }
}

/** null for nvidia-smi's "[N/A]", "[Not Supported]" and empty fields. */
function value(raw: string | undefined): string | null {
  const v = raw?.trim() ?? '';
  return v === '' || /^\[.*\]$/.test(v) || v === 'N/A' ? null : v;
}

function num(raw: string | undefined): number | null {
  const v = value(raw);
  if (v === null) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Splits CSV lines as nvidia-smi writes them (", " separators, no quoting in these fields). */
function rows(text: string): string[][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => line.split(', '));
}

/**
 * Parses `--query-gpu=<fields> --format=csv,noheader,nounits` output. MiB
 * become bytes; `[N/A]` and `[Not Supported]` become null. A line with
 * another number of fields than `fields` throws NVIDIA_SMI_FAILED.
 *
 * @example
 * import { GPU_FIELDS, parseGpuCsv, runNvidiaSmi } from '@vggt-perf-gate/device';
 * const csv = runNvidiaSmi([`--query-gpu=${GPU_FIELDS.join(',')}`, '--format=csv,noheader,nounits']);
 * const [gpu] = parseGpuCsv(csv, GPU_FIELDS);
 * console.log(gpu?.name, gpu?.memory.totalBytes);
 */
export function parseGpuCsv(
  text: string,
  fields: readonly string[],
): Array<GpuInfo & { driverVersion: string | null }> {
  return rows(text).map((cells, row) => {
    if (cells.length !== fields.length) {
      throw new DeviceError(
        'NVIDIA_SMI_FAILED',
        `nvidia-smi printed ${cells.length} fields on line ${row + 1} where ${fields.length} were asked for: ${cells.join(', ')}`,
      );
    }
    const get = (field: string) => cells[fields.indexOf(field)];
    const capability = value(get('compute_cap'));
    const reasons = value(
      get('clocks_event_reasons.active') ?? get('clocks_throttle_reasons.active'),
    );
    const mib = (field: string) => {
      const v = num(get(field));
      return v === null ? null : v * MIB;
    };
    return {
      index: num(get('index')) ?? row,
      name: value(get('name')) ?? 'unknown',
      uuid: value(get('uuid')) ?? '',
      pciBusId: value(get('pci.bus_id')) ?? '',
      computeCapability: capability
        ? { major: Number(capability.split('.')[0]), minor: Number(capability.split('.')[1] ?? 0) }
        : null,
      driverVersion: value(get('driver_version')),
      memory: {
        totalBytes: mib('memory.total') ?? 0,
        usedBytes: mib('memory.used') ?? 0,
        freeBytes: mib('memory.free') ?? 0,
        reservedBytes: mib('memory.reserved'),
      },
      clocks: {
        smMHz: num(get('clocks.sm')),
        memoryMHz: num(get('clocks.mem')),
        smMaxMHz: num(get('clocks.max.sm')),
        memoryMaxMHz: num(get('clocks.max.mem')),
      },
      throttleReasons: reasons ? decodeClockEventReasons(BigInt(reasons)) : [],
      temperatureC: num(get('temperature.gpu')),
      powerDrawW: num(get('power.draw')),
      powerLimitW: num(get('power.limit')),
    };
  });
}

/**
 * Parses `--query-compute-apps=pid,used_memory,gpu_uuid --format=csv,noheader,nounits`.
 * `gpuIndexOf` maps a GPU UUID to its index. MiB become bytes; "No running
 * processes found" gives [].
 *
 * @example
 * import { parseAppsCsv } from '@vggt-perf-gate/device';
 * const uuid = 'GPU-2e5eb118-e55c-4bb4-2924-7ee138f82ab7';
 * const [app] = parseAppsCsv(`941, 2566, ${uuid}\n`, (u) => (u === uuid ? 0 : -1));
 * app?.usedBytes; // 2690646016 (2566 MiB)
 */
export function parseAppsCsv(text: string, gpuIndexOf: (uuid: string) => number): GpuProcess[] {
  if (/No running processes found/i.test(text)) return [];
  return rows(text).map((cells) => {
    const used = num(cells[1]);
    const uuid = value(cells[2]) ?? '';
    return {
      pid: Number(cells[0]),
      gpuIndex: gpuIndexOf(uuid),
      gpuUuid: uuid,
      usedBytes: used === null ? null : used * MIB,
    };
  });
}

/**
 * Parses the CUDA version from plain `nvidia-smi` output's header; null when
 * it has none.
 *
 * @example
 * import { parseCudaVersion } from '@vggt-perf-gate/device';
 * parseCudaVersion('| NVIDIA-SMI 580.159.04   Driver Version: 580.159.04   CUDA Version: 13.0 |'); // '13.0'
 * parseCudaVersion(''); // null
 */
export function parseCudaVersion(text: string): string | null {
  return /CUDA Version:\s*([\d.]+)/.exec(text)?.[1] ?? null;
}

/**
 * A GpuReader over nvidia-smi. Every read is a process launch (tens of
 * milliseconds), so this is the coarse fallback for when NVML cannot load.
 * It lists the GPUs when created, so it throws there as runNvidiaSmi does;
 * an index it did not list throws NO_SUCH_GPU. On a driver that rejects a
 * field it asks for LEGACY_GPU_FIELDS instead.
 *
 * @example
 * import { smiReader } from '@vggt-perf-gate/device';
 * const reader = smiReader({ path: '/usr/bin/nvidia-smi', timeoutMs: 5000 });
 * console.log(reader.processes(0).map((p) => p.pid));
 * reader.close();
 */
export function smiReader(options: SmiOptions = {}): GpuReader {
  let fields: readonly string[] = GPU_FIELDS;
  const queryGpus = () => {
    const run = () =>
      parseGpuCsv(
        runNvidiaSmi([`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'], options),
        fields,
      );
    try {
      return run();
    } catch (error) {
      if (fields === GPU_FIELDS && /not a valid field/i.test((error as Error).message)) {
        fields = LEGACY_GPU_FIELDS;
        return run();
      }
      throw error;
    }
  };
  const first = queryGpus();
  const count = first.length;
  const uuids = first.map((g) => g.uuid);
  const checkIndex = (index: number) => {
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new DeviceError(
        'NO_SUCH_GPU',
        `GPU index ${index} does not exist: nvidia-smi lists ${count} GPU(s)${count > 0 ? ` (indices 0-${count - 1})` : ''}. Check the device index in your config.`,
      );
    }
  };
  const allProcesses = () =>
    parseAppsCsv(
      runNvidiaSmi(
        [`--query-compute-apps=${APP_FIELDS.join(',')}`, '--format=csv,noheader,nounits'],
        options,
      ),
      (uuid) => uuids.indexOf(uuid),
    );
  return {
    source: 'nvidia-smi',
    deviceCount: () => count,
    processes: (index) => {
      checkIndex(index);
      return allProcesses().filter((p) => p.gpuIndex === index);
    },
    memory: (index): GpuMemory => {
      checkIndex(index);
      return queryGpus()[index]!.memory;
    },
    inventory: (): Inventory => {
      const gpus = queryGpus();
      return {
        source: 'nvidia-smi',
        driverVersion: gpus[0]?.driverVersion ?? 'unknown',
        cudaDriverVersion: parseCudaVersion(runNvidiaSmi([], options)),
        gpus: gpus.map(({ driverVersion: _, ...gpu }) => gpu),
        processes: allProcesses(),
      };
    },
    close: () => {},
  };
}
