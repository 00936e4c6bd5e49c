import { createRequire as __perfGateCreateRequire } from 'node:module';
const require = __perfGateCreateRequire(import.meta.url);
var __defProp = Object.defineProperty;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __esm = (fn, res, err) => function __init() {
  if (err) throw err[0];
  try {
    return fn && (res = (0, fn[__getOwnPropNames(fn)[0]])(fn = 0)), res;
  } catch (e) {
    throw err = [e], e;
  }
};
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};

// packages/device/src/errors.ts
var DeviceError;
var init_errors = __esm({
  "packages/device/src/errors.ts"() {
    "use strict";
    DeviceError = class extends Error {
      code;
      constructor(code, message, options) {
        super(message, options);
        this.name = "DeviceError";
        this.code = code;
      }
    };
  }
});

// packages/device/src/capabilities.ts
function dtypeSupport(capability) {
  let found = NO_TENSOR_CORES;
  for (const [major, minor, support] of DTYPE_SUPPORT_BY_CAPABILITY) {
    if (capability.major > major || capability.major === major && capability.minor >= minor)
      found = support;
  }
  return found;
}
function resolveDtype(requested, device) {
  const cc = device.computeCapability;
  const ccText = cc ? `compute capability ${cc.major}.${cc.minor}` : "unknown compute capability";
  if (!["auto", "fp32", "fp16", "bf16"].includes(requested)) {
    throw new DeviceError(
      "INVALID_ARGUMENT",
      `dtype ${JSON.stringify(requested)} is not one of auto, fp32, fp16, bf16.`
    );
  }
  if (requested === "auto") {
    if (!cc) {
      return {
        dtype: "fp16",
        explanation: `auto -> fp16: the ${ccText} of ${device.name} is unknown, and fp16 runs everywhere tensor cores do`,
        warning: `could not read the compute capability of ${device.name}; chose fp16. Set dtype explicitly if this GPU supports bf16.`
      };
    }
    const dtype = cc.major >= 8 ? "bf16" : "fp16";
    return {
      dtype,
      explanation: dtype === "bf16" ? `auto -> bf16: ${device.name} has ${ccText} (>= 8.0 has bf16 tensor cores)` : `auto -> fp16: ${device.name} has ${ccText} (bf16 needs >= 8.0)`,
      warning: null
    };
  }
  const support = cc ? dtypeSupport(cc) : null;
  const unsupported = support && requested !== "fp32" && !support[requested];
  return {
    dtype: requested,
    explanation: `${requested} as configured on ${device.name} (${ccText})`,
    warning: unsupported ? `${device.name} (${ccText}) has no ${requested} tensor cores: frameworks emulate it or fall back to another precision, slower and often larger in memory. Use dtype: auto.` : null
  };
}
var DTYPE_SUPPORT_BY_CAPABILITY, NO_TENSOR_CORES;
var init_capabilities = __esm({
  "packages/device/src/capabilities.ts"() {
    "use strict";
    init_errors();
    DTYPE_SUPPORT_BY_CAPABILITY = [
      [7, 0, { fp16: true, bf16: false, tf32: false, int8: false, fp8: false, fp4: false }],
      [7, 2, { fp16: true, bf16: false, tf32: false, int8: true, fp8: false, fp4: false }],
      [7, 5, { fp16: true, bf16: false, tf32: false, int8: true, fp8: false, fp4: false }],
      [8, 0, { fp16: true, bf16: true, tf32: true, int8: true, fp8: false, fp4: false }],
      [8, 9, { fp16: true, bf16: true, tf32: true, int8: true, fp8: true, fp4: false }],
      [9, 0, { fp16: true, bf16: true, tf32: true, int8: true, fp8: true, fp4: false }],
      [10, 0, { fp16: true, bf16: true, tf32: true, int8: true, fp8: true, fp4: true }]
    ];
    NO_TENSOR_CORES = {
      fp16: false,
      bf16: false,
      tf32: false,
      int8: false,
      fp8: false,
      fp4: false
    };
  }
});

// packages/device/src/clock-events.ts
function decodeClockEventReasons(mask) {
  const names = [];
  let rest = mask;
  for (const [bit, name] of CLOCK_EVENT_REASONS) {
    if ((mask & bit) !== 0n) names.push(name);
    rest &= ~bit;
  }
  if (rest !== 0n) names.push(`unknown_0x${rest.toString(16)}`);
  return names;
}
var CLOCK_EVENT_REASONS, THROTTLING_REASONS;
var init_clock_events = __esm({
  "packages/device/src/clock-events.ts"() {
    "use strict";
    CLOCK_EVENT_REASONS = [
      [0x1n, "gpu_idle"],
      [0x2n, "applications_clocks_setting"],
      [0x4n, "sw_power_cap"],
      [0x8n, "hw_slowdown"],
      [0x10n, "sync_boost"],
      [0x20n, "sw_thermal_slowdown"],
      [0x40n, "hw_thermal_slowdown"],
      [0x80n, "hw_power_brake_slowdown"],
      [0x100n, "display_clock_setting"]
    ];
    THROTTLING_REASONS = /* @__PURE__ */ new Set([
      "sw_power_cap",
      "hw_slowdown",
      "sw_thermal_slowdown",
      "hw_thermal_slowdown",
      "hw_power_brake_slowdown"
    ]);
  }
});

// packages/device/src/dtypes.ts
function isComputeDtype(value2) {
  return typeof value2 === "string" && COMPUTE_DTYPES.includes(value2);
}
var COMPUTE_DTYPES, REQUESTED_DTYPES, EXECUTION_PROVIDERS;
var init_dtypes = __esm({
  "packages/device/src/dtypes.ts"() {
    "use strict";
    COMPUTE_DTYPES = ["fp32", "fp16", "bf16"];
    REQUESTED_DTYPES = ["auto", ...COMPUTE_DTYPES];
    EXECUTION_PROVIDERS = ["cpu", "cuda", "tensorrt"];
  }
});

// packages/device/src/format.ts
function formatDeviceProbe(probe) {
  if (probe.state === "no-gpu") return `No NVIDIA GPU: ${probe.reason}`;
  const { inventory } = probe;
  const lines = [
    `source: ${inventory.source}   driver: ${inventory.driverVersion}   CUDA (driver): ${inventory.cudaDriverVersion ?? "unknown"}`
  ];
  const header = [
    "GPU",
    "name",
    "CC",
    "memory used/total",
    "SM clock",
    "temp",
    "power",
    "dtype: auto",
    "other processes"
  ];
  const rows2 = inventory.gpus.map((gpu) => {
    const summary = probe.gpus.find((g) => g.index === gpu.index);
    const cc = gpu.computeCapability ? `${gpu.computeCapability.major}.${gpu.computeCapability.minor}` : "?";
    const mem = `${(gpu.memory.usedBytes / GIB2).toFixed(1)}/${(gpu.memory.totalBytes / GIB2).toFixed(1)} GiB`;
    const clock = gpu.clocks.smMHz === null ? "?" : `${gpu.clocks.smMHz}/${gpu.clocks.smMaxMHz ?? "?"} MHz`;
    const power = gpu.powerDrawW === null ? "?" : `${gpu.powerDrawW.toFixed(0)}/${gpu.powerLimitW?.toFixed(0) ?? "?"} W`;
    return [
      String(gpu.index),
      gpu.name,
      cc,
      mem,
      clock,
      gpu.temperatureC === null ? "?" : `${gpu.temperatureC} C`,
      power,
      summary?.autoDtype.dtype ?? "?",
      String(summary?.otherProcesses.length ?? 0)
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows2.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  lines.push(line(header), line(widths.map((w) => "-".repeat(w))), ...rows2.map(line));
  for (const warning of probe.warnings) lines.push(`warning: ${warning}`);
  return lines.join("\n");
}
var GIB2;
var init_format = __esm({
  "packages/device/src/format.ts"() {
    "use strict";
    GIB2 = 2 ** 30;
  }
});

// packages/device/src/known-gpus.ts
function findKnownGpu(name) {
  return KNOWN_GPUS.find((gpu) => gpu.match.test(name)) ?? null;
}
function fractionOfPeak(name, dtype, achievedTflops) {
  const peak = findKnownGpu(name)?.peakTflops[dtype];
  return peak ? achievedTflops / peak : null;
}
var KNOWN_GPUS;
var init_known_gpus = __esm({
  "packages/device/src/known-gpus.ts"() {
    "use strict";
    KNOWN_GPUS = [
      {
        match: /RTX 4090/i,
        name: "GeForce RTX 4090",
        peakTflops: { fp32: 82.6, tf32: 82.6, fp16: 165.2, bf16: 165.2, fp8: 330.3, int8: 660.6 },
        memoryBandwidthGBs: 1008,
        memoryGiB: 24
      },
      {
        match: /RTX 3090/i,
        name: "GeForce RTX 3090",
        peakTflops: { fp32: 35.6, tf32: 35.6, fp16: 71, bf16: 71, int8: 284 },
        memoryBandwidthGBs: 936,
        memoryGiB: 24
      },
      {
        match: /A100.*80GB|A100-SXM4-80GB|A100 80GB/i,
        name: "A100 80GB",
        peakTflops: { fp32: 19.5, tf32: 156, fp16: 312, bf16: 312, int8: 624 },
        memoryBandwidthGBs: 2039,
        memoryGiB: 80
      },
      {
        match: /A100/i,
        name: "A100 40GB",
        peakTflops: { fp32: 19.5, tf32: 156, fp16: 312, bf16: 312, int8: 624 },
        memoryBandwidthGBs: 1555,
        memoryGiB: 40
      },
      {
        match: /H200/i,
        name: "H200",
        peakTflops: { fp32: 67, tf32: 494.7, fp16: 989.4, bf16: 989.4, fp8: 1978.9, int8: 1978.9 },
        memoryBandwidthGBs: 4800,
        memoryGiB: 141
      },
      {
        match: /H100.*PCIe/i,
        name: "H100 PCIe",
        peakTflops: { fp32: 51, tf32: 378, fp16: 756, bf16: 756, fp8: 1513, int8: 1513 },
        memoryBandwidthGBs: 2e3,
        memoryGiB: 80
      },
      {
        match: /H100/i,
        name: "H100 SXM",
        peakTflops: { fp32: 67, tf32: 494.7, fp16: 989.4, bf16: 989.4, fp8: 1978.9, int8: 1978.9 },
        memoryBandwidthGBs: 3350,
        memoryGiB: 80
      },
      {
        match: /\bL4\b/i,
        name: "L4",
        peakTflops: { fp32: 30.3, tf32: 60, fp16: 121, bf16: 121, fp8: 242.5, int8: 242.5 },
        memoryBandwidthGBs: 300,
        memoryGiB: 24
      },
      {
        match: /\bT4\b/i,
        name: "T4",
        peakTflops: { fp32: 8.1, fp16: 65, int8: 130 },
        memoryBandwidthGBs: 320,
        memoryGiB: 16
      }
    ];
  }
});

// packages/device/src/nvml-api.ts
function nvmlHint(code) {
  switch (code) {
    case 9:
      return "The NVIDIA kernel driver is not loaded: check `nvidia-smi` and `lsmod | grep nvidia`.";
    case 18:
      return "libnvidia-ml and the kernel driver are different versions (a driver upgrade without a reboot?): reboot, or reinstall matching driver packages.";
    case 4:
      return "No permission to query this GPU: run as a user with access to /dev/nvidia*.";
    case 15:
      return "The GPU has fallen off the bus: check `dmesg` for Xid errors; the machine needs attention.";
    default:
      return "Check that `nvidia-smi` works on this machine.";
  }
}
var NVML_RETURN, NVML_SUCCESS, NVML_ERROR_NOT_SUPPORTED, NVML_ERROR_INSUFFICIENT_SIZE, NvmlCallError;
var init_nvml_api = __esm({
  "packages/device/src/nvml-api.ts"() {
    "use strict";
    init_errors();
    NVML_RETURN = {
      0: "SUCCESS",
      1: "UNINITIALIZED",
      2: "INVALID_ARGUMENT",
      3: "NOT_SUPPORTED",
      4: "NO_PERMISSION",
      5: "ALREADY_INITIALIZED",
      6: "NOT_FOUND",
      7: "INSUFFICIENT_SIZE",
      8: "INSUFFICIENT_POWER",
      9: "DRIVER_NOT_LOADED",
      10: "TIMEOUT",
      12: "LIBRARY_NOT_FOUND",
      13: "FUNCTION_NOT_FOUND",
      15: "GPU_IS_LOST",
      18: "LIB_RM_VERSION_MISMATCH",
      999: "UNKNOWN"
    };
    NVML_SUCCESS = 0;
    NVML_ERROR_NOT_SUPPORTED = 3;
    NVML_ERROR_INSUFFICIENT_SIZE = 7;
    NvmlCallError = class extends DeviceError {
      returnCode;
      call;
      constructor(call, returnCode, description) {
        const name = NVML_RETURN[returnCode] ?? `error ${returnCode}`;
        super(
          "DRIVER_ERROR",
          `${call} failed: NVML_ERROR_${name} (${description}). ${nvmlHint(returnCode)}`
        );
        this.name = "NvmlCallError";
        this.returnCode = returnCode;
        this.call = call;
      }
    };
  }
});

// packages/device/src/nvml-koffi.ts
import { createRequire } from "node:module";
function declareTypes(koffi) {
  if (typesDeclared) return;
  koffi.pointer("nvmlDevice_t", koffi.opaque("nvmlDevice_st"));
  typesDeclared = true;
}
function defaultNvmlLibrary(platform = process.platform) {
  return platform === "win32" ? "nvml.dll" : "libnvidia-ml.so.1";
}
function loadNvml(library = defaultNvmlLibrary()) {
  const koffi = createRequire(import.meta.url)("koffi");
  let lib;
  try {
    lib = koffi.load(library);
  } catch (cause) {
    throw new DeviceError(
      "NO_DRIVER",
      `cannot load the NVIDIA management library (${library}): ${cause.message}. Is the NVIDIA driver installed? On Linux it provides libnvidia-ml.so.1 (check \`ldconfig -p | grep nvidia-ml\`); in a container, run with the NVIDIA container toolkit (--gpus all).`,
      { cause }
    );
  }
  const bind = (signature) => {
    try {
      return lib.func(signature);
    } catch {
      return null;
    }
  };
  const need = (signature) => {
    const fn = bind(signature);
    if (!fn) {
      throw new DeviceError(
        "DRIVER_ERROR",
        `${library} lacks ${signature.split("(")[0]}: the NVIDIA driver is too old for this tool; update the driver.`
      );
    }
    return fn;
  };
  declareTypes(koffi);
  const errorString = bind("const char *nvmlErrorString(int result)");
  const describe2 = (code) => errorString ? String(errorString(code)) : `code ${code}`;
  const check = (call, code) => {
    if (code !== NVML_SUCCESS) throw new NvmlCallError(call, code, describe2(code));
  };
  const optional = (call, run) => {
    const [code, value2] = run();
    if (code === NVML_ERROR_NOT_SUPPORTED) return null;
    check(call, code);
    return value2;
  };
  const init = need("int nvmlInit_v2()");
  check("nvmlInit_v2", init());
  const fns = {
    shutdown: need("int nvmlShutdown()"),
    driverVersion: need("int nvmlSystemGetDriverVersion(_Out_ char *version, unsigned int length)"),
    cudaVersion: bind("int nvmlSystemGetCudaDriverVersion_v2(_Out_ int *version)") ?? bind("int nvmlSystemGetCudaDriverVersion(_Out_ int *version)"),
    count: need("int nvmlDeviceGetCount_v2(_Out_ unsigned int *count)"),
    handle: need(
      "int nvmlDeviceGetHandleByIndex_v2(unsigned int index, _Out_ nvmlDevice_t *device)"
    ),
    name: need("int nvmlDeviceGetName(nvmlDevice_t device, _Out_ char *name, unsigned int length)"),
    uuid: need("int nvmlDeviceGetUUID(nvmlDevice_t device, _Out_ char *uuid, unsigned int length)"),
    pci: need("int nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, _Out_ uint8_t *pci)"),
    capability: bind(
      "int nvmlDeviceGetCudaComputeCapability(nvmlDevice_t device, _Out_ int *major, _Out_ int *minor)"
    ),
    memoryV2: bind("int nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, _Inout_ uint8_t *memory)"),
    memory: need("int nvmlDeviceGetMemoryInfo(nvmlDevice_t device, _Out_ uint8_t *memory)"),
    clock: need(
      "int nvmlDeviceGetClockInfo(nvmlDevice_t device, int type, _Out_ unsigned int *mhz)"
    ),
    maxClock: need(
      "int nvmlDeviceGetMaxClockInfo(nvmlDevice_t device, int type, _Out_ unsigned int *mhz)"
    ),
    reasons: bind(
      "int nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t device, _Out_ uint64_t *reasons)"
    ) ?? bind(
      "int nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t device, _Out_ uint64_t *reasons)"
    ),
    temperature: need(
      "int nvmlDeviceGetTemperature(nvmlDevice_t device, int sensor, _Out_ unsigned int *temp)"
    ),
    power: need("int nvmlDeviceGetPowerUsage(nvmlDevice_t device, _Out_ unsigned int *milliwatts)"),
    powerLimit: need(
      "int nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, _Out_ unsigned int *milliwatts)"
    ),
    processes: bind(
      "int nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, _Inout_ unsigned int *count, uint8_t *infos)"
    ) ?? need(
      "int nvmlDeviceGetComputeRunningProcesses_v2(nvmlDevice_t device, _Inout_ unsigned int *count, uint8_t *infos)"
    )
  };
  const handles = /* @__PURE__ */ new Map();
  const device = (index) => {
    let handle = handles.get(index);
    if (handle === void 0) {
      const out = [null];
      check(`nvmlDeviceGetHandleByIndex_v2(${index})`, fns.handle(index, out));
      handle = out[0];
      handles.set(index, handle);
    }
    return handle;
  };
  const text = (call, run) => {
    const buffer = Buffer.alloc(STRING_BUFFER);
    check(call, run(buffer));
    const end = buffer.indexOf(0);
    return buffer.toString("utf8", 0, end < 0 ? buffer.length : end);
  };
  const unsigned = (call, run) => optional(call, () => {
    const out = [0];
    return [run(out), out[0]];
  });
  return {
    driverVersion: () => text("nvmlSystemGetDriverVersion", (b) => fns.driverVersion(b, b.length)),
    cudaDriverVersion: () => {
      const get = fns.cudaVersion;
      return get ? unsigned("nvmlSystemGetCudaDriverVersion", (out) => get(out)) : null;
    },
    deviceCount: () => {
      const out = [0];
      check("nvmlDeviceGetCount_v2", fns.count(out));
      return out[0];
    },
    name: (i) => text("nvmlDeviceGetName", (b) => fns.name(device(i), b, b.length)),
    uuid: (i) => text("nvmlDeviceGetUUID", (b) => fns.uuid(device(i), b, b.length)),
    pciBusId: (i) => {
      const buffer = Buffer.alloc(68);
      check("nvmlDeviceGetPciInfo_v3", fns.pci(device(i), buffer));
      const busId = buffer.subarray(36, 68);
      const end = busId.indexOf(0);
      return busId.toString("utf8", 0, end < 0 ? busId.length : end);
    },
    computeCapability: (i) => {
      const get = fns.capability;
      if (!get) return null;
      return optional("nvmlDeviceGetCudaComputeCapability", () => {
        const major = [0];
        const minor = [0];
        return [get(device(i), major, minor), [major[0], minor[0]]];
      });
    },
    memoryV2: (i) => {
      const get = fns.memoryV2;
      if (!get) return null;
      return optional("nvmlDeviceGetMemoryInfo_v2", () => {
        const buffer = Buffer.alloc(40);
        buffer.writeUInt32LE(MEMORY_V2_VERSION, 0);
        const code = get(device(i), buffer);
        return [
          code,
          {
            total: buffer.readBigUInt64LE(8),
            reserved: buffer.readBigUInt64LE(16),
            free: buffer.readBigUInt64LE(24),
            used: buffer.readBigUInt64LE(32)
          }
        ];
      });
    },
    memory: (i) => {
      const buffer = Buffer.alloc(24);
      check("nvmlDeviceGetMemoryInfo", fns.memory(device(i), buffer));
      return {
        total: buffer.readBigUInt64LE(0),
        free: buffer.readBigUInt64LE(8),
        used: buffer.readBigUInt64LE(16)
      };
    },
    clock: (i, kind, max) => unsigned(
      max ? "nvmlDeviceGetMaxClockInfo" : "nvmlDeviceGetClockInfo",
      (out) => (max ? fns.maxClock : fns.clock)(
        device(i),
        kind === "sm" ? NVML_CLOCK_SM : NVML_CLOCK_MEM,
        out
      )
    ),
    clockEventReasons: (i) => {
      const get = fns.reasons;
      if (!get) return null;
      return optional("nvmlDeviceGetCurrentClocksEventReasons", () => {
        const out = [0n];
        const code = get(device(i), out);
        return [code, BigInt(out[0])];
      });
    },
    temperature: (i) => unsigned(
      "nvmlDeviceGetTemperature",
      (out) => fns.temperature(device(i), NVML_TEMPERATURE_GPU, out)
    ),
    powerUsage: (i) => unsigned("nvmlDeviceGetPowerUsage", (out) => fns.power(device(i), out)),
    powerLimit: (i) => unsigned("nvmlDeviceGetEnforcedPowerLimit", (out) => fns.powerLimit(device(i), out)),
    computeProcesses: (i) => {
      let capacity = 0;
      for (let attempt = 0; attempt < 4; attempt++) {
        const count = [capacity];
        const buffer = Buffer.alloc(Math.max(1, capacity) * PROCESS_INFO_SIZE);
        const code = fns.processes(device(i), count, capacity === 0 ? null : buffer);
        if (code === NVML_SUCCESS) {
          const out = [];
          for (let k = 0; k < count[0]; k++) {
            const used = buffer.readBigUInt64LE(k * PROCESS_INFO_SIZE + 8);
            out.push({
              pid: buffer.readUInt32LE(k * PROCESS_INFO_SIZE),
              usedGpuMemory: used === VALUE_NOT_AVAILABLE ? null : used
            });
          }
          return out;
        }
        if (code !== NVML_ERROR_INSUFFICIENT_SIZE)
          check("nvmlDeviceGetComputeRunningProcesses", code);
        capacity = count[0] + 8;
      }
      throw new DeviceError(
        "DRIVER_ERROR",
        "nvmlDeviceGetComputeRunningProcesses kept growing between calls: processes are starting faster than they can be listed; try again."
      );
    },
    shutdown: () => {
      fns.shutdown();
    }
  };
}
var typesDeclared, MEMORY_V2_VERSION, PROCESS_INFO_SIZE, VALUE_NOT_AVAILABLE, NVML_CLOCK_SM, NVML_CLOCK_MEM, NVML_TEMPERATURE_GPU, STRING_BUFFER;
var init_nvml_koffi = __esm({
  "packages/device/src/nvml-koffi.ts"() {
    "use strict";
    init_errors();
    init_nvml_api();
    typesDeclared = false;
    MEMORY_V2_VERSION = 40 | 2 << 24;
    PROCESS_INFO_SIZE = 24;
    VALUE_NOT_AVAILABLE = 0xffffffffffffffffn;
    NVML_CLOCK_SM = 1;
    NVML_CLOCK_MEM = 2;
    NVML_TEMPERATURE_GPU = 0;
    STRING_BUFFER = 96;
  }
});

// packages/device/src/nvml-reader.ts
function nvmlReader(calls) {
  let closed = false;
  const count = calls.deviceCount();
  const checkIndex = (index) => {
    if (closed)
      throw new DeviceError("INVALID_ARGUMENT", "this GPU reader is closed; open a new one.");
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new DeviceError(
        "NO_SUCH_GPU",
        `GPU index ${index} does not exist: this machine has ${count} NVIDIA GPU(s)${count > 0 ? ` (indices 0-${count - 1})` : ""}. Check the device index in your config, and CUDA_VISIBLE_DEVICES (NVML numbers all GPUs, CUDA only the visible ones).`
      );
    }
  };
  const uuids = /* @__PURE__ */ new Map();
  const uuidOf = (index) => {
    let uuid = uuids.get(index);
    if (uuid === void 0) {
      uuid = calls.uuid(index);
      uuids.set(index, uuid);
    }
    return uuid;
  };
  const memory = (index) => {
    checkIndex(index);
    const v2 = calls.memoryV2(index);
    if (v2) {
      return {
        totalBytes: Number(v2.total),
        usedBytes: Number(v2.used),
        freeBytes: Number(v2.free),
        reservedBytes: Number(v2.reserved)
      };
    }
    const v1 = calls.memory(index);
    return {
      totalBytes: Number(v1.total),
      usedBytes: Number(v1.used),
      freeBytes: Number(v1.free),
      reservedBytes: null
    };
  };
  const processes = (index) => {
    checkIndex(index);
    const gpuUuid = uuidOf(index);
    return calls.computeProcesses(index).map((p) => ({
      pid: p.pid,
      gpuIndex: index,
      gpuUuid,
      usedBytes: p.usedGpuMemory === null ? null : Number(p.usedGpuMemory)
    }));
  };
  const info = (index) => {
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
        smMHz: calls.clock(index, "sm", false),
        memoryMHz: calls.clock(index, "memory", false),
        smMaxMHz: calls.clock(index, "sm", true),
        memoryMaxMHz: calls.clock(index, "memory", true)
      },
      throttleReasons: reasons === null ? [] : decodeClockEventReasons(reasons),
      temperatureC: calls.temperature(index),
      powerDrawW: power === null ? null : power / 1e3,
      powerLimitW: limit === null ? null : limit / 1e3
    };
  };
  return {
    source: "nvml",
    deviceCount: () => count,
    processes,
    memory,
    inventory: () => {
      const gpus = Array.from({ length: count }, (_, i) => info(i));
      const cuda = calls.cudaDriverVersion();
      return {
        source: "nvml",
        driverVersion: calls.driverVersion(),
        cudaDriverVersion: cuda === null ? null : `${Math.floor(cuda / 1e3)}.${cuda % 1e3 / 10}`,
        gpus,
        processes: gpus.flatMap((g) => processes(g.index))
      };
    },
    close: () => {
      if (!closed) {
        closed = true;
        calls.shutdown();
      }
    }
  };
}
var init_nvml_reader = __esm({
  "packages/device/src/nvml-reader.ts"() {
    "use strict";
    init_clock_events();
    init_errors();
  }
});

// packages/device/src/nvml-recording.ts
function recordNvml(calls, capturedWith) {
  const devices = [];
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
        used: String(v2.used)
      },
      memory: { total: String(memory.total), free: String(memory.free), used: String(memory.used) },
      clocks: {
        sm: calls.clock(i, "sm", false),
        memory: calls.clock(i, "memory", false),
        smMax: calls.clock(i, "sm", true),
        memoryMax: calls.clock(i, "memory", true)
      },
      clockEventReasons: nullable(calls.clockEventReasons(i), (v) => `0x${v.toString(16)}`),
      temperature: calls.temperature(i),
      powerUsage: calls.powerUsage(i),
      powerLimit: calls.powerLimit(i),
      computeProcesses: calls.computeProcesses(i).map((p) => ({
        pid: p.pid,
        usedGpuMemory: nullable(p.usedGpuMemory, String)
      }))
    });
  }
  return {
    capturedWith,
    driverVersion: calls.driverVersion(),
    cudaDriverVersion: calls.cudaDriverVersion(),
    devices
  };
}
function replayNvml(recording) {
  const at = (index) => {
    const device = recording.devices[index];
    if (!device) {
      throw new DeviceError(
        "NO_SUCH_GPU",
        `GPU index ${index} does not exist: this recording has ${recording.devices.length} GPU(s) (indices 0-${recording.devices.length - 1}).`
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
    memoryV2: (i) => nullable(at(i).memoryV2, (m) => ({
      total: BigInt(m.total),
      reserved: BigInt(m.reserved),
      free: BigInt(m.free),
      used: BigInt(m.used)
    })),
    memory: (i) => {
      const m = at(i).memory;
      return { total: BigInt(m.total), free: BigInt(m.free), used: BigInt(m.used) };
    },
    clock: (i, kind, max) => {
      const c = at(i).clocks;
      return kind === "sm" ? max ? c.smMax : c.sm : max ? c.memoryMax : c.memory;
    },
    clockEventReasons: (i) => nullable(at(i).clockEventReasons, BigInt),
    temperature: (i) => at(i).temperature,
    powerUsage: (i) => at(i).powerUsage,
    powerLimit: (i) => at(i).powerLimit,
    computeProcesses: (i) => at(i).computeProcesses.map((p) => ({
      pid: p.pid,
      usedGpuMemory: nullable(p.usedGpuMemory, BigInt)
    })),
    shutdown: () => {
    }
  };
}
function nullable(value2, map) {
  return value2 === null ? null : map(value2);
}
var init_nvml_recording = __esm({
  "packages/device/src/nvml-recording.ts"() {
    "use strict";
    init_errors();
  }
});

// packages/device/src/smi.ts
import { execFileSync } from "node:child_process";
function runNvidiaSmi(args, options = {}) {
  const path = options.path ?? "nvidia-smi";
  const timeout = options.timeoutMs ?? DEFAULT_SMI_TIMEOUT_MS;
  try {
    return execFileSync(path, [...args], {
      encoding: "utf8",
      timeout,
      stdio: ["ignore", "pipe", "pipe"]
    });
  } catch (error) {
    const e = error;
    if (e.code === "ENOENT") {
      throw new DeviceError(
        "NO_DRIVER",
        `${path} was not found. Without it and without libnvidia-ml there is no way to see NVIDIA GPUs: install the NVIDIA driver, or run on a machine (or container, with --gpus all) that has one.`,
        { cause: error }
      );
    }
    if (e.code === "ETIMEDOUT" || e.signal === "SIGTERM") {
      throw new DeviceError(
        "NVIDIA_SMI_FAILED",
        `${path} ${args.join(" ")} did not answer within ${timeout} ms: the driver may be hung (check \`dmesg\` for Xid errors).`,
        { cause: error }
      );
    }
    const said = `${e.stdout ?? ""}${e.stderr ?? ""}`.trim();
    const code = /couldn't communicate with the NVIDIA driver|No devices were found/i.test(said) ? "NO_DRIVER" : "NVIDIA_SMI_FAILED";
    throw new DeviceError(
      code,
      `${path} ${args.join(" ")} failed: ${said || e.message}. ${code === "NO_DRIVER" ? "The NVIDIA driver is not running or sees no GPU: check `nvidia-smi` by hand." : "Run it by hand to see the full error."}`,
      { cause: error }
    );
  }
}
function value(raw) {
  const v = raw?.trim() ?? "";
  return v === "" || /^\[.*\]$/.test(v) || v === "N/A" ? null : v;
}
function num(raw) {
  const v = value(raw);
  if (v === null) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
function rows(text) {
  return text.split("\n").map((line) => line.trim()).filter((line) => line.length > 0).map((line) => line.split(", "));
}
function parseGpuCsv(text, fields) {
  return rows(text).map((cells, row) => {
    if (cells.length !== fields.length) {
      throw new DeviceError(
        "NVIDIA_SMI_FAILED",
        `nvidia-smi printed ${cells.length} fields on line ${row + 1} where ${fields.length} were asked for: ${cells.join(", ")}`
      );
    }
    const get = (field) => cells[fields.indexOf(field)];
    const capability = value(get("compute_cap"));
    const reasons = value(
      get("clocks_event_reasons.active") ?? get("clocks_throttle_reasons.active")
    );
    const mib = (field) => {
      const v = num(get(field));
      return v === null ? null : v * MIB2;
    };
    return {
      index: num(get("index")) ?? row,
      name: value(get("name")) ?? "unknown",
      uuid: value(get("uuid")) ?? "",
      pciBusId: value(get("pci.bus_id")) ?? "",
      computeCapability: capability ? { major: Number(capability.split(".")[0]), minor: Number(capability.split(".")[1] ?? 0) } : null,
      driverVersion: value(get("driver_version")),
      memory: {
        totalBytes: mib("memory.total") ?? 0,
        usedBytes: mib("memory.used") ?? 0,
        freeBytes: mib("memory.free") ?? 0,
        reservedBytes: mib("memory.reserved")
      },
      clocks: {
        smMHz: num(get("clocks.sm")),
        memoryMHz: num(get("clocks.mem")),
        smMaxMHz: num(get("clocks.max.sm")),
        memoryMaxMHz: num(get("clocks.max.mem"))
      },
      throttleReasons: reasons ? decodeClockEventReasons(BigInt(reasons)) : [],
      temperatureC: num(get("temperature.gpu")),
      powerDrawW: num(get("power.draw")),
      powerLimitW: num(get("power.limit"))
    };
  });
}
function parseAppsCsv(text, gpuIndexOf) {
  if (/No running processes found/i.test(text)) return [];
  return rows(text).map((cells) => {
    const used = num(cells[1]);
    const uuid = value(cells[2]) ?? "";
    return {
      pid: Number(cells[0]),
      gpuIndex: gpuIndexOf(uuid),
      gpuUuid: uuid,
      usedBytes: used === null ? null : used * MIB2
    };
  });
}
function parseCudaVersion(text) {
  return /CUDA Version:\s*([\d.]+)/.exec(text)?.[1] ?? null;
}
function smiReader(options = {}) {
  let fields = GPU_FIELDS;
  const queryGpus = () => {
    const run = () => parseGpuCsv(
      runNvidiaSmi([`--query-gpu=${fields.join(",")}`, "--format=csv,noheader,nounits"], options),
      fields
    );
    try {
      return run();
    } catch (error) {
      if (fields === GPU_FIELDS && /not a valid field/i.test(error.message)) {
        fields = LEGACY_GPU_FIELDS;
        return run();
      }
      throw error;
    }
  };
  const first = queryGpus();
  const count = first.length;
  const uuids = first.map((g) => g.uuid);
  const checkIndex = (index) => {
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new DeviceError(
        "NO_SUCH_GPU",
        `GPU index ${index} does not exist: nvidia-smi lists ${count} GPU(s)${count > 0 ? ` (indices 0-${count - 1})` : ""}. Check the device index in your config.`
      );
    }
  };
  const allProcesses = () => parseAppsCsv(
    runNvidiaSmi(
      [`--query-compute-apps=${APP_FIELDS.join(",")}`, "--format=csv,noheader,nounits"],
      options
    ),
    (uuid) => uuids.indexOf(uuid)
  );
  return {
    source: "nvidia-smi",
    deviceCount: () => count,
    processes: (index) => {
      checkIndex(index);
      return allProcesses().filter((p) => p.gpuIndex === index);
    },
    memory: (index) => {
      checkIndex(index);
      return queryGpus()[index].memory;
    },
    inventory: () => {
      const gpus = queryGpus();
      return {
        source: "nvidia-smi",
        driverVersion: gpus[0]?.driverVersion ?? "unknown",
        cudaDriverVersion: parseCudaVersion(runNvidiaSmi([], options)),
        gpus: gpus.map(({ driverVersion: _, ...gpu }) => gpu),
        processes: allProcesses()
      };
    },
    close: () => {
    }
  };
}
var DEFAULT_SMI_TIMEOUT_MS, MIB2, GPU_FIELDS, LEGACY_GPU_FIELDS, APP_FIELDS;
var init_smi = __esm({
  "packages/device/src/smi.ts"() {
    "use strict";
    init_clock_events();
    init_errors();
    DEFAULT_SMI_TIMEOUT_MS = 1e4;
    MIB2 = 1024 * 1024;
    GPU_FIELDS = [
      "index",
      "name",
      "uuid",
      "pci.bus_id",
      "compute_cap",
      "driver_version",
      "memory.total",
      "memory.used",
      "memory.free",
      "memory.reserved",
      "clocks.sm",
      "clocks.mem",
      "clocks.max.sm",
      "clocks.max.mem",
      "clocks_event_reasons.active",
      "temperature.gpu",
      "power.draw",
      "power.limit"
    ];
    LEGACY_GPU_FIELDS = [
      ...GPU_FIELDS.filter(
        (f) => f !== "compute_cap" && f !== "memory.reserved" && f !== "clocks_event_reasons.active"
      ),
      "clocks_throttle_reasons.active"
    ];
    APP_FIELDS = ["pid", "used_memory", "gpu_uuid"];
  }
});

// packages/device/src/open.ts
import { readFileSync } from "node:fs";
function openGpuReader(options = {}) {
  const order = options.prefer === "nvidia-smi" ? ["nvidia-smi", "nvml"] : ["nvml", "nvidia-smi"];
  const tried = options.only ? order.slice(0, 1) : order;
  const failures = [];
  for (const source of tried) {
    try {
      const reader = source === "nvml" ? nvmlReader(nvmlCalls(options)) : smiReader(options);
      return failures.length > 0 ? Object.assign(reader, { fallbackReason: failures.join("; ") }) : reader;
    } catch (error) {
      failures.push(`${source}: ${error.message}`);
      if (error instanceof DeviceError && (error.code === "NO_SUCH_GPU" || error.code === "INVALID_ARGUMENT"))
        throw error;
    }
  }
  throw new DeviceError("NO_DRIVER", `no NVIDIA GPU can be read here.
  ${failures.join("\n  ")}`);
}
function nvmlCalls(options) {
  const recording = options.nvmlRecording ?? process.env[NVML_RECORDING_ENV];
  if (recording) return replayNvml(readRecording(recording));
  return loadNvml(options.nvmlLibrary ?? defaultNvmlLibrary());
}
function readRecording(path) {
  let recording;
  try {
    recording = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new DeviceError(
      "INVALID_ARGUMENT",
      `cannot read the NVML recording ${path} (named by ${NVML_RECORDING_ENV}): ${cause.message}. Unset ${NVML_RECORDING_ENV} to read the real GPU.`,
      { cause }
    );
  }
  if (!Array.isArray(recording.devices) || typeof recording.driverVersion !== "string") {
    throw new DeviceError(
      "INVALID_ARGUMENT",
      `${path} (named by ${NVML_RECORDING_ENV}) is not an NVML recording: it needs "driverVersion" and "devices", as recordNvml() writes them.`
    );
  }
  return recording;
}
var NVML_RECORDING_ENV;
var init_open = __esm({
  "packages/device/src/open.ts"() {
    "use strict";
    init_errors();
    init_nvml_koffi();
    init_nvml_reader();
    init_nvml_recording();
    init_smi();
    NVML_RECORDING_ENV = "PERF_GATE_NVML_RECORDING";
  }
});

// packages/device/src/probe.ts
function probeDevice(options = {}) {
  let reader = options.reader;
  if (!reader) {
    try {
      reader = openGpuReader(options);
    } catch (error) {
      if (error instanceof DeviceError && error.code === "NO_DRIVER")
        return { state: "no-gpu", reason: error.message };
      throw error;
    }
  }
  try {
    const inventory = reader.inventory();
    if (inventory.gpus.length === 0) {
      return {
        state: "no-gpu",
        reason: `the NVIDIA driver (${inventory.driverVersion}) sees no GPU`
      };
    }
    const own = new Set(options.ownPids ?? [process.pid]);
    const warnings = [];
    const recording = options.nvmlRecording ?? process.env[NVML_RECORDING_ENV];
    if (recording && !options.reader && inventory.source === "nvml")
      warnings.push(
        `GPU readings come from the NVML recording ${recording} (${NVML_RECORDING_ENV}), not from the driver: a setting for tests; unset it to measure the real GPU.`
      );
    if (reader.fallbackReason)
      warnings.push(
        `GPU read through ${reader.source}, not the preferred source (${reader.fallbackReason}). Through nvidia-smi, GPU memory is sampled about 10 times a second instead of 1000, so allocation spikes shorter than ~100 ms can be missed: make the NVIDIA management library (libnvidia-ml.so.1) loadable for 1 kHz sampling.`
      );
    const gpus = inventory.gpus.map((gpu) => {
      const otherProcesses = inventory.processes.filter(
        (p) => p.gpuIndex === gpu.index && !own.has(p.pid)
      );
      if (otherProcesses.length > 0) {
        const held = otherProcesses.reduce((sum2, p) => sum2 + (p.usedBytes ?? 0), 0);
        warnings.push(
          `GPU ${gpu.index} (${gpu.name}) is in use by ${otherProcesses.length} other process(es) (PIDs ${otherProcesses.map((p) => p.pid).join(", ")}, ${(held / 2 ** 30).toFixed(1)} GiB): timings and memory will be disturbed; stop them or use another GPU.`
        );
      }
      const throttling = gpu.throttleReasons.filter((r) => r !== "gpu_idle");
      if (throttling.length > 0) {
        warnings.push(
          `GPU ${gpu.index} (${gpu.name}) reports clock events: ${throttling.join(", ")}.`
        );
      }
      const autoDtype = resolveDtype("auto", gpu);
      if (autoDtype.warning) warnings.push(autoDtype.warning);
      return { index: gpu.index, autoDtype, known: findKnownGpu(gpu.name), otherProcesses };
    });
    return { state: "ok", inventory, gpus, warnings };
  } finally {
    if (!options.reader) reader.close();
  }
}
var init_probe = __esm({
  "packages/device/src/probe.ts"() {
    "use strict";
    init_capabilities();
    init_errors();
    init_known_gpus();
    init_open();
  }
});

// packages/device/src/index.ts
var src_exports = {};
__export(src_exports, {
  APP_FIELDS: () => APP_FIELDS,
  CLOCK_EVENT_REASONS: () => CLOCK_EVENT_REASONS,
  COMPUTE_DTYPES: () => COMPUTE_DTYPES,
  DEFAULT_SMI_TIMEOUT_MS: () => DEFAULT_SMI_TIMEOUT_MS,
  DTYPE_SUPPORT_BY_CAPABILITY: () => DTYPE_SUPPORT_BY_CAPABILITY,
  DeviceError: () => DeviceError,
  EXECUTION_PROVIDERS: () => EXECUTION_PROVIDERS,
  GPU_FIELDS: () => GPU_FIELDS,
  KNOWN_GPUS: () => KNOWN_GPUS,
  LEGACY_GPU_FIELDS: () => LEGACY_GPU_FIELDS,
  NVML_RECORDING_ENV: () => NVML_RECORDING_ENV,
  NVML_RETURN: () => NVML_RETURN,
  NvmlCallError: () => NvmlCallError,
  REQUESTED_DTYPES: () => REQUESTED_DTYPES,
  THROTTLING_REASONS: () => THROTTLING_REASONS,
  decodeClockEventReasons: () => decodeClockEventReasons,
  defaultNvmlLibrary: () => defaultNvmlLibrary,
  dtypeSupport: () => dtypeSupport,
  findKnownGpu: () => findKnownGpu,
  formatDeviceProbe: () => formatDeviceProbe,
  fractionOfPeak: () => fractionOfPeak,
  isComputeDtype: () => isComputeDtype,
  loadNvml: () => loadNvml,
  nvmlReader: () => nvmlReader,
  openGpuReader: () => openGpuReader,
  parseAppsCsv: () => parseAppsCsv,
  parseCudaVersion: () => parseCudaVersion,
  parseGpuCsv: () => parseGpuCsv,
  probeDevice: () => probeDevice,
  recordNvml: () => recordNvml,
  replayNvml: () => replayNvml,
  resolveDtype: () => resolveDtype,
  runNvidiaSmi: () => runNvidiaSmi,
  smiReader: () => smiReader
});
var init_src = __esm({
  "packages/device/src/index.ts"() {
    "use strict";
    init_capabilities();
    init_clock_events();
    init_dtypes();
    init_errors();
    init_format();
    init_known_gpus();
    init_nvml_api();
    init_nvml_koffi();
    init_nvml_reader();
    init_nvml_recording();
    init_open();
    init_probe();
    init_smi();
  }
});

// packages/memory/src/sampler-worker.ts
import { parentPort, workerData } from "node:worker_threads";

// packages/memory/src/errors.ts
var MemoryError = class extends Error {
  code;
  constructor(code, message, options) {
    super(message, options);
    this.name = "MemoryError";
    this.code = code;
  }
};
function invalidOption(name, value2, expected) {
  return new MemoryError(
    "INVALID_OPTION",
    `option ${name} = ${describe(value2)} is invalid: expected ${expected}.`
  );
}
function describe(value2) {
  if (typeof value2 === "string") return JSON.stringify(value2);
  if (typeof value2 === "function") return "a function";
  if (Array.isArray(value2)) return `an array of ${value2.length}`;
  if (value2 !== null && typeof value2 === "object") return "an object";
  return String(value2);
}
function isNonNegative(value2) {
  return typeof value2 === "number" && Number.isFinite(value2) && value2 >= 0;
}

// packages/memory/src/protocol.ts
var RUNNING = 0;

// packages/memory/src/recording.ts
var RECORDING_VERSION = 1;
function validateRecording(value2) {
  const fail = (where, got, expected) => {
    throw new MemoryError(
      "INVALID_RECORDING",
      `recording${where} = ${describe(got)} is invalid: expected ${expected}. A recording is { version: ${RECORDING_VERSION}, deviceCount, frames: [{ tMs, processes: [{ pid, gpuIndex, usedBytes }], treePids? }] }.`
    );
  };
  if (value2 === null || typeof value2 !== "object") return fail("", value2, "an object");
  const recording = value2;
  if (recording.version !== RECORDING_VERSION) {
    fail(".version", recording.version, `${RECORDING_VERSION} (the only version so far)`);
  }
  const deviceCount = recording.deviceCount;
  if (!(Number.isInteger(deviceCount) && deviceCount >= 1)) {
    fail(".deviceCount", deviceCount, "the number of GPUs, an integer >= 1");
  }
  const capturedWith = recording.capturedWith;
  if (capturedWith !== void 0 && capturedWith !== "nvml" && capturedWith !== "nvidia-smi") {
    fail(".capturedWith", capturedWith, '"nvml", "nvidia-smi" or absent');
  }
  const frames = recording.frames;
  if (!Array.isArray(frames) || frames.length === 0) {
    return fail(".frames", frames, "a non-empty array of frames");
  }
  let previous = Number.NEGATIVE_INFINITY;
  for (const [f, frame] of frames.entries()) {
    const at = `.frames[${f}]`;
    if (frame === null || typeof frame !== "object") fail(at, frame, "an object");
    if (!isNonNegative(frame.tMs)) fail(`${at}.tMs`, frame.tMs, "a time in ms >= 0");
    if (frame.tMs < previous) {
      fail(`${at}.tMs`, frame.tMs, `a time no earlier than the frame before (${previous} ms)`);
    }
    previous = frame.tMs;
    if (!Array.isArray(frame.processes)) fail(`${at}.processes`, frame.processes, "an array");
    for (const [p, proc] of frame.processes.entries()) {
      const pat = `${at}.processes[${p}]`;
      if (proc === null || typeof proc !== "object") fail(pat, proc, "an object");
      if (!isPid(proc.pid)) fail(`${pat}.pid`, proc.pid, "a process id (an integer > 0)");
      if (!(Number.isInteger(proc.gpuIndex) && proc.gpuIndex >= 0 && proc.gpuIndex < deviceCount)) {
        fail(`${pat}.gpuIndex`, proc.gpuIndex, `a GPU index from 0 to ${deviceCount - 1}`);
      }
      if (proc.usedBytes !== null && !isNonNegative(proc.usedBytes)) {
        fail(`${pat}.usedBytes`, proc.usedBytes, "a byte count >= 0, or null");
      }
    }
    if (frame.treePids !== void 0) {
      if (!Array.isArray(frame.treePids)) fail(`${at}.treePids`, frame.treePids, "an array");
      for (const [i, pid] of frame.treePids.entries()) {
        if (!isPid(pid)) fail(`${at}.treePids[${i}]`, pid, "a process id (an integer > 0)");
      }
    }
  }
  return recording;
}
function isPid(value2) {
  return typeof value2 === "number" && Number.isInteger(value2) && value2 > 0;
}
var ReplaySource = class {
  source = "replay";
  recording;
  #byGpu;
  #trees;
  #frame = 0;
  constructor(recording) {
    this.recording = validateRecording(recording);
    this.#byGpu = recording.frames.map((frame) => {
      const perGpu = Array.from({ length: recording.deviceCount }, () => []);
      for (const proc of frame.processes) perGpu[proc.gpuIndex]?.push({ ...proc });
      return perGpu;
    });
    let tree;
    this.#trees = recording.frames.map((frame) => {
      tree = frame.treePids ?? tree;
      return tree;
    });
  }
  get frameCount() {
    return this.recording.frames.length;
  }
  /** The frame `processes()` now answers from. */
  get frameIndex() {
    return this.#frame;
  }
  frameTime(index) {
    return this.recording.frames[index]?.tMs ?? Number.NaN;
  }
  /** Whether any frame carries the captured process tree. */
  get hasRecordedTree() {
    return this.#trees.some((tree) => tree !== void 0);
  }
  seekFrame(index) {
    this.#frame = Math.min(Math.max(0, Math.floor(index)), this.frameCount - 1);
  }
  /** Picks the last frame at or before `tMs` (the first frame before it starts). */
  seekTime(tMs) {
    let frame = this.#frame;
    if (this.frameTime(frame) > tMs) frame = 0;
    while (frame + 1 < this.frameCount && this.frameTime(frame + 1) <= tMs) frame++;
    this.#frame = frame;
  }
  /** The captured tree at the current frame (carried from earlier frames); undefined if none was captured. */
  recordedTree() {
    return this.#trees[this.#frame];
  }
  deviceCount() {
    return this.recording.deviceCount;
  }
  processes(index) {
    const processes = this.#byGpu[this.#frame]?.[index];
    if (processes === void 0) {
      throw new MemoryError(
        "INVALID_OPTION",
        `GPU index ${index} is not in this recording: it has GPUs 0 to ${this.recording.deviceCount - 1}.`
      );
    }
    return processes;
  }
  close() {
  }
};

// packages/memory/src/format.ts
var GIB = 1024 ** 3;
var MIB = 1024 ** 2;
function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return String(bytes);
  const sign = bytes < 0 ? "-" : "";
  const size = Math.abs(bytes);
  if (size >= GIB) return `${sign}${(size / GIB).toFixed(1)} GiB`;
  return `${sign}${(size / MIB).toFixed(1)} MiB`;
}

// packages/memory/src/sampler-core.ts
var DEFAULT_TIMELINE_POINTS = 500;
var FELL_BEHIND_FACTOR = 2;
var MAX_RECORDED_GAPS = 100;
var PeakTimeline = class {
  #maxPoints;
  #width;
  #origin;
  #buckets = [];
  constructor(maxPoints, initialWidthMs) {
    if (!(Number.isInteger(maxPoints) && maxPoints >= 2)) {
      throw invalidOption("maxPoints", maxPoints, "an integer >= 2");
    }
    if (!(initialWidthMs > 0 && Number.isFinite(initialWidthMs))) {
      throw invalidOption("intervalMs", initialWidthMs, "a number of milliseconds > 0");
    }
    this.#maxPoints = maxPoints;
    this.#width = initialWidthMs;
  }
  /** Adds a reading; `t` must not go backwards (ms). */
  add(t, bytes) {
    this.#origin ??= t;
    const index = Math.floor((t - this.#origin) / this.#width);
    const last = this.#buckets.at(-1);
    if (last !== void 0 && index <= last.index) {
      if (bytes > last.bytes) {
        last.bytes = bytes;
        last.tMs = t;
      }
      return;
    }
    this.#buckets.push({ index, tMs: t, bytes });
    while (this.#buckets.length > this.#maxPoints) this.#coarsen();
  }
  /** Current bucket width (ms). */
  get widthMs() {
    return this.#width;
  }
  points() {
    return this.#buckets.map(({ tMs, bytes }) => ({ tMs, bytes }));
  }
  #coarsen() {
    this.#width *= 2;
    const merged = [];
    for (const bucket of this.#buckets) {
      const index = Math.floor(bucket.index / 2);
      const last = merged.at(-1);
      if (last !== void 0 && last.index === index) {
        if (bucket.bytes > last.bytes) {
          last.bytes = bucket.bytes;
          last.tMs = bucket.tMs;
        }
      } else {
        merged.push({ ...bucket, index });
      }
    }
    this.#buckets = merged;
  }
};
var Track = class {
  baseline;
  peak = 0;
  peakAt = null;
  timeline;
  constructor(maxPoints, intervalMs) {
    this.timeline = new PeakTimeline(maxPoints, intervalMs);
  }
  add(t, bytes) {
    this.baseline ??= bytes;
    if (this.peakAt === null || bytes > this.peak) {
      this.peak = bytes;
      this.peakAt = t;
    }
    this.timeline.add(t, bytes);
  }
  summary() {
    return {
      baselineBytes: this.baseline ?? 0,
      peakBytes: this.peak,
      peakAtMs: this.peakAt,
      timeline: this.timeline.points()
    };
  }
};
var VramAccumulator = class {
  #intervalMs;
  #maxPoints;
  #gpus = /* @__PURE__ */ new Map();
  #total;
  #explicitBaseline;
  #samples = 0;
  #first;
  #last;
  #fellBehind = 0;
  #longestGap = 0;
  #gaps = [];
  constructor(options) {
    const intervalMs = options?.intervalMs;
    if (!(typeof intervalMs === "number" && intervalMs > 0 && Number.isFinite(intervalMs))) {
      throw invalidOption("intervalMs", intervalMs, "a number of milliseconds > 0");
    }
    this.#intervalMs = intervalMs;
    this.#maxPoints = options.maxPoints ?? DEFAULT_TIMELINE_POINTS;
    this.#total = new Track(this.#maxPoints, intervalMs);
  }
  /**
   * Sets the baseline from a reading taken before the measured work began
   * (e.g. just before the workload starts), instead of the first reading.
   * The reading does not count as a sample and joins no timeline.
   */
  setBaseline(perGpu) {
    const baseline = checkPerGpu(perGpu, "baseline");
    this.#explicitBaseline = baseline;
    for (const [gpuIndex, track] of this.#gpus) track.baseline = baseline.get(gpuIndex) ?? 0;
    this.#total.baseline = sum(baseline.values());
  }
  add(reading) {
    const t = reading?.t;
    if (!(typeof t === "number" && Number.isFinite(t))) {
      throw invalidOption("reading.t", t, "a time in ms since the sampler started");
    }
    if (this.#last !== void 0 && t < this.#last) {
      throw invalidOption(
        "reading.t",
        t,
        `a time no earlier than the previous reading (${this.#last} ms): readings must come in time order`
      );
    }
    const bytesOf = checkPerGpu(reading.perGpu, "reading.perGpu");
    if (this.#last !== void 0) this.#noteGap(this.#last, t - this.#last);
    this.#first ??= t;
    this.#last = t;
    this.#samples++;
    for (const gpuIndex of bytesOf.keys()) {
      if (this.#gpus.has(gpuIndex)) continue;
      const track = new Track(this.#maxPoints, this.#intervalMs);
      if (this.#explicitBaseline !== void 0 || this.#samples > 1) {
        track.baseline = this.#explicitBaseline?.get(gpuIndex) ?? 0;
      }
      this.#gpus.set(gpuIndex, track);
    }
    for (const [gpuIndex, track] of this.#gpus) track.add(t, bytesOf.get(gpuIndex) ?? 0);
    this.#total.add(t, sum(bytesOf.values()));
  }
  get samples() {
    return this.#samples;
  }
  summary() {
    const span = this.#first === void 0 ? 0 : this.#last - this.#first;
    return {
      samples: this.#samples,
      durationMs: span,
      achievedHz: this.#samples >= 2 && span > 0 ? (this.#samples - 1) * 1e3 / span : null,
      fellBehind: this.#fellBehind,
      longestGapMs: this.#longestGap,
      gaps: this.#gaps.map((gap) => ({ ...gap })),
      perGpu: [...this.#gpus.entries()].sort(([a], [b]) => a - b).map(([gpuIndex, track]) => ({ gpuIndex, ...track.summary() })),
      total: this.#total.summary()
    };
  }
  #noteGap(afterMs, gapMs) {
    if (gapMs <= FELL_BEHIND_FACTOR * this.#intervalMs) return;
    this.#fellBehind++;
    if (gapMs > this.#longestGap) this.#longestGap = gapMs;
    if (this.#gaps.length < MAX_RECORDED_GAPS) this.#gaps.push({ afterMs, gapMs });
  }
};
function checkPerGpu(perGpu, where) {
  if (!Array.isArray(perGpu)) {
    throw invalidOption(where, perGpu, "an array of { gpuIndex, bytes }");
  }
  const out = /* @__PURE__ */ new Map();
  for (const [i, entry] of perGpu.entries()) {
    const gpuIndex = entry?.gpuIndex;
    if (!(typeof gpuIndex === "number" && Number.isInteger(gpuIndex) && gpuIndex >= 0)) {
      throw invalidOption(`${where}[${i}].gpuIndex`, gpuIndex, "a GPU index (an integer >= 0)");
    }
    if (!isNonNegative(entry.bytes)) {
      throw invalidOption(`${where}[${i}].bytes`, entry.bytes, "a byte count >= 0");
    }
    if (out.has(gpuIndex)) {
      throw invalidOption(
        `${where}[${i}].gpuIndex`,
        gpuIndex,
        `each GPU once per reading (GPU ${describe(gpuIndex)} is listed twice): add up a GPU's processes before adding the reading`
      );
    }
    out.set(gpuIndex, entry.bytes);
  }
  return out;
}
function sum(values) {
  let total = 0;
  for (const value2 of values) total += value2;
  return total;
}

// packages/memory/src/report.ts
var NVIDIA_SMI_NOTE = "nvidia-smi source: about 10 Hz, spikes shorter than ~100 ms can be missed (polling every 100 ms saw 5% of 2 ms and 25% of 5 ms allocations); install the NVIDIA driver library (NVML) for 1 kHz sampling.";
var MAX_PIDS_NAMED = 5;
function buildReport(summary, facts, startEpochMs) {
  return {
    source: facts.source,
    rootPid: facts.rootPid,
    intervalMs: facts.intervalMs,
    achievedHz: summary.achievedHz,
    samples: summary.samples,
    durationMs: summary.durationMs,
    startEpochMs,
    fellBehind: summary.fellBehind,
    longestGapMs: summary.longestGapMs,
    gaps: summary.gaps,
    perGpu: summary.perGpu,
    total: summary.total,
    pidsSeen: [...facts.pidsSeen].sort((a, b) => a - b),
    foreign: [...facts.foreign].sort((a, b) => a.gpuIndex - b.gpuIndex || a.pid - b.pid),
    treeSource: facts.treeSource,
    notes: reportNotes(summary, facts)
  };
}
function reportNotes(summary, facts) {
  const notes = [];
  if (facts.source === "nvidia-smi") notes.push(NVIDIA_SMI_NOTE);
  if (facts.requested === "nvml" && facts.source !== "nvml") {
    notes.push(
      `NVML was asked for but ${facts.source} was used: the NVIDIA driver library could not be loaded.`
    );
  }
  if (facts.source === "replay") {
    const how = facts.capturedWith ? ` captured with ${facts.capturedWith}` : "";
    notes.push(`replayed from a recording${how}: these numbers are not a live reading.`);
  }
  if (facts.treeUnsupportedReason !== void 0) {
    notes.push(
      `${facts.treeUnsupportedReason}; child processes (e.g. torchrun ranks) are not counted.`
    );
  }
  if (summary.samples === 1) {
    notes.push("only one reading was taken: the sampler was stopped before its first interval.");
  }
  if (summary.fellBehind > 0) {
    const achieved = summary.achievedHz === null ? "" : `, ${summary.achievedHz.toFixed(0)} Hz achieved`;
    notes.push(
      `the sampler fell behind ${summary.fellBehind} time(s) in ${summary.samples} readings (no reading for more than ${FELL_BEHIND_FACTOR}x the ${facts.intervalMs} ms interval; longest gap ${summary.longestGapMs.toFixed(1)} ms${achieved}): a peak shorter than a gap can be missed.`
    );
  }
  if (facts.unattributedReadings > 0) {
    notes.push(
      `the driver gave no memory figure for ${facts.unattributedReadings} reading(s) of tracked processes (usual in containers and on MIG): they count as 0, so peaks may be too low.`
    );
  }
  if (facts.pidsSeen.length === 0) {
    if (facts.foreignPids.length > 0) {
      const named = facts.foreignPids.slice(0, MAX_PIDS_NAMED).join(", ");
      const more = facts.foreignPids.length > MAX_PIDS_NAMED ? ", ..." : "";
      notes.push(
        `no process in the tree of PID ${facts.rootPid} held GPU memory, but other processes did (PIDs ${named}${more}). In a container the driver reports host PIDs, which do not match the container's: run it with the host PID namespace (docker --pid=host), or check that the right PID is measured.`
      );
    } else {
      notes.push(
        `no process in the tree of PID ${facts.rootPid} held GPU memory while sampling: the workload did not use the GPU, or ran before the sampler started or after it stopped.`
      );
    }
  } else if (facts.foreignPids.length > 0) {
    notes.push(
      `${facts.foreignPids.length} process(es) outside the tree also held GPU memory (not counted): another job on the GPU can slow the workload and change its memory headroom.`
    );
  }
  const peak = summary.total.peakBytes;
  const baseline = summary.total.baselineBytes;
  if (baseline > 0 && summary.samples > 0) {
    notes.push(
      `the tree already held ${formatBytes(baseline)} at the first reading (baseline); the peak, ${formatBytes(peak)}, includes it.`
    );
  }
  return notes;
}

// packages/memory/src/source.ts
var DEFAULT_INTERVAL_MS = {
  /** NVML reads cost ~10-15 us, so 1 kHz is cheap and catches 2 ms spikes. */
  nvml: 1,
  /** nvidia-smi is a process start per read: about 10 Hz is what it sustains. */
  "nvidia-smi": 100,
  replay: 1
};
async function openLiveSource(kind) {
  let device;
  try {
    device = await Promise.resolve().then(() => (init_src(), src_exports));
  } catch (error) {
    throw new MemoryError(
      "SOURCE_UNAVAILABLE",
      `could not load @vggt-perf-gate/device to read GPU memory (${messageOf(error)}). Install it next to @vggt-perf-gate/memory, or in this repository build it with \`npm run build -w @vggt-perf-gate/device\`. If this runs from the GitHub Action's dist/, the bundle is incomplete: rebuild it with \`npm run bundle\` in the action's repository, or report it.`,
      { cause: error }
    );
  }
  if (typeof device.openGpuReader !== "function") {
    throw new MemoryError(
      "SOURCE_UNAVAILABLE",
      `@vggt-perf-gate/device does not export openGpuReader(): it is older than this package expects; install matching versions of both.`
    );
  }
  try {
    return await device.openGpuReader(kind === "auto" ? {} : { prefer: kind, only: true });
  } catch (error) {
    const code = error?.code;
    const hint = code === "NO_DRIVER" ? ' The sampler needs an NVIDIA driver (NVML or nvidia-smi). To run without a GPU (tests, demos), pass source: { kind: "replay", recording }.' : "";
    throw new MemoryError(
      "SOURCE_UNAVAILABLE",
      `could not open a GPU reader (source ${kind}): ${messageOf(error)}${hint}`,
      { cause: error }
    );
  }
}
function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

// packages/memory/src/process-tree.ts
import { existsSync, readdirSync, readFileSync as readFileSync2 } from "node:fs";
var PROC = "/proc";
var childrenListsExist;
function findProcessTree(rootPid, options = {}) {
  checkPid("rootPid", rootPid);
  const unsupported = treeUnsupportedReason();
  if (unsupported !== void 0) return { supported: false, reason: unsupported };
  const wanted = options.method ?? "auto";
  if (wanted !== "auto" && wanted !== "children" && wanted !== "stat-scan") {
    throw invalidOption("method", wanted, '"auto", "children" or "stat-scan"');
  }
  const method = wanted === "auto" ? hasChildrenLists() ? "children" : "stat-scan" : wanted;
  const rootAlive = existsSync(`${PROC}/${rootPid}`);
  if (!rootAlive) return { supported: true, pids: /* @__PURE__ */ new Set([rootPid]), rootAlive, method };
  const pids = method === "children" ? walkChildren(rootPid) : walkParents(rootPid);
  return { supported: true, pids, rootAlive, method };
}
function isDescendantOf(pid, rootPid) {
  if (pid === rootPid) return true;
  if (treeUnsupportedReason() !== void 0) return false;
  let current = pid;
  for (let depth = 0; depth < MAX_ANCESTRY_DEPTH; depth++) {
    const parent = parentOf(current);
    if (parent === void 0 || parent <= 0) return false;
    if (parent === rootPid) return true;
    current = parent;
  }
  return false;
}
var MAX_ANCESTRY_DEPTH = 1024;
function treeUnsupportedReason() {
  if (process.platform !== "linux") {
    return `process trees are read from Linux's /proc, and this is ${process.platform}: only the root PID itself can be tracked`;
  }
  if (!existsSync(`${PROC}/self/stat`)) {
    return `${PROC} is not mounted: only the root PID itself can be tracked`;
  }
  return void 0;
}
function hasChildrenLists() {
  if (childrenListsExist === void 0) {
    childrenListsExist = existsSync(`${PROC}/self/task/${process.pid}/children`);
  }
  return childrenListsExist;
}
function walkChildren(rootPid) {
  const found = /* @__PURE__ */ new Set([rootPid]);
  const queue = [rootPid];
  for (let next = queue.pop(); next !== void 0; next = queue.pop()) {
    for (const tid of readDir(`${PROC}/${next}/task`)) {
      const text = readText(`${PROC}/${next}/task/${tid}/children`);
      if (text === void 0) continue;
      for (const word of text.split(" ")) {
        const child = Number(word);
        if (word === "" || !Number.isInteger(child) || found.has(child)) continue;
        found.add(child);
        queue.push(child);
      }
    }
  }
  return found;
}
function walkParents(rootPid) {
  const childrenOf = /* @__PURE__ */ new Map();
  for (const entry of readDir(PROC)) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const parent = parentOf(pid);
    if (parent === void 0) continue;
    const siblings = childrenOf.get(parent);
    if (siblings === void 0) childrenOf.set(parent, [pid]);
    else siblings.push(pid);
  }
  const found = /* @__PURE__ */ new Set([rootPid]);
  const queue = [rootPid];
  for (let next = queue.pop(); next !== void 0; next = queue.pop()) {
    for (const child of childrenOf.get(next) ?? []) {
      if (found.has(child)) continue;
      found.add(child);
      queue.push(child);
    }
  }
  return found;
}
function parentOf(pid) {
  const text = readText(`${PROC}/${pid}/stat`);
  if (text === void 0) return void 0;
  const close = text.lastIndexOf(")");
  if (close < 0) return void 0;
  const fields = text.slice(close + 2).split(" ");
  const parent = Number(fields[1]);
  return Number.isInteger(parent) ? parent : void 0;
}
function readText(path) {
  try {
    return readFileSync2(path, "latin1");
  } catch {
    return void 0;
  }
}
function readDir(path) {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
function checkPid(name, pid) {
  if (!(typeof pid === "number" && Number.isInteger(pid) && pid > 0)) {
    throw invalidOption(name, pid, "a process id (an integer > 0), e.g. child.pid");
  }
}

// packages/memory/src/tree-tracker.ts
var DEFAULT_TREE_RESCAN_MS = 50;
var TreeTracker = class {
  rootPid;
  #rescanMs;
  #tracked;
  /** PIDs found not to be in the tree since the last scan (cleared each scan). */
  #foreign = /* @__PURE__ */ new Set();
  #lastScan = Number.NEGATIVE_INFINITY;
  #source = "root-only";
  /** Why /proc could not be read, when it could not. */
  unsupportedReason;
  constructor(rootPid, rescanMs = DEFAULT_TREE_RESCAN_MS) {
    this.rootPid = rootPid;
    this.#rescanMs = rescanMs;
    this.#tracked = /* @__PURE__ */ new Set([rootPid]);
  }
  get source() {
    return this.#source;
  }
  /** Re-reads /proc if the last scan is `rescanMs` old (t in ms, any monotonic origin). */
  refresh(t) {
    if (this.#source === "recorded" || this.unsupportedReason !== void 0) return;
    if (t - this.#lastScan < this.#rescanMs) return;
    this.#lastScan = t;
    const tree = findProcessTree(this.rootPid);
    if (!tree.supported) {
      this.unsupportedReason = tree.reason;
      return;
    }
    this.#source = tree.method;
    for (const pid of tree.pids) this.#tracked.add(pid);
    this.#foreign = /* @__PURE__ */ new Set();
  }
  /** Uses a captured tree instead of /proc from now on. */
  addRecorded(pids) {
    this.#source = "recorded";
    for (const pid of pids) this.#tracked.add(pid);
  }
  includes(pid) {
    if (this.#tracked.has(pid)) return true;
    if (this.#foreign.has(pid)) return false;
    if (this.#source === "recorded" || this.unsupportedReason !== void 0) return false;
    if (isDescendantOf(pid, this.rootPid)) {
      this.#tracked.add(pid);
      return true;
    }
    this.#foreign.add(pid);
    return false;
  }
};

// packages/memory/src/sampler-run.ts
async function runSampling(input, send) {
  const stop = new Int32Array(input.stopSignal);
  let reader;
  try {
    reader = input.source.kind === "replay" ? new ReplaySource(input.source.recording) : await openLiveSource(input.source.kind);
  } catch (error) {
    send(errorMessage(error));
    return;
  }
  try {
    send({ type: "report", report: sample(input, reader, stop, send) });
  } catch (error) {
    send(errorMessage(error));
  } finally {
    reader.close?.();
  }
}
function sample(input, reader, stop, send) {
  const source = sourceName(reader);
  const intervalMs = input.intervalMs ?? DEFAULT_INTERVAL_MS[source];
  const accumulator = new VramAccumulator({ intervalMs, maxPoints: input.maxPoints });
  const tree = new TreeTracker(input.rootPid, input.treeRescanMs);
  const deviceCount = reader.deviceCount();
  const pidsSeen = /* @__PURE__ */ new Set();
  const foreign = new ForeignPeaks();
  let unattributed = 0;
  const read = (t) => {
    tree.refresh(t);
    const perGpu = [];
    for (let gpu = 0; gpu < deviceCount; gpu++) {
      let bytes = 0;
      for (const proc of reader.processes(gpu)) {
        if (!tree.includes(proc.pid)) {
          foreign.add(gpu, proc.pid, proc.usedBytes);
          continue;
        }
        if (proc.usedBytes === null) unattributed++;
        else {
          bytes += proc.usedBytes;
          pidsSeen.add(proc.pid);
        }
      }
      perGpu.push({ gpuIndex: gpu, bytes });
    }
    accumulator.add({ t, perGpu });
  };
  const start = performance.now();
  const startEpochMs = performance.timeOrigin + start;
  const replay = reader instanceof ReplaySource ? reader : void 0;
  const spec = input.source;
  if (replay?.hasRecordedTree) tree.addRecorded([]);
  if (replay !== void 0 && spec.kind === "replay" && (spec.pace ?? "recorded") === "recorded") {
    for (let frame = 0; frame < replay.frameCount; frame++) {
      replay.seekFrame(frame);
      const recorded = replay.recordedTree();
      if (recorded !== void 0) tree.addRecorded(recorded);
      read(replay.frameTime(frame));
    }
    send({ type: "ready", source, intervalMs });
    while (Atomics.load(stop, 0) === RUNNING) Atomics.wait(stop, 0, RUNNING);
  } else {
    const readNow = () => {
      const t = performance.now() - start;
      if (replay !== void 0) {
        replay.seekTime(t);
        const recorded = replay.recordedTree();
        if (recorded !== void 0) tree.addRecorded(recorded);
      }
      read(t);
    };
    readNow();
    send({ type: "ready", source, intervalMs });
    let next = start + intervalMs;
    while (Atomics.load(stop, 0) === RUNNING) {
      const wait = next - performance.now();
      if (wait > 0 && Atomics.wait(stop, 0, RUNNING, wait) !== "timed-out") break;
      readNow();
      const now = performance.now();
      next = next + intervalMs < now ? now + intervalMs : next + intervalMs;
    }
  }
  const facts = {
    source,
    rootPid: input.rootPid,
    intervalMs,
    treeSource: tree.source,
    pidsSeen: [...pidsSeen],
    foreignPids: foreign.pids(),
    foreign: foreign.processes(),
    unattributedReadings: unattributed
  };
  if (spec.kind !== "replay" && spec.kind !== "auto") facts.requested = spec.kind;
  if (spec.kind === "replay" && spec.recording.capturedWith !== void 0) {
    facts.capturedWith = spec.recording.capturedWith;
  }
  if (tree.unsupportedReason !== void 0) facts.treeUnsupportedReason = tree.unsupportedReason;
  return buildReport(accumulator.summary(), facts, startEpochMs);
}
function sourceName(reader) {
  const name = reader.source;
  if (name === "nvml" || name === "nvidia-smi" || name === "replay") return name;
  throw new MemoryError(
    "SOURCE_UNAVAILABLE",
    `the GPU reader says its source is ${JSON.stringify(name)}; expected "nvml" or "nvidia-smi": install matching versions of @vggt-perf-gate/device and @vggt-perf-gate/memory.`
  );
}
function errorMessage(error) {
  if (error instanceof MemoryError)
    return { type: "error", code: error.code, message: error.message };
  return {
    type: "error",
    code: "SAMPLER_FAILED",
    message: `the sampler failed while reading GPU memory: ${messageOf(error)}`
  };
}
var ForeignPeaks = class {
  #byKey = /* @__PURE__ */ new Map();
  add(gpuIndex, pid, usedBytes) {
    const key = `${gpuIndex}:${pid}`;
    const seen = this.#byKey.get(key)?.peakBytes ?? null;
    const peakBytes = usedBytes === null ? seen : Math.max(seen ?? 0, usedBytes);
    this.#byKey.set(key, { gpuIndex, pid, peakBytes });
  }
  pids() {
    return [...new Set([...this.#byKey.values()].map((p) => p.pid))].sort((a, b) => a - b);
  }
  processes() {
    return [...this.#byKey.values()];
  }
};

// packages/memory/src/sampler-worker.ts
if (parentPort !== null) {
  const port = parentPort;
  await runSampling(
    workerData,
    (message) => port.postMessage(message)
  );
}
