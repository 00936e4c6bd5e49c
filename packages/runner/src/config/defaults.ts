/**
 * Built-in defaults, applied beneath the file's `defaults:` section and each
 * benchmark's own values. They are sized for a VGGT-class model (about
 * 0.2-0.8 s per iteration) on a 24 GiB card such as an RTX 4090.
 */

/**
 * Latency regression threshold: 2%. Interleaved rounds resolve the head/base
 * ratio to about +/-0.2% in under a minute on a quiet GPU, so 2% is well
 * above the noise floor while still catching a real slowdown.
 */
export const DEFAULT_LATENCY_THRESHOLD = 0.02;
/**
 * Peak-memory threshold: 5%. Allocator caching rounds peaks up to whole
 * blocks, so small differences in reserved memory are not real regressions.
 */
export const DEFAULT_MEMORY_THRESHOLD = 0.05;

/**
 * Per-benchmark time budget (s). At 0.8 s per iteration, 40 rounds of 5
 * iterations on each side take about 320 s; sampling normally stops far
 * earlier, once every metric's verdict is decided.
 */
export const DEFAULT_MAX_SECONDS = 300;
/**
 * Upper bound on interleaved base/head rounds per benchmark: high enough
 * that the time budget decides. A fast workload then gets the time it is
 * allowed (a round limit of 40 stopped a fast worker undecided after 9 s of
 * a 300 s budget); a team that wants fewer rounds sets maxRounds.
 */
export const DEFAULT_MAX_ROUNDS = 1000;
/**
 * Iterations per side per round: five 0.2-0.8 s iterations keep each turn
 * short (1-4 s), so clock and thermal drift hit base and head alike.
 */
export const DEFAULT_ITERATIONS_PER_ROUND = 5;

/** Warm-up iterations per side: enough for cuDNN autotuning, allocator pools and clocks to settle. */
export const DEFAULT_WARMUP_ITERATIONS = 3;

/** `auto` picks bf16 on compute capability 8.0+ and fp16 below, as the field learned the hard way. */
export const DEFAULT_DTYPE = 'auto';
/** The first GPU, as nvidia-smi numbers them. */
export const DEFAULT_DEVICE = 0;
/**
 * Another process on the GPU when a benchmark starts fails it: the gate is
 * meant for a runner whose GPU is its own (a self-hosted CI machine), where
 * anything else on the GPU is a problem to fix (a stuck earlier job, a
 * notebook left open), and a neighbour running matrix products hid a 5 ms
 * slowdown of a 517 ms step in a validation run. `warn` measures anyway, on
 * a shared development machine; the run's verdict is then never a clean pass.
 */
export const DEFAULT_GPU_BUSY = 'fail';

/** Latency and peak VRAM: the two questions the gate exists to answer. */
export const DEFAULT_METRICS = ['latency', 'memory'] as const;

/** ONNX models run on CUDA unless told otherwise; a GPU gate on CPU would measure the wrong thing. */
export const DEFAULT_ONNX_PROVIDER = 'cuda';

/**
 * How long a worker may take to say it is ready (s). Loading a 1B-parameter
 * checkpoint, initialising CUDA and compiling kernels can take minutes.
 */
export const DEFAULT_WORKER_STARTUP_TIMEOUT_SECONDS = 300;
/**
 * Worker processes (onnx: sessions) are restarted, both sides together,
 * every this many rounds. Two processes of the same code differed by up to
 * 0.65% on an H100 (allocator state, memory layout, clocks at start), and on
 * VGGT-1B a process keeps a slow or a fast state for seconds: the interval
 * counts process pairs, not rounds, as independent. Every 2 rounds (one ABBA
 * pair per process pair) gives the most pairs per second when a restart
 * costs about as much as two rounds: in bench/simulate-gate.mjs a +3% change
 * on the earlier example's noise was called within 60 s in 99.1% of runs,
 * against 40.4% with restarts every 4 rounds (2% threshold, 1000 runs each).
 */
export const DEFAULT_WORKER_RESTART_EVERY_ROUNDS = 2;
/**
 * Most process pairs a restart starts together, GPU memory allowing: the
 * extra pairs wait, warmed up, for their turn, so most restarts cost one
 * warm-up iteration per side instead of a model load (about 7 s each for
 * VGGT-1B on an H200). One by default: idle pairs beside the measuring one
 * are not yet measured on a GPU through the gate, and a default is what most
 * users run. On a 24 GiB card with a model that fills half of it only one
 * pair fits anyway.
 */
export const DEFAULT_PROCESS_PAIRS_AT_ONCE = 1;
/** How long a samples command may run in all (s): it does its own warm-up and sampling. */
export const DEFAULT_SAMPLES_TIMEOUT_SECONDS = 1800;
/**
 * How long one side's setup command may run (s). A `pip install -e .` that
 * builds CUDA extensions takes minutes; half an hour is far beyond that,
 * yet still ends a setup that waits for input or a lock before the CI job's
 * own limit (often 6 h) hides the cause.
 */
export const DEFAULT_SETUP_TIMEOUT_SECONDS = 1800;

/** Commands run in the side's checkout unless `cwd` says otherwise. */
export const DEFAULT_CWD = '.';

/** Expected activations (GiB) when only the parameter count is given. */
export const DEFAULT_EXPECTED_ACTIVATIONS_GIB = 0;
/**
 * Measured peak may exceed the expectation by this factor before it is
 * flagged: CUDA context, allocator slack and workspace buffers add about a
 * third, while a precision or attention-kernel fallback multiplies it.
 */
export const DEFAULT_EXPECTED_MEMORY_FACTOR = 1.5;
