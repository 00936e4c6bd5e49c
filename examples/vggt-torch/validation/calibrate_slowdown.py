"""Maps the example's slowdown knob (an extra matmul worth a fraction of each block's FLOPs)
to the slowdown in *time* it causes on this GPU, so that validation runs inject 3%, 5% and
10% of measured time rather than of FLOPs (the two differ: attention and the extra
product run at different efficiencies).

One process, one model: the knob is changed in place between measurements, and the
candidates are measured in interleaved rounds (every round times each candidate once,
in rotated order), each with CUDA events around a synchronised forward.

    python3 examples/vggt-torch/validation/calibrate_slowdown.py [--frames 20] [--rounds 7]
        [--knobs 0.0754 0.1469] [--numerics vggt|uniform] [--rope-reads every-call|once]

Prints the median time ratio per knob value, and the knob values that give the target
time slowdowns by interpolation (use them as PERF_GATE_HEAD_SLOWDOWN). --knobs times
only the given values (0 is always added as the reference): a check of the exact knobs
a validation run used, since the product's width moves in steps of 64 and a width's
speed is not always what interpolating its neighbours says.
"""

import argparse
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import torch  # noqa: E402

from model import NUMERICS, build  # noqa: E402

KNOBS = [0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.10, 0.12, 0.15, 0.18, 0.21]  # 0.21: well past +10% on an H200
TARGETS = [0.03, 0.05, 0.10]


def time_forward(model, images, iterations):
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    for _ in range(iterations):
        start.record()
        model(images)
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--knobs", type=float, nargs="+", help="time only these knob values (and 0)")
    parser.add_argument("--numerics", choices=NUMERICS, default="vggt", help="as the worker's PERF_GATE_NUMERICS")
    parser.add_argument("--rope-reads", choices=("every-call", "once"), default="every-call", help="as the worker's PERF_GATE_ROPE_READS")
    args = parser.parse_args()
    knobs = sorted({0.0, *args.knobs}) if args.knobs else KNOBS
    dtype = torch.bfloat16 if torch.cuda.get_device_capability()[0] >= 8 else torch.float16
    model = build("cuda", dtype, numerics=args.numerics)
    model.aggregator.rope.read_once = args.rope_reads == "once"
    images = torch.rand(args.frames, 3, model.cfg.height, model.cfg.width, device="cuda", dtype=model.input_dtype)
    ratios = {k: [] for k in knobs}
    with torch.inference_mode(), model.autocast():
        # Warm-up: every knob runs twice, each with a fresh weight. The last (largest)
        # knob's weight stays, and smaller widths use a slice of it from then on, as the
        # frame blocks use a slice of the global blocks' wider weight in a gate run.
        for k in knobs:
            model.slowdown.fraction, model.slowdown.weight = k, None
            time_forward(model, images, 2)
        for r in range(args.rounds):
            order = knobs[r % len(knobs):] + knobs[: r % len(knobs)]
            times = {}
            for k in order:
                model.slowdown.fraction = k
                times[k] = time_forward(model, images, args.iterations)
            for k in knobs:
                ratios[k].append(times[k] / times[0.0])
    medians = {k: statistics.median(v) for k, v in ratios.items()}
    print(f"{torch.cuda.get_device_name(0)}, {args.frames} frames, {dtype}, {args.numerics} numerics")
    print("knob     time ratio (median of rounds)   spread")
    for k in knobs:
        print(f"{k:<8} {medians[k]:.4f}                          {min(ratios[k]):.4f}-{max(ratios[k]):.4f}")
    if args.knobs:
        return  # a check of given knobs: too few points to interpolate between
    for target in TARGETS:
        knob = interpolate(medians, 1 + target)
        print(f"+{target:.0%} of time: PERF_GATE_HEAD_SLOWDOWN={knob:.4f}" if knob is not None else f"+{target:.0%}: beyond the knobs tried")


def interpolate(medians, wanted):
    points = sorted(medians.items())
    for (k0, r0), (k1, r1) in zip(points, points[1:]):
        if r0 <= wanted <= r1 and r1 > r0:
            return k0 + (k1 - k0) * (wanted - r0) / (r1 - r0)
    return None


if __name__ == "__main__":
    main()
