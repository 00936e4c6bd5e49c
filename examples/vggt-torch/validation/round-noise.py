"""Per-round noise of gate runs, from their results files: for each round, the log of
head's turn level over base's (a turn's mean log time without its fastest and slowest
iteration, as the gate pairs them), then the standard deviation of those across rounds.

    python3 examples/vggt-torch/validation/round-noise.py <run>.results.json ...

One line per file: rounds, per-round sd, mean, the latency verdict, the seconds to the
verdict and the seconds after it (the untimed profile and the workers' shutdown).
"""

import json
import math
import statistics
import sys


def turn_levels(values, rounds):
    by_round = {}
    for value, r in zip(values, rounds):
        by_round.setdefault(r, []).append(math.log(value))
    levels = {}
    for r, logs in by_round.items():
        logs.sort()
        core = logs[1:-1] if len(logs) > 2 else logs
        levels[r] = sum(core) / len(core)
    return levels


def main(paths):
    for path in paths:
        with open(path) as f:
            b = json.load(f)["benchmarks"][0]
        s = (b.get("samples") or {}).get("latency")
        if not s or not s.get("base"):
            print(f"{path}: no latency samples")
            continue
        base, head = turn_levels(s["base"], s["baseRounds"]), turn_levels(s["head"], s["headRounds"])
        d = [head[r] - base[r] for r in sorted(base) if r in head]
        if not d:
            print(f"{path}: no round with both sides")
            continue
        latency = next(m for m in b["metrics"] if m["metric"] == "latency")
        sd = statistics.stdev(d) * 100 if len(d) > 1 else float("nan")
        after = b["seconds"] - b["verdictSeconds"] if b.get("verdictSeconds") is not None else float("nan")
        print(f"{path.split('/')[-1]}: {len(d)} rounds, per-round sd {sd:.2f}%, mean {statistics.mean(d) * 100:+.2f}%, "
              f"{latency['verdict']}, verdict after {b.get('verdictSeconds', float('nan')):.1f} s, {after:.1f} s after it")


if __name__ == "__main__":
    main(sys.argv[1:])
