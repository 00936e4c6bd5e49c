/**
 * The action's own errors: what was wrong, where, and how to fix it. The
 * runner's RunnerError and ConfigError pass through unchanged (their messages
 * already say the same for config files and workloads).
 */
export class ActionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ActionError';
  }
}
