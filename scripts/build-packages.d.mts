/** Builds packages/<name> for each name, in order (dependencies first). */
export function buildPackages(...names: string[]): void;
