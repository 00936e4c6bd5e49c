import { EXECUTION_PROVIDERS, REQUESTED_DTYPES } from '@vggt-perf-gate/device';
/**
 * The shape of `perf-gate.yml` as a person writes it, as zod schemas. Every
 * optional key is optional here (no zod defaults), so resolution can tell "not
 * set" from "set to the default" and layer benchmark over `defaults:` over the
 * built-ins (see resolve.ts). The JSON Schema is generated from these, so the
 * descriptions and `default` annotations below are the editor's tooltips.
 */
import * as z from 'zod';
import {
  DEFAULT_CWD,
  DEFAULT_DEVICE,
  DEFAULT_DTYPE,
  DEFAULT_EXPECTED_ACTIVATIONS_GIB,
  DEFAULT_EXPECTED_MEMORY_FACTOR,
  DEFAULT_GPU_BUSY,
  DEFAULT_ITERATIONS_PER_ROUND,
  DEFAULT_LATENCY_THRESHOLD,
  DEFAULT_MAX_ROUNDS,
  DEFAULT_MAX_SECONDS,
  DEFAULT_MEMORY_THRESHOLD,
  DEFAULT_METRICS,
  DEFAULT_ONNX_PROVIDER,
  DEFAULT_PROCESS_PAIRS_AT_ONCE,
  DEFAULT_SAMPLES_TIMEOUT_SECONDS,
  DEFAULT_SETUP_TIMEOUT_SECONDS,
  DEFAULT_WARMUP_ITERATIONS,
  DEFAULT_WORKER_RESTART_EVERY_ROUNDS,
  DEFAULT_WORKER_STARTUP_TIMEOUT_SECONDS,
} from './defaults.js';

/** The only config version this runner reads. */
export const CONFIG_VERSION = 1;

/** Benchmark names end up in file names, report anchors and matrix shard keys. */
export const BENCHMARK_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
/** Long enough for "vggt-forward-20f-bf16-flash", short enough for a table column. */
const MAX_NAME_LENGTH = 64;
/** A day: a larger time limit (s) is almost certainly milliseconds written as seconds. */
export const MAX_SECONDS = 86_400;
/** Caps on counts, far above any sensible value, that catch a slipped digit. */
export const MAX_ROUNDS = 10_000;
const MAX_ITERATIONS = 10_000;

export const METRICS = ['latency', 'memory', 'throughput'] as const;
/** The dtypes a config may ask for: the device package's names (one home for the term). */
export const DTYPES = REQUESTED_DTYPES;
export const GPU_BUSY_POLICIES = ['warn', 'fail'] as const;
/** onnxruntime execution providers, as the device package names them. */
export const ONNX_PROVIDERS = EXECUTION_PROVIDERS;
export const WORKLOAD_KINDS = ['onnx', 'worker', 'samples'] as const;

/** A regression threshold: a fraction of the base value, so 0.02 means 2%. */
function fraction(description: string, fallback: number) {
  return z.number().gt(0).lte(1).meta({ description, default: fallback }).optional();
}

const nonEmpty = () => z.string().min(1);

const ThresholdSchema = z
  .strictObject({
    latency: fraction(
      'Largest tolerated latency increase, as a fraction of base (0.02 = 2%).',
      DEFAULT_LATENCY_THRESHOLD,
    ),
    memory: fraction(
      'Largest tolerated peak-VRAM increase, as a fraction of base (0.05 = 5%).',
      DEFAULT_MEMORY_THRESHOLD,
    ),
    throughput: z
      .number()
      .gt(0)
      .lte(1)
      .meta({
        description:
          'Largest tolerated throughput decrease, as a fraction of base (0.02 = 2%). Default: the latency threshold (throughput is the latency samples inverted).',
      })
      .optional(),
  })
  .meta({
    description:
      'Regression thresholds per metric, as fractions. A change is a regression only when its whole confidence interval lies beyond the threshold.',
  });

const BudgetSchema = z
  .strictObject({
    maxSeconds: z
      .number()
      .gt(0)
      .lte(MAX_SECONDS)
      .meta({
        description:
          'Wall-clock limit (s) for measuring one benchmark, warm-up included. Sampling stops earlier once every verdict is decided.',
        default: DEFAULT_MAX_SECONDS,
      })
      .optional(),
    maxRounds: z
      .int()
      .min(1)
      .max(MAX_ROUNDS)
      .meta({
        description: 'Most interleaved rounds (one turn of base and one of head each).',
        default: DEFAULT_MAX_ROUNDS,
      })
      .optional(),
    iterationsPerRound: z
      .int()
      .min(1)
      .max(MAX_ITERATIONS)
      .meta({
        description: 'Timed iterations per side per round.',
        default: DEFAULT_ITERATIONS_PER_ROUND,
      })
      .optional(),
  })
  .meta({ description: 'Time budget per benchmark.' });

const WarmupSchema = z
  .strictObject({
    iterations: z
      .int()
      .min(0)
      .max(MAX_ITERATIONS)
      .meta({
        description:
          'Untimed iterations per side before sampling (and after each worker start). Use 0 only for a workload that warms itself up.',
        default: DEFAULT_WARMUP_ITERATIONS,
      })
      .optional(),
  })
  .meta({ description: 'Warm-up before timing.' });

const DtypeSchema = z.enum(DTYPES).meta({
  description:
    'Precision to run in. auto picks bf16 on compute capability 8.0 or newer, fp16 below. The dtype that actually ran is reported.',
  default: DEFAULT_DTYPE,
});

const DeviceSchema = z.int().min(0).meta({
  description: 'GPU index, as nvidia-smi numbers them.',
  default: DEFAULT_DEVICE,
});

const GpuBusySchema = z.enum(GPU_BUSY_POLICIES).meta({
  description:
    'What to do when another process is using the GPU: warn (measure anyway, flag the results) or fail.',
  default: DEFAULT_GPU_BUSY,
});

const MetricsSchema = z
  .array(z.enum(METRICS))
  .min(1)
  .meta({
    description: 'Metrics to measure and gate on.',
    default: [...DEFAULT_METRICS],
    examples: [['latency', 'memory']],
  });

const EnvSchema = z.record(z.string(), z.string()).meta({
  description:
    'Extra environment variables for the command. Values are strings: quote numbers ("1").',
  examples: [{ CUDA_MODULE_LOADING: 'LAZY' }],
});

/** Blank is not empty to a length check, but runs nothing: caught here, with the file's position. */
const isBlank = (text: string) => text !== '' && text.trim() === '';
const BLANK_COMMAND =
  'is blank; give the command line to run, e.g. command: python bench/worker.py';
const BLANK_PROGRAM =
  'is blank; the first item of the list is the program to run, e.g. command: [python3, bench/worker.py]';

const CommandSchema = z
  .union([
    nonEmpty()
      .refine((line) => !isBlank(line), { message: BLANK_COMMAND })
      .meta({ description: 'A shell command line.' }),
    z
      .array(nonEmpty())
      .min(1)
      .refine(([program]) => program === undefined || !isBlank(program), {
        message: BLANK_PROGRAM,
        path: [0],
      })
      .meta({ description: 'An argument vector, run without a shell.' }),
  ])
  .meta({
    description:
      'The command to run: a shell command line, or an argument list run without a shell.',
    examples: ['python bench/worker.py --frames 20'],
  });

const CwdSchema = nonEmpty().meta({
  description: "Working directory, relative to the side's checkout.",
  default: DEFAULT_CWD,
});

const RestartSchema = z
  .int()
  .min(0)
  .max(MAX_ROUNDS)
  .meta({
    description:
      'Start fresh base and head processes (onnx: sessions) every this many rounds (0: never). The interval counts process pairs, not rounds, as independent, so an offset between two processes of the same code widens it instead of passing for a change; a verdict waits for two pairs.',
    default: DEFAULT_WORKER_RESTART_EVERY_ROUNDS,
  })
  .optional();

const PairsAtOnceSchema = z
  .int()
  .min(1)
  .max(16)
  .meta({
    description:
      'Most base/head process pairs (onnx: session pairs) a restart starts together, GPU memory allowing; the extra pairs wait, warmed up, for their turn, so a restart costs one warm-up iteration per side instead of a model load. 1 starts one pair at a time.',
    default: DEFAULT_PROCESS_PAIRS_AT_ONCE,
  })
  .optional();

const OnnxWorkloadSchema = z
  .strictObject({
    kind: z.literal('onnx'),
    model: nonEmpty().meta({
      description: "Path of the .onnx file, relative to the side's checkout.",
      examples: ['models/vggt.onnx'],
    }),
    provider: z
      .enum(ONNX_PROVIDERS)
      .meta({
        description:
          'onnxruntime execution provider. A missing GPU provider is an error, never a quiet CPU run.',
        default: DEFAULT_ONNX_PROVIDER,
      })
      .optional(),
    inputs: z
      .record(z.string(), z.int().min(1))
      .meta({
        description: 'Sizes for symbolic input dimensions, by dimension name.',
        examples: [{ batch: 1, frames: 20 }],
      })
      .optional(),
    restartEveryRounds: RestartSchema,
    processPairsAtOnce: PairsAtOnceSchema,
  })
  .meta({ description: 'An ONNX model run in-process by onnxruntime-node.' });

const WorkerWorkloadSchema = z
  .strictObject({
    kind: z.literal('worker'),
    command: CommandSchema,
    cwd: CwdSchema.optional(),
    env: EnvSchema.optional(),
    startupTimeoutSeconds: z
      .number()
      .gt(0)
      .lte(MAX_SECONDS)
      .meta({
        description: 'How long the worker may take to load the model and report ready (s).',
        default: DEFAULT_WORKER_STARTUP_TIMEOUT_SECONDS,
      })
      .optional(),
    iterationTimeoutSeconds: z
      .number()
      .gt(0)
      .lte(MAX_SECONDS)
      .meta({
        description:
          'A fixed limit per iteration (s): a request of n iterations may take n times this. Unset, the limit adapts: 10 x the slowest iteration seen per iteration asked for, at least 60 s (the first request at least startupTimeoutSeconds).',
        examples: [30],
      })
      .optional(),
    itemsPerIteration: z
      .number()
      .gt(0)
      .meta({
        description:
          'Items (e.g. frames) per iteration, for throughput; overrides what the worker reports.',
        examples: [20],
      })
      .optional(),
    restartEveryRounds: RestartSchema,
    processPairsAtOnce: PairsAtOnceSchema,
    options: z
      .record(z.string(), z.unknown())
      .meta({
        description:
          "Passed to the worker's setup as `ctx.options` (e.g. frames, resolution), the same on both sides.",
        examples: [{ frames: 20 }],
      })
      .optional(),
  })
  .meta({
    description: 'A program (e.g. a PyTorch script) that speaks the perf-gate worker protocol.',
  });

const SamplesWorkloadSchema = z
  .strictObject({
    kind: z.literal('samples'),
    command: CommandSchema,
    output: nonEmpty().meta({
      description:
        "Path of the samples JSON file the command writes, relative to the command's working directory.",
      examples: ['perf-samples.json'],
    }),
    cwd: CwdSchema.optional(),
    env: EnvSchema.optional(),
    select: nonEmpty()
      .meta({
        description:
          "Which benchmark of an output that holds several: a pytest-benchmark test's name or fullname, or a torch.utils.benchmark Measurement's label or description. Not needed for the gate's own samples file, or an output with one benchmark.",
        examples: ['test_vggt_forward[20-frames]'],
      })
      .optional(),
    timeoutSeconds: z
      .number()
      .gt(0)
      .lte(MAX_SECONDS)
      .meta({
        description:
          'How long one run of the command (one round) may take (s), its own warm-up included; past it its whole process tree is stopped.',
        default: DEFAULT_SAMPLES_TIMEOUT_SECONDS,
      })
      .optional(),
  })
  .meta({ description: 'A program with its own harness that writes a samples file.' });

const WorkloadSchema = z
  .discriminatedUnion('kind', [OnnxWorkloadSchema, WorkerWorkloadSchema, SamplesWorkloadSchema])
  .meta({ description: 'What to run; `kind` selects onnx, worker or samples.' });

const ExpectedMemorySchema = z
  .strictObject({
    parameters: z
      .number()
      .gt(0)
      .meta({ description: 'Parameter count of the model.', examples: [1.2e9] }),
    activationsGiB: z
      .number()
      .min(0)
      .meta({
        description: 'Expected activation and workspace memory at peak (GiB).',
        default: DEFAULT_EXPECTED_ACTIVATIONS_GIB,
      })
      .optional(),
    factor: z
      .number()
      .min(1)
      .meta({
        description:
          'Flag a measured peak above factor x (parameters x bytes per parameter of the dtype that ran + activations).',
        default: DEFAULT_EXPECTED_MEMORY_FACTOR,
      })
      .optional(),
  })
  .meta({
    description:
      'What peak VRAM should be; a peak far above it points at a precision or attention-kernel fallback.',
  });

const SetupSchema = z
  .union([
    nonEmpty().meta({ description: 'One shell command, run on both sides.' }),
    z.strictObject({
      base: nonEmpty().meta({ description: 'Shell command for the base side.' }).optional(),
      head: nonEmpty().meta({ description: 'Shell command for the head side.' }).optional(),
    }),
  ])
  .meta({
    description: "Shell command(s) run in each side's checkout before measuring.",
    examples: ['pip install -e .'],
  });

/** Keys that may appear both under `defaults:` and in a benchmark (the benchmark wins). */
const overridable = {
  metrics: MetricsSchema.optional(),
  threshold: ThresholdSchema.optional(),
  budget: BudgetSchema.optional(),
  warmup: WarmupSchema.optional(),
  dtype: DtypeSchema.optional(),
  device: DeviceSchema.optional(),
  gpuBusy: GpuBusySchema.optional(),
  setupTimeoutSeconds: z
    .number()
    .gt(0)
    .lte(MAX_SECONDS)
    .meta({
      description:
        "How long each side's setup command may run (s). Past it the command's whole process tree is stopped and the benchmark fails.",
      default: DEFAULT_SETUP_TIMEOUT_SECONDS,
    })
    .optional(),
};

const BenchmarkSchema = z.strictObject({
  name: z
    .string()
    .max(MAX_NAME_LENGTH)
    .regex(BENCHMARK_NAME_PATTERN)
    .meta({
      description:
        'Unique name: lowercase letters, digits, ".", "_" and "-", starting with a letter or digit.',
      examples: ['vggt-forward-20f'],
    }),
  workload: WorkloadSchema,
  ...overridable,
  expectedMemory: ExpectedMemorySchema.optional(),
  setup: SetupSchema.optional(),
});

const DefaultsSchema = z.strictObject(overridable).meta({
  description: 'Values applied to every benchmark; values a benchmark sets itself win.',
});

/** The whole file, as written. */
export const ConfigFileSchema = z
  .strictObject({
    version: z
      .literal(CONFIG_VERSION)
      .meta({ description: 'Config format version; must be 1.', examples: [CONFIG_VERSION] }),
    defaults: DefaultsSchema.optional(),
    benchmarks: z
      .array(BenchmarkSchema)
      .min(1)
      .meta({ description: 'The benchmarks to gate on; names must be unique.' }),
  })
  .meta({
    title: 'perf-gate.yml',
    description:
      'Configuration of vggt-perf-gate: which benchmarks to run on base and head, and what counts as a regression.',
  });

/** The file as written, after validation and before defaults are applied. */
export type ConfigFile = z.output<typeof ConfigFileSchema>;
