#!/bin/bash
# Stops a running gate with a signal and reports how long its workers outlive it:
# the "stopping a gate leaves nothing running" check of docs/validation.md.
#
#   examples/vggt-torch/validation/kill-test.sh <config> <TERM|KILL|INT> <seconds> [pattern]
#   e.g. CUDA_VISIBLE_DEVICES=0 PERF_GATE_NPROC=2 PERF_GATE_DIST_BACKEND=gloo \
#          examples/vggt-torch/validation/kill-test.sh ddp1gpu.yml KILL 25
#
# Starts `vggt-perf-gate run --base HEAD --config <config>`, waits until the workers
# are up (processes whose command line matches <pattern>, default train_worker.py,
# which also matches torchrun's own command line; with nvidia-smi, until two
# processes hold GPU memory), waits <seconds> more, sends the signal, then prints
# when the last matching process was gone and what held the GPU at +2, +5 and +10 s.
# Exits 1 if a matching process was still alive 30 s after the signal (and kills it).
# CLI: the runner's cli.js (default packages/runner/dist/cli.js); the gate's output
# goes to kill-test-<signal>.log in the working directory.
set -u
if [ $# -lt 3 ]; then
  echo "usage: kill-test.sh <config> <TERM|KILL|INT> <seconds> [pattern]" >&2
  exit 2
fi
config=$1 sig=$2 after=$3 pattern=${4:-train_worker.py}
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
# Processes matching the pattern, this script excluded (its command line can hold the pattern).
matching() { pgrep -af -- "$pattern" | grep -vc kill-test.sh; }
workers_up() {
  if [ "$have_smi" = 1 ]; then
    [ "$(nvidia-smi --query-compute-apps=pid --format=csv,noheader | wc -l)" -ge 2 ]
  else
    [ "$(matching)" -gt 0 ]
  fi
}

log=kill-test-$sig.log
node "$cli" run --base HEAD --config "$config" --fail-on never >"$log" 2>&1 &
gate=$!
for _ in $(seq 1 240); do
  workers_up && break
  kill -0 "$gate" 2>/dev/null || { echo "kill-test: the gate exited before its workers were up; see $log" >&2; exit 2; }
  sleep 0.5
done
sleep "$after"
echo "before: processes matching '$pattern': $(matching); GPU: [$(gpu_apps)]"
sent=$(now)
kill -s "$sig" "$gate"
wait "$gate"
echo "gate exit $? after SIG$sig"
gone=""
for _ in $(seq 1 120); do
  if [ "$(matching)" = 0 ]; then gone=$(since "$sent"); break; fi
  sleep 0.25
done
echo "every matching process gone after ${gone:-more than 30} s"
for t in 2 5 10; do
  wait_s=$(awk -v t="$t" -v e="$(since "$sent")" 'BEGIN { d = t - e; print (d > 0 ? d : 0) }')
  sleep "$wait_s"
  echo "+${t} s: processes matching '$pattern': $(matching); GPU: [$(gpu_apps)]"
done
if [ -z "$gone" ]; then
  pgrep -af -- "$pattern" | grep -v kill-test.sh | awk '{ print $1 }' | xargs -r kill -9
  exit 1
fi
