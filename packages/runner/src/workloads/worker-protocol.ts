import { z } from 'zod';

/**
 * The worker protocol's messages and their validation. The protocol itself
 * is described in docs/worker-protocol.md; this module is its single source
 * of truth on the runner's side.
 */

/** The protocol version this runner speaks. Bump it on any incompatible change. */
export const PROTOCOL_VERSION = 1;

/** The child's file descriptor that carries runner -> worker requests. */
export const FD_REQUESTS = 3;
/** The child's file descriptor that carries worker -> runner replies. */
export const FD_REPLIES = 4;

/** Environment variables that tell the worker where the protocol is. */
export const PROTOCOL_ENV = {
  PERF_GATE_FD_IN: String(FD_REQUESTS),
  PERF_GATE_FD_OUT: String(FD_REPLIES),
  PERF_GATE_PROTOCOL: String(PROTOCOL_VERSION),
} as const;

/**
 * Longest protocol line accepted, in characters. A result of thousands of
 * samples is a few hundred kilobytes; a longer line is a worker writing
 * something else to the protocol descriptor.
 */
export const MAX_PROTOCOL_LINE_CHARS = 8 * 1024 * 1024;

const dtypeSource = z.enum(['parameters', 'autocast', 'requested']);

const hello = z.object({
  type: z.literal('hello'),
  protocol: z.literal(PROTOCOL_VERSION),
  client: z.string().nullish(),
  framework: z.string(),
  frameworkVersion: z.string().nullable(),
  device: z.string().nullable(),
  dtype: z.string().nullable(),
  dtypeSource: dtypeSource.nullish(),
  itemsPerIteration: z.number().positive().nullable(),
  extra: z.record(z.string(), z.unknown()).nullish(),
  /** Optional requests this worker answers beyond v1's core, e.g. ["profile"]. */
  features: z.array(z.string()).nullish(),
});

/** What the worker learned during setup (or a step) that refines its hello. */
const infoUpdate = {
  device: z.string().nullish(),
  dtype: z.string().nullish(),
  dtypeSource: dtypeSource.nullish(),
  itemsPerIteration: z.number().positive().nullish(),
  extra: z.record(z.string(), z.unknown()).nullish(),
};

const ready = z.object({ type: z.literal('ready'), ...infoUpdate });

const duration = z.number().nonnegative();
const bytes = z.number().int().nonnegative();

const result = z.object({
  type: z.literal('result'),
  samples: z.array(z.object({ hostMs: duration, deviceMs: duration.nullable() })),
  memory: z.array(
    z.object({
      device: z.number().int().nonnegative(),
      maxAllocatedBytes: bytes,
      maxReservedBytes: bytes,
      /** The distributed rank that reported it; two ranks may share one device. */
      rank: z.number().int().nonnegative().nullish(),
      /** The device's UUID, which ties `device` to a driver index whatever CUDA_VISIBLE_DEVICES says. */
      uuid: z.string().nullish(),
    }),
  ),
  info: z.object(infoUpdate).nullish(),
});

const error = z.object({
  type: z.literal('error'),
  message: z.string(),
  traceback: z.string().nullish(),
  phase: z.string().nullish(),
  /** The error was the GPU running out of memory: what the failing allocation asked for, and the peaks so far. */
  outOfMemory: z
    .object({
      triedBytes: z.number().nonnegative().nullish(),
      maxAllocatedBytes: z.number().nonnegative().nullish(),
      maxReservedBytes: z.number().nonnegative().nullish(),
    })
    .nullish(),
  /** What the worker knew of how the step ran when it failed (e.g. the autocast dtype seen in the forward that ran out of memory). */
  info: z.object(infoUpdate).nullish(),
});

const bye = z.object({ type: z.literal('bye') });

const counts = z.record(z.string(), z.number().nonnegative());
const profile = z.object({
  type: z.literal('profile'),
  source: z.string(),
  available: z.boolean(),
  reason: z.string().nullish(),
  kernels: z.array(
    z.object({ name: z.string(), count: z.number().int().nonnegative(), deviceUs: duration }),
  ),
  totalDeviceUs: duration.nullable(),
  ops: counts,
  matmulDtypes: counts,
  allowTf32: z.boolean().nullable(),
  parameterDtype: z.string().nullable(),
  autocastDtype: z.string().nullable(),
  flops: z.number().nonnegative().nullable(),
  /** Parts of the profile that failed, with their errors (the others' facts are kept). */
  failedParts: z.record(z.string(), z.string()).nullish(),
  /** Times one iteration made the host wait for a GPU value (.item(), int(), bool() of a GPU tensor...). */
  hostReads: z.number().int().nonnegative().nullish(),
});

const SCHEMAS = { hello, ready, result, error, bye, profile } as const;

export type HelloMessage = z.infer<typeof hello>;
export type ReadyMessage = z.infer<typeof ready>;
export type ResultMessage = z.infer<typeof result>;
export type ErrorMessage = z.infer<typeof error>;
export type ByeMessage = z.infer<typeof bye>;
export type ProfileMessage = z.infer<typeof profile>;
export type WorkerMessage =
  | HelloMessage
  | ReadyMessage
  | ResultMessage
  | ErrorMessage
  | ByeMessage
  | ProfileMessage;
export type WorkerMessageType = WorkerMessage['type'];
export type InfoUpdate = Omit<ReadyMessage, 'type'>;

/** Requests the runner sends. */
export type RunnerMessage =
  | {
      type: 'setup';
      protocol: number;
      side: string;
      dtype: string;
      options: Record<string, unknown>;
    }
  | { type: 'run'; iterations: number; warmup: boolean }
  | { type: 'profile' }
  | { type: 'shutdown' };

/** The outcome of reading one line from the worker's protocol descriptor. */
export type ParsedLine =
  | { kind: 'message'; message: WorkerMessage }
  /** A hello of another protocol version: checked before its shape, which may differ. */
  | { kind: 'version'; version: unknown }
  | { kind: 'invalid'; problem: string };

/** Characters of an offending line quoted in an error: enough to recognise it. */
const QUOTE_CHARS = 200;

/**
 * Quotes (the start of) a line for an error message, between backticks so a
 * JSON line reads as itself; control characters are escaped so they show.
 */
export function quoteLine(line: string): string {
  const cut = line.length > QUOTE_CHARS ? `${line.slice(0, QUOTE_CHARS)}...` : line;
  return `\`${JSON.stringify(cut).slice(1, -1).replaceAll('\\"', '"')}\``;
}

/** Zod's issues as "samples[0].hostMs: expected number, received string". */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path
        .map((key, index) =>
          typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`,
        )
        .join('');
      const message = issue.message.replace(/^Invalid input: /, '');
      return path ? `${path}: ${message}` : message;
    })
    .join('; ');
}

/** Parses and validates one protocol line. Never throws. */
export function parseWorkerLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'invalid', problem: `a line that is not JSON: ${quoteLine(line)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', problem: `JSON that is not an object: ${quoteLine(line)}` };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(SCHEMAS, type)) {
    const known = Object.keys(SCHEMAS).join(', ');
    return {
      kind: 'invalid',
      problem: `a message whose "type" is not one of ${known}: ${quoteLine(line)}`,
    };
  }
  if (type === 'hello') {
    const version = (value as { protocol?: unknown }).protocol;
    if (version !== PROTOCOL_VERSION) return { kind: 'version', version };
  }
  const parsed = SCHEMAS[type as WorkerMessageType].safeParse(value);
  if (!parsed.success) {
    const why = describeIssues(parsed.error.issues);
    return {
      kind: 'invalid',
      problem: `a malformed "${type}" message (${why}): ${quoteLine(line)}`,
    };
  }
  return { kind: 'message', message: parsed.data };
}

/** Serialises a request as one protocol line. */
export function encodeRequest(message: RunnerMessage): string {
  return `${JSON.stringify(message)}\n`;
}
