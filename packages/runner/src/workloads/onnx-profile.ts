/**
 * Reads the trace onnxruntime writes when a session has `enableProfiling`
 * (a Chrome-trace JSON array) into the gate's WorkloadProfile: which
 * execution provider ran each node, and where the time went. Pure: the
 * session that produces the trace lives in onnx.ts.
 */
import type { OnnxProvider } from './onnx-runtime.js';
import type { ProfiledKernel, WorkloadProfile } from './types.js';

/** WorkloadProfile.source of every ONNX profile. */
export const ONNX_PROFILE_SOURCE = 'onnxruntime';

/** Kernels kept in a profile, longest first; the rest still count in totalDeviceUs and ops. */
export const TOP_KERNELS = 40;

/** onnxruntime names each node's timing event `<node name>_kernel_time`. */
const KERNEL_TIME_SUFFIX = '_kernel_time';

/** The provider onnxruntime places a node on when the session's own provider lacks a kernel for it. */
export const CPU_EXECUTION_PROVIDER = 'CPUExecutionProvider';

/** Stands in for an op or provider a trace event does not name (some providers write no args). */
const UNNAMED = '(unnamed)';

/** The parts of one trace event this module reads; onnxruntime writes many more. */
interface TraceEvent {
  cat?: unknown;
  name?: unknown;
  ts?: unknown;
  dur?: unknown;
  args?: { op_name?: unknown; provider?: unknown } | null;
}

/** One node's execution in the profiled run. */
interface NodeTiming {
  node: string;
  op: string;
  provider: string;
  durUs: number;
}

/** A profile that says why there is none, for a profiler that could not run or a trace it could not read. */
export function unavailableOnnxProfile(reason: string): WorkloadProfile {
  return {
    source: ONNX_PROFILE_SOURCE,
    available: false,
    reason,
    kernels: [],
    totalDeviceUs: null,
    ops: {},
    matmulDtypes: {},
    allowTf32: null,
    parameterDtype: null,
    autocastDtype: null,
    flops: null,
  };
}

/**
 * Summarises an onnxruntime profiling trace (the parsed JSON of the file
 * `endProfiling()` writes) of a session on `provider`. Only the last
 * `model_run` counts: the trace holds every run since the session was
 * created, warm-up included. Node durations are onnxruntime's host-side
 * time per node: on the CPU provider that is the work itself; on CUDA it is
 * mostly the kernel launches, since the kernels run asynchronously.
 * `parameterDtype` is left null for the caller, who knows the model's
 * inputs. Throws an Error naming what is missing when the trace has no node
 * timings.
 */
export function summarizeOnnxProfile(trace: unknown, provider: OnnxProvider): WorkloadProfile {
  const nodes = profiledRunNodes(traceEvents(trace));
  if (nodes.length === 0) {
    throw new Error(
      `the onnxruntime trace has no "Node" events named *${KERNEL_TIME_SUFFIX} for the profiled run`,
    );
  }
  const ops: Record<string, number> = {};
  const byProvider: Record<string, number> = {};
  let totalDeviceUs = 0;
  for (const node of nodes) {
    ops[node.op] = (ops[node.op] ?? 0) + 1;
    byProvider[node.provider] = (byProvider[node.provider] ?? 0) + 1;
    totalDeviceUs += node.durUs;
  }
  // On the CPU provider every node is on the CPU by design; only under a GPU
  // provider is a CPU node a placement worth showing.
  const cpuNodes =
    provider === 'cpu'
      ? []
      : [...new Set(nodes.filter((n) => n.provider === CPU_EXECUTION_PROVIDER).map((n) => n.node))];
  return {
    source: ONNX_PROFILE_SOURCE,
    available: true,
    kernels: topKernels(nodes),
    totalDeviceUs,
    ops,
    matmulDtypes: {},
    allowTf32: null,
    parameterDtype: null,
    autocastDtype: null,
    flops: null,
    placement: { byProvider, cpuNodes },
  };
}

/** The trace's events: onnxruntime writes a bare array; the Chrome object form is accepted too. */
function traceEvents(trace: unknown): TraceEvent[] {
  const events =
    trace !== null && typeof trace === 'object' && 'traceEvents' in trace
      ? trace.traceEvents
      : trace;
  if (!Array.isArray(events)) {
    throw new Error('the onnxruntime trace is not a JSON array of trace events');
  }
  return events.filter((e): e is TraceEvent => e !== null && typeof e === 'object');
}

/** Node timings inside the last `model_run`, or all of them when the trace marks no runs. */
function profiledRunNodes(events: TraceEvent[]): NodeTiming[] {
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run');
  const last = runs.at(-1);
  const inLastRun = (e: TraceEvent): boolean =>
    last === undefined ||
    (typeof e.ts === 'number' &&
      typeof last.ts === 'number' &&
      typeof last.dur === 'number' &&
      e.ts >= last.ts &&
      e.ts <= last.ts + last.dur);
  const nodes: NodeTiming[] = [];
  for (const event of events) {
    if (event.cat !== 'Node' || typeof event.name !== 'string') continue;
    if (!event.name.endsWith(KERNEL_TIME_SUFFIX) || typeof event.dur !== 'number') continue;
    if (!inLastRun(event)) continue;
    const op = nameOr(event.args?.op_name);
    nodes.push({
      // Nodes onnxruntime's optimiser makes may have no name of their own.
      node: event.name.slice(0, -KERNEL_TIME_SUFFIX.length) || op,
      op,
      provider: nameOr(event.args?.provider),
      durUs: event.dur,
    });
  }
  return nodes;
}

function nameOr(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : UNNAMED;
}

/** Nodes grouped by op and provider, longest total first, at most TOP_KERNELS. */
function topKernels(nodes: NodeTiming[]): ProfiledKernel[] {
  const groups = new Map<string, ProfiledKernel>();
  for (const node of nodes) {
    // The provider is part of the key: a Mul on CUDA and a Mul on the CPU are different kernels.
    const key = `${node.op}\u0000${node.provider}`;
    const group = groups.get(key);
    if (group === undefined) {
      groups.set(key, { name: node.op, count: 1, deviceUs: node.durUs, provider: node.provider });
    } else {
      group.count += 1;
      group.deviceUs += node.durUs;
    }
  }
  return [...groups.values()]
    .sort((a, b) => b.deviceUs - a.deviceUs || a.name.localeCompare(b.name))
    .slice(0, TOP_KERNELS);
}
