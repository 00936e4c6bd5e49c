/** Every problem with the package's public documentation (package dir), one line each; empty when none. */
export function apiDocProblems(packageDir: string): string[];
