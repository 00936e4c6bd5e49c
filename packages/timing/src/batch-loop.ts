/** Calls `target(input)` `batch` times, storing each result in `sink.value`. */
export type BatchLoop = (
  target: (input: never) => unknown,
  input: unknown,
  batch: number,
  sink: { value: unknown },
) => void;

// Unrolled by four so the loop's own counter and branch cost a quarter as much per call.
const LOOP_BODY = [
  'let i = 0;',
  'for (; i + 4 <= batch; i += 4) {',
  '  sink.value = target(input); sink.value = target(input);',
  '  sink.value = target(input); sink.value = target(input);',
  '}',
  'for (; i < batch; i++) sink.value = target(input);',
].join('\n');

let compiled = 0;

/**
 * A batch loop with a call site of its own for one measured function.
 *
 * Why not one shared loop: a call site that has seen many functions (every
 * function ever measured in this process, and the empty floor function)
 * turns megamorphic, and the engine stops inlining through it. A 1 ns
 * function then reports ~6 ns: overhead the harness caused, not the code.
 * A fresh loop per measured function keeps the call monomorphic, as at the
 * user's own call site. The source differs by a comment so the engine's
 * compile cache cannot hand back a shared copy. Where code generation is
 * forbidden (a strict Content-Security-Policy), the shared loop is used.
 */
export function compileBatchLoop(): BatchLoop {
  try {
    return new Function(
      'target',
      'input',
      'batch',
      'sink',
      `${LOOP_BODY}\n// loop ${compiled++}`,
    ) as BatchLoop;
  } catch {
    return sharedLoop;
  }
}

function sharedLoop(
  target: (input: never) => unknown,
  input: unknown,
  batch: number,
  sink: { value: unknown },
): void {
  for (let i = 0; i < batch; i++) sink.value = target(input as never);
}
