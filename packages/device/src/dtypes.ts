/**
 * The gate's names for precisions and onnxruntime execution providers: one
 * home for each term, so the config's enums, the probe and the reports
 * cannot drift apart.
 */

/** The dtypes a model computes in. */
export const COMPUTE_DTYPES = ['fp32', 'fp16', 'bf16'] as const;
/** One of COMPUTE_DTYPES: `'fp32'`, `'fp16'` or `'bf16'`. */
export type ComputeDtype = (typeof COMPUTE_DTYPES)[number];

/** What a config may ask for: a compute dtype, or `auto` (bf16 on compute capability >= 8, else fp16). */
export const REQUESTED_DTYPES = ['auto', ...COMPUTE_DTYPES] as const;
/** One of REQUESTED_DTYPES: a compute dtype or `'auto'`. */
export type RequestedDtype = (typeof REQUESTED_DTYPES)[number];

/**
 * Whether a name is one of the compute dtypes.
 *
 * @example
 * isComputeDtype('bf16'); // true
 * isComputeDtype('auto'); // false: resolve it first (resolveDtype)
 */
export function isComputeDtype(value: unknown): value is ComputeDtype {
  return typeof value === 'string' && (COMPUTE_DTYPES as readonly string[]).includes(value);
}

/** onnxruntime execution providers the gate can run and probe. */
export const EXECUTION_PROVIDERS = ['cpu', 'cuda', 'tensorrt'] as const;
/** One of EXECUTION_PROVIDERS: `'cpu'`, `'cuda'` or `'tensorrt'`. */
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];
