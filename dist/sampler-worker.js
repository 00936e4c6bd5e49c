import { createRequire as __perfGateCreateRequire } from 'node:module';
const require = __perfGateCreateRequire(import.meta.url);

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
function invalidOption(name, value, expected) {
  return new MemoryError(
    "INVALID_OPTION",
    `option ${name} = ${describe(value)} is invalid: expected ${expected}.`
  );
}
function describe(value) {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value !== null && typeof value === "object") return "an object";
  return String(value);
}
function isNonNegative(value) {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

// packages/memory/src/protocol.ts
var RUNNING = 0;

// packages/memory/src/recording.ts
var RECORDING_VERSION = 1;
function validateRecording(value) {
  const fail = (where, got, expected) => {
    throw new MemoryError(
      "INVALID_RECORDING",
      `recording${where} = ${describe(got)} is invalid: expected ${expected}. A recording is { version: ${RECORDING_VERSION}, deviceCount, frames: [{ tMs, processes: [{ pid, gpuIndex, usedBytes }], treePids? }] }.`
    );
  };
  if (value === null || typeof value !== "object") return fail("", value, "an object");
  const recording = value;
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
function isPid(value) {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
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
  for (const value of values) total += value;
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
var DEVICE_PACKAGE = "@vggt-perf-gate/device";
async function openLiveSource(kind) {
  let device;
  try {
    device = await import(DEVICE_PACKAGE);
  } catch (error) {
    throw new MemoryError(
      "SOURCE_UNAVAILABLE",
      `could not load ${DEVICE_PACKAGE} to read GPU memory (${messageOf(error)}). Install it next to @vggt-perf-gate/memory, or in this repository build it with \`npm run build -w ${DEVICE_PACKAGE}\`.`,
      { cause: error }
    );
  }
  if (typeof device.openGpuReader !== "function") {
    throw new MemoryError(
      "SOURCE_UNAVAILABLE",
      `${DEVICE_PACKAGE} does not export openGpuReader(): it is older than this package expects; install matching versions of both.`
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
import { existsSync, readdirSync, readFileSync } from "node:fs";
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
    return readFileSync(path, "latin1");
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
  const foreign = /* @__PURE__ */ new Set();
  let unattributed = 0;
  const read = (t) => {
    tree.refresh(t);
    const perGpu = [];
    for (let gpu = 0; gpu < deviceCount; gpu++) {
      let bytes = 0;
      for (const proc of reader.processes(gpu)) {
        if (!tree.includes(proc.pid)) {
          foreign.add(proc.pid);
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
    foreignPids: [...foreign].sort((a, b) => a - b),
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

// packages/memory/src/sampler-worker.ts
if (parentPort !== null) {
  const port = parentPort;
  await runSampling(
    workerData,
    (message) => port.postMessage(message)
  );
}
