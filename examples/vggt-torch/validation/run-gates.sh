#!/bin/bash
# Repeats the gate on the VGGT-shaped example, base == head commit, with an optional
# head-only change, and keeps every run's results file: the false-alarm and power
# experiments of docs/validation.md.
#
#   examples/vggt-torch/validation/run-gates.sh <label> <runs> [VAR=value ...]
#   e.g. run-gates.sh aa 10
#        run-gates.sh slow3 10 PERF_GATE_HEAD_SLOWDOWN=0.03
#
# Run from the repository root of a checkout whose HEAD contains examples/vggt-torch.
# Results go to $OUT_DIR (default ./validation-runs)/<label>-<n>.json; summarize them
# with `node examples/vggt-torch/validation/summarize.mjs <dir> [--runs]`. CLI: the runner's
# cli.js (default packages/runner/dist/cli.js); CONFIG: the config (default the example's);
# LABEL_OFFSET: number the runs from LABEL_OFFSET+1 (to add runs to a label).
set -u
label=$1 runs=$2
shift 2
out=${OUT_DIR:-validation-runs}
cli=${CLI:-packages/runner/dist/cli.js}
mkdir -p "$out"
for i in $(seq 1 "$runs"); do
  # DEADLINE (epoch seconds, optional): start no run after it, on a machine held for a fixed time.
  if [ -n "${DEADLINE:-}" ] && [ "$(date +%s)" -ge "$DEADLINE" ]; then
    echo "$label: deadline reached after $((i - 1)) runs"
    break
  fi
  started=$(date +%s)
  env "$@" node "$cli" run --base HEAD --config "${CONFIG:-examples/vggt-torch/perf-gate.yml}" \
    --results "$out/$label-$((i + ${LABEL_OFFSET:-0})).json" --fail-on never > "$out/$label-$((i + ${LABEL_OFFSET:-0})).log" 2>&1
  code=$?
  n=$((i + ${LABEL_OFFSET:-0}))
  took=$(( $(date +%s) - started ))
  # summarize.mjs reads this line for the whole command's time (Node start and base checkout included).
  echo "run-gates: whole command $took s, exit $code" >> "$out/$label-$n.log"
  echo "$label run $n: exit $code, $took s, $(grep -o 'verdict: [A-Z]*' "$out/$label-$n.log" | tail -1)"
done
