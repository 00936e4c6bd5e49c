/**
 * A minimal working config, shown when the file is missing so that the fix is
 * a copy and paste. A test keeps it valid.
 */
export const STARTER_CONFIG = `version: 1
benchmarks:
  - name: model-forward
    workload:
      kind: worker
      command: python bench/perf_worker.py
`;
