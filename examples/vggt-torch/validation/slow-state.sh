#!/bin/bash
# Where does the 10-frame model's slow state come from? Runs noise_probe.py once per
# suspect, one process at a time on an otherwise idle GPU, and prints one summary
# line each (median, p10, p90, share of slow iterations):
#
#   examples/vggt-torch/validation/slow-state.sh [out-dir]
#
# Suspects: the 96 host reads per forward (--no-host-sync), Python's collector
# (--gc off), how the host thread waits (--sched), the CPU the thread runs on
# (taskset to one core of the GPU's NUMA node), another CUDA process holding a
# context, and idle gaps the length of the other side's turn.
set -u
out=$(realpath -m "${1:-slow-state}")
mkdir -p "$out"
cd "$(dirname "$0")/.." || exit 2
frames=${FRAMES:-10} iters=${ITERS:-150}
{
  nproc; taskset -pc $$; lscpu | grep -E 'Model name|NUMA|Socket|Thread|MHz'
  cat /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor 2>/dev/null || echo "no cpufreq governor"
  nvidia-smi topo -m
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,power.limit --format=csv
} > "$out/machine.txt" 2>&1
# The first core the GPU is local to, from nvidia-smi's CPU affinity column.
local_core=$(nvidia-smi topo -m 2>/dev/null | awk '/^GPU0/ {for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$/) {split($i, a, /[-,]/); print a[1]; exit}}')
local_core=${local_core:-0}
probe() { # label, then noise_probe.py arguments (a leading "taskset -c N" is allowed)
  local label=$1
  shift
  local started=$(date +%s)
  "$@" > "$out/$label.txt" 2>&1
  echo "$label: $(( $(date +%s) - started )) s, $(tail -1 "$out/$label.txt")" >> "$out/summary.txt"
}
run=(python3 noise_probe.py --frames "$frames" --iters "$iters")
probe default "${run[@]}"
probe no-host-sync "${run[@]}" --no-host-sync
probe gc-off "${run[@]}" --gc off
probe sched-spin "${run[@]}" --sched spin
probe sched-blocking "${run[@]}" --sched blocking
probe pinned-core$local_core taskset -c "$local_core" "${run[@]}"
probe turn-gaps "${run[@]}" --idle-ms 900 --gap-every 5
python3 -c "import torch, time; x = torch.ones(1, device='cuda'); time.sleep(3600)" &
idle=$!
sleep 5
probe idle-neighbour "${run[@]}"
kill $idle
probe default-again "${run[@]}"
FR20=(python3 noise_probe.py --frames 20 --iters 60)
probe f20-default "${FR20[@]}"
probe f20-no-host-sync "${FR20[@]}" --no-host-sync
python3 - "$out/summary.txt" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    label, _, rest = line.partition(": ")
    secs, _, js = rest.partition(" s, ")
    try:
        r = json.loads(js)
    except ValueError:
        print(f"{label:22s} failed: {js.strip()[:200]}")
        continue
    d = r["device_ms"]
    print(f"{label:22s} {secs:>4s} s  median {d['median']:7.2f}  min {d['min']:7.2f}  max {d['max']:7.2f}  slow {100 * r['slow_fraction']:5.1f}%")
PY
