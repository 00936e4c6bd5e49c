"""What each start of worker processes cost in a gate run, from the run's log: the time
from "starting ... processes" to "measuring" (start, model build and warm-up), per start.
A start that began several process pairs together is marked "x<pairs>"; a pair taken from
those later costs only its re-warm-up.

    python3 examples/vggt-torch/validation/restart-costs.py <run>.log ...
"""

import re
import sys

PHASE = re.compile(r"\] (starting fresh processes|starting processes|measuring) \(round \d+/\d+, ([0-9.]+)s")
BATCH = re.compile(r"started (\d+) process pairs together")


def costs(lines):
    began, batch, out = None, None, []
    for line in lines:
        hit = BATCH.search(line)
        if hit:
            batch = int(hit.group(1))
        m = PHASE.search(line)
        if not m:
            continue
        if m.group(1).startswith("starting"):
            began, batch = float(m.group(2)), None
        elif began is not None:
            out.append((float(m.group(2)) - began, batch))
            began = None
    return out


def main(paths):
    for path in paths:
        with open(path) as f:
            found = costs(f.read().splitlines())
        if not found:
            print(f"{path}: no process starts in the log")
            continue
        (first, _), rest = found[0], found[1:]
        shown = " ".join(f"{c:.1f}" + (f"x{b}" if b else "") for c, b in rest)
        total = sum(c for c, _ in rest)
        mean = total / len(rest) if rest else float("nan")
        print(f"{path.split('/')[-1]}: first start {first:.1f} s; {len(rest)} restarts, {total:.1f} s in all, {mean:.1f} s each: {shown}")


if __name__ == "__main__":
    main(sys.argv[1:])
