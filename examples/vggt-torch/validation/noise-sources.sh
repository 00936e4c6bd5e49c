#!/bin/bash
# Second look at the VGGT-1B example's slow states, through the shipped Action and in
# one process: A/A gates with each worker pinned to a core and with the model's host
# reads removed, probes alternating unpinned and pinned, and the slowdown knob's cost.
#
#   node scripts/stage-action-validation.mjs .gpu      # here, then on the GPU machine:
#   examples/vggt-torch/validation/noise-sources.sh <out-dir> [NODE]
#
# Stops starting new parts after LIMIT seconds (default 520), for a machine held for a
# fixed time.
set -u
out=$(realpath -m "$1") node=${2:-node}
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)
start=$(date +%s)
left() { [ $(( $(date +%s) - start )) -lt "${LIMIT:-520}" ]; }
for config in pinned rope-once; do
  for n in 1 2; do
    left || break 2
    CONFIG=examples/vggt-torch/validation/configs/$config.yml OUT_DIR="$out" \
      "$here/action-run.sh" "$config-aa$n" aa "$node"
  done
done
cd "$here/.." || exit 2
for n in 1 2; do
  left || break
  python3 noise_probe.py --frames 10 --iters 100 > "$out/probe-default$n.txt" 2>&1
  left || break
  taskset -c 2 python3 noise_probe.py --frames 10 --iters 100 > "$out/probe-pinned$n.txt" 2>&1
done
left && python3 validation/calibrate_slowdown.py --frames 20 --knobs 0.01 0.03 > "$out/calibrate.txt" 2>&1
for f in "$out"/probe-*.txt; do echo "$(basename "$f" .txt): $(tail -1 "$f" | cut -c1-400)"; done
tail -5 "$out/calibrate.txt" 2>/dev/null
echo "noise-sources: $(( $(date +%s) - start )) s"
