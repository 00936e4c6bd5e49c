/** Calls `target(input)` `batch` times, storing each result in `sink.value`. */
export type BatchLoop = (
  target: (input: never) => unknown,
  input: unknown,
  batch: number,
  sink: { value: unknown },
) => void;

/**
 * Takes `count` samples of `batch` calls each, with nothing but the calls
 * between the two clock reads, and writes ms per call to `out[0..count)`.
 * `out` is a Float64Array so its shape never changes under the optimiser
 * (pushing into fresh plain arrays changed their elements kind and
 * deoptimised the loop mid-measurement).
 */
export type ChunkSampler = (
  target: (input: never) => unknown,
  input: unknown,
  batch: number,
  count: number,
  read: () => unknown,
  between: (start: unknown, end: unknown) => number,
  out: Float64Array,
  sink: { value: unknown },
) => void;

// Unrolled by four so the loop's own counter and branch cost a quarter as much per call.
const CALLS = [
  'let i = 0;',
  'for (; i + 4 <= batch; i += 4) {',
  '  sink.value = target(input); sink.value = target(input);',
  '  sink.value = target(input); sink.value = target(input);',
  '}',
  'for (; i < batch; i++) sink.value = target(input);',
].join('\n');

const SAMPLER = [
  'for (let k = 0; k < count; k++) {',
  '  const start = read();',
  CALLS,
  '  const end = read();',
  '  out[k] = between(start, end) / batch;',
  '}',
].join('\n');

let compiled = 0;

/**
 * Why batch loops are compiled per measured function: a call site that has
 * seen many functions (every function measured in this process, and the
 * empty floor function) turns megamorphic, and the engine stops inlining
 * through it. A 1 ns function then reports ~6 ns, overhead the harness
 * caused, not the code. A fresh loop per measured function keeps the call
 * monomorphic, as at the user's own call site. The source differs by a
 * comment so the engine's compile cache cannot hand back a shared copy.
 *
 * Only for batches (functions of a few microseconds or less). Around a
 * slower function a fresh loop does harm: when and how the engine compiles
 * it (inlining the function or not) then differs from one measure() call to
 * the next, and an A/A comparison of one 1.8 ms function, one measure() per
 * round, read -36% ("improvement"). Unbatched sampling uses the shared
 * loops, which every call runs through alike.
 *
 * Where code generation is forbidden (a strict Content-Security-Policy),
 * the shared loops are used.
 */
function compile<T>(params: string[], body: string, fallback: T): T {
  try {
    return new Function(...params, `${body}\n// measured function ${compiled++}`) as T;
  } catch {
    return fallback;
  }
}

export function compileBatchLoop(): BatchLoop {
  return compile(['target', 'input', 'batch', 'sink'], CALLS, sharedLoop);
}

export function compileSampler(): ChunkSampler {
  return compile(
    ['target', 'input', 'batch', 'count', 'read', 'between', 'out', 'sink'],
    SAMPLER,
    sharedSampler,
  );
}

const sharedLoop: BatchLoop = (target, input, batch, sink) => {
  for (let i = 0; i < batch; i++) sink.value = target(input as never);
};

/** The sampler shared by every measured function; see `compileSampler` for when each is used. */
export const sharedSampler: ChunkSampler = (
  target,
  input,
  batch,
  count,
  read,
  between,
  out,
  sink,
) => {
  for (let k = 0; k < count; k++) {
    const start = read();
    sharedLoop(target, input, batch, sink);
    const end = read();
    out[k] = between(start, end) / batch;
  }
};
