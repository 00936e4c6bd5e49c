/** Marks every bin of the package at `packageDir` executable; returns the files marked. */
export function markBinsExecutable(packageDir: string): string[];
