#!/bin/bash
# Stops a running gate with a signal and reports how long its workers outlive it:
# the "stopping a gate leaves nothing running" check of docs/validation.md.
#
#   examples/vggt-torch/validation/kill-test.sh <config> <TERM|KILL|INT> <seconds> [pattern]
#   e.g. CUDA_VISIBLE_DEVICES=0 PERF_GATE_NPROC=2 PERF_GATE_DIST_BACKEND=gloo \
#          examples/vggt-torch/validation/kill-test.sh ddp1gpu.yml KILL 25
#
# Starts `vggt-perf-gate run --base HEAD --config <config>` and waits until its workers
# are up: processes of this user whose command line matches <pattern> (default
# train_worker.py, which also matches torchrun's own command line) and, where
# nvidia-smi lists processes, until one of them holds GPU memory. Waits <seconds> more,
# records those processes, sends the signal, and prints when the last of them was gone
# and what they and the GPU held at +2, +5 and +10 s. Exits 1 if one was still alive
# 30 s after the signal (and kills it), 2 if the gate could not be tested.
# CLI: the runner's cli.js (default packages/runner/dist/cli.js); the gate's output goes
# to kill-test-<signal>.log in the working directory. Linux (procps, GNU date).
set -u
if [ $# -lt 3 ]; then
  echo "usage: kill-test.sh <config> <TERM|KILL|INT> <seconds> [pattern]" >&2
  exit 2
fi
config=$1 sig=${2#SIG} after=$3 pattern=${4:-train_worker.py}
cli=${CLI:-packages/runner/dist/cli.js}
if [ ! -f "$cli" ]; then
  echo "kill-test: $cli not found: run npm run build, or set CLI to the runner's cli.js" >&2
  exit 2
fi
have_smi=$(command -v nvidia-smi >/dev/null && echo 1 || echo 0)
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
gpu_apps() {
  if [ "$have_smi" = 1 ]; then
    nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader | tr '\n' ';'
  else
    echo "n/a (no nvidia-smi)"
  fi
}
# This user's processes matching the pattern, this script's own process tree excluded
# (its command line can hold the pattern).
matching() { pgrep -u "$(id -u)" -af -- "$pattern" | grep -v kill-test.sh | awk '{ print $1 }'; }
# Alive = exists and is not a zombie (an exited process its parent or init has not reaped yet).
alive() {
  for pid in "$@"; do
    state=$(ps -o stat= -p "$pid" 2>/dev/null)
    [ -n "$state" ] && [ "${state:0:1}" != Z ] && echo "$pid"
  done
}
on_gpu() { # any of the given PIDs listed by nvidia-smi
  local apps
  apps=$(nvidia-smi --query-compute-apps=pid --format=csv,noheader 2>/dev/null)
  for pid in "$@"; do grep -qx "$pid" <<<"$apps" && return 0; done
  return 1
}

log=kill-test-$sig.log
node "$cli" run --base HEAD --config "$config" --fail-on never >"$log" 2>&1 &
gate=$!
up=0
for _ in $(seq 1 240); do  # 2 minutes for the workers to start
  kill -0 "$gate" 2>/dev/null || { echo "kill-test: the gate exited before its workers were up; see $log" >&2; exit 2; }
  if [ -n "$(matching)" ]; then up=1; break; fi
  sleep 0.5
done
if [ "$up" = 0 ]; then
  kill -KILL "$gate"
  echo "kill-test: no process matching '$pattern' after 2 minutes; see $log" >&2
  exit 2
fi
if [ "$have_smi" = 1 ]; then  # then up to a minute for one of them to reach the GPU
  for _ in $(seq 1 120); do
    # shellcheck disable=SC2046
    on_gpu $(matching) && break
    sleep 0.5
  done
fi
sleep "$after"
mapfile -t workers < <(matching)
echo "before: ${#workers[@]} processes matching '$pattern' (${workers[*]}); GPU: [$(gpu_apps)]"
if ! kill -s "$sig" "$gate" 2>/dev/null; then
  echo "kill-test: the gate had already exited; see $log" >&2
  exit 2
fi
sent=$(now)
wait "$gate"
echo "gate exit $? after SIG$sig"
gone=""
for _ in $(seq 1 120); do  # 30 s at 0.25 s
  if [ -z "$(alive "${workers[@]}")" ]; then gone=$(since "$sent"); break; fi
  sleep 0.25
done
echo "every one of them gone after ${gone:-more than 30} s"
for t in 2 5 10; do
  wait_s=$(awk -v t="$t" -v e="$(since "$sent")" 'BEGIN { d = t - e; print (d > 0 ? d : 0) }')
  sleep "$wait_s"
  left=$(alive "${workers[@]}" | tr '\n' ' ')
  echo "+${t} s: still alive: ${left:-none}; GPU: [$(gpu_apps)]"
done
if [ -z "$gone" ]; then
  # shellcheck disable=SC2046
  kill -9 $(alive "${workers[@]}") 2>/dev/null
  exit 1
fi
