#!/bin/bash
# Runs the Action as a GitHub runner does, from the repository as `uses:` gets it
# (git archive HEAD: the committed dist/, no node_modules), on this example, against
# a local server that speaks the GitHub REST API, and keeps what it posted.
#
#   node scripts/stage-action-validation.mjs .gpu     # where the repository is
#   examples/vggt-torch/validation/action-run.sh <label> <head-change> [NODE]
#
# <head-change>, the pull request's code change (a commit on top of the base):
#   aa     none that matters (a README line): an A/A run
#   math   the worker's default attention becomes PyTorch's math kernel
#   slow5  the worker's default slowdown becomes 0.0754 (+5.00% of time on the earlier
#          VGGT-shaped model, +5.2-5.4% through the gate there; recalibrate for the
#          current model with validation/calibrate_slowdown.py before trusting a size)
#   fp32   the worker's autocast becomes fp32 (a forgotten autocast: a precision fallback)
#   slow=K the worker's default slowdown becomes K (calibrate_slowdown.py says what
#          time K costs on the GPU at hand)
# CONFIG (optional): the config the Action reads, relative to the repository root
# (default examples/vggt-torch/perf-gate.yml), e.g. one of validation/configs/.
# Writes $OUT_DIR (default ./validation-runs)/<label>.{log,comments.json,results.json,md,summary.md}.
set -u
label=$1 change=$2 node=${3:-node}
stage=${STAGE:-.gpu} out=${OUT_DIR:-validation-runs}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
shipped=$work/shipped repo=$work/repo
mkdir -p "$shipped" "$repo"
tar -xf "$stage/shipped.tar" -C "$shipped" || { echo "no $stage/shipped.tar: run node scripts/stage-action-validation.mjs $stage first" >&2; exit 3; }

# The gated repository: the example and the Python client, a base commit, a head commit.
cp -r "$shipped/examples" "$shipped/clients" "$repo/"
git -C "$repo" init -q -b main
git -C "$repo" -c user.email=v@example.com -c user.name=v add .
git -C "$repo" -c user.email=v@example.com -c user.name=v commit -qm base
case $change in
  aa) echo "A line that changes nothing." >> "$repo/examples/vggt-torch/README.md" ;;
  math) sed -i 's/^DEFAULT_ATTENTION = "default"/DEFAULT_ATTENTION = "math"/' "$repo/examples/vggt-torch/worker.py" ;;
  slow5) sed -i 's/^DEFAULT_SLOWDOWN = 0.0/DEFAULT_SLOWDOWN = 0.0754/' "$repo/examples/vggt-torch/worker.py" ;;
  fp32) sed -i 's/"autocast_dtype", ctx.dtype, str)/"autocast_dtype", "fp32", str)/' "$repo/examples/vggt-torch/worker.py" ;;
  slow=*) sed -i "s/^DEFAULT_SLOWDOWN = 0.0/DEFAULT_SLOWDOWN = ${change#slow=}/" "$repo/examples/vggt-torch/worker.py" ;;
  *) echo "unknown head change $change (aa, math, fp32, slow5, slow=K)" >&2; exit 2 ;;
esac
git -C "$repo" -c user.email=v@example.com -c user.name=v commit -qam "head: $change"
base=$(git -C "$repo" rev-parse HEAD~1) head=$(git -C "$repo" rev-parse HEAD)

# The pull_request event the runner would write, naming the two commits.
cat > "$work/event.json" <<JSON
{"action":"synchronize","number":42,"pull_request":{"number":42,"base":{"sha":"$base","repo":{"full_name":"org/app"}},"head":{"sha":"$head","repo":{"full_name":"org/app"}}}}
JSON

"$node" "$stage/fake-github.mjs" "$work/url" "$out/$label.comments.json" &
server=$!
for _ in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.1; done
if [ ! -s "$work/url" ]; then
  echo "the local GitHub server did not start (is $stage/fake-github.mjs there? node scripts/stage-action-validation.mjs)" >&2
  kill "$server" 2>/dev/null; rm -rf "$work"; exit 3
fi
: > "$work/output"; : > "$work/summary"
started=$(date +%s)
(cd "$repo" && env -i PATH="$PATH" HOME="${HOME:-/root}" CI=true GITHUB_ACTIONS=true \
  GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH="$work/event.json" \
  GITHUB_OUTPUT="$work/output" GITHUB_STEP_SUMMARY="$work/summary" \
  GITHUB_API_URL="$(cat "$work/url")" GITHUB_SERVER_URL=https://github.com \
  GITHUB_REPOSITORY=org/app GITHUB_RUN_ID=7001 GITHUB_WORKSPACE="$repo" RUNNER_TEMP="$work" \
  INPUT_CONFIG="${CONFIG:-examples/vggt-torch/perf-gate.yml}" INPUT_GITHUB-TOKEN=ghs_validationToken0123456789abcdefABCD \
  "$node" "$shipped/dist/index.js") > "$out/$label.log" 2>&1
code=$?
echo "action-run: exit $code, whole step $(( $(date +%s) - started )) s" >> "$out/$label.log"
kill -TERM "$server"; wait "$server"
cp "$repo/perf-gate-results.json" "$out/$label.results.json" 2>/dev/null
cp "$repo/perf-gate-report.md" "$out/$label.md" 2>/dev/null
cp "$work/summary" "$out/$label.summary.md"
cp "$work/output" "$out/$label.outputs.txt"
echo "$label ($change): exit $code; $(grep -c '"body"' "$out/$label.comments.json" 2>/dev/null || echo 0) comment(s)"
rm -rf "$work"
