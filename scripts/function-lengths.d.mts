/** The repository's limit on a function's length, in lines. */
export const MAX_FUNCTION_LINES: number;
/** Every function of the package's src/ with its length, longest first. */
export function functionLengths(
  packageDir: string,
): Array<{ where: string; lines: number; allowed: boolean }>;
