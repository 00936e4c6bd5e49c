#!/bin/bash
# Validation runs of the shipped Action on this example, one after another, each a
# line "<label> <config> <head-change>", with an optional slowdown calibration first:
#
#   node scripts/stage-action-validation.mjs .gpu      # here, then on the GPU machine:
#   examples/vggt-torch/validation/gate-runs.sh <out-dir> <node> <runs-file>
#
# <config>: default (examples/vggt-torch/perf-gate.yml) or a name in validation/configs/.
# <head-change>: as action-run.sh's (aa, math, slow=K). A line "calibrate <args>" runs
# calibrate_slowdown.py with those arguments instead; "neighbour start <GiB>" starts a
# process that holds that much GPU memory and runs matrix products until "neighbour stop"
# (a busy GPU). Stops starting lines after LIMIT seconds (default 450), for a machine
# held for a fixed time.
set -u
out=$(realpath -m "$1") node=$2 runs=$3 neighbour=
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)
start=$(date +%s)
while read -r label config change; do
  [ -z "$label" ] || [ "${label#\#}" != "$label" ] && continue
  if [ $(( $(date +%s) - start )) -ge "${LIMIT:-450}" ]; then echo "gate-runs: time limit, $label not started"; continue; fi
  if [ "$label" = neighbour ]; then
    if [ "$config" = start ]; then
      python3 -c "
import sys, torch
hold = torch.empty(int(float(sys.argv[1]) * 2**30), dtype=torch.uint8, device='cuda')
a = torch.randn(4096, 4096, device='cuda')
while True:
    a = (a @ a).tanh()
" "${change:-30}" > "$out/neighbour.log" 2>&1 &
      neighbour=$!
      sleep 8
      echo "gate-runs: neighbour $neighbour holds ${change:-30} GiB and multiplies"
    else
      # Never "kill 0": with no neighbour that would stop this script's whole process group.
      [ -n "${neighbour:-}" ] && kill "$neighbour" 2>/dev/null
      neighbour=
      echo "gate-runs: neighbour stopped"
    fi
    continue
  fi
  if [ "$label" = calibrate ]; then
    (cd "$here/.." && python3 validation/calibrate_slowdown.py $config $change) > "$out/calibrate.txt" 2>&1
    tail -6 "$out/calibrate.txt"
    continue
  fi
  path=examples/vggt-torch/perf-gate.yml
  [ "$config" = default ] || path=examples/vggt-torch/validation/configs/$config.yml
  CONFIG=$path OUT_DIR="$out" "$here/action-run.sh" "$label" "$change" "$node"
  tail -1 "$out/$label.log"
done < "$runs"
[ -n "${neighbour:-}" ] && kill "$neighbour" 2>/dev/null
echo "gate-runs: $(( $(date +%s) - start )) s"
