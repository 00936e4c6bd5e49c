/** The CLI's exit codes: 0 pass, 1 regression, 2 usage or config error, 3 measurement or I/O failure. */
export const EXIT = { pass: 0, regression: 1, usage: 2, failure: 3 } as const;
