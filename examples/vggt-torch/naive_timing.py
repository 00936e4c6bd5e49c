"""The naive timing a user would write, next to a proper measurement of the same model.

Story 1 of DESIGN.md: VGGT-1B on 20 frames was reported at 3.84 s on an RTX 4090;
timed properly it was 0.765 s. This script reproduces the two numbers on model.py:

  naive     host clock around the *first* call, input preparation (host images ->
            GPU, to float) included, no synchronisation
  warm      host clock around later calls, no synchronisation (the launch queue
            often back-pressures the host for a model this size, so this can be
            close to the truth; for small models it under-reports)
  proper    warm-up excluded, inputs prepared beforehand, CUDA events with a
            synchronisation inside the timed region (what perf_gate does)

    python3 naive_timing.py [--frames 20] [--iterations 20] [--attention default|math] [--numerics vggt|uniform]
"""

import argparse
import statistics
import time

import torch

from model import ATTENTION_MODES, NUMERICS, build


def prepare(frames, cfg, device, dtype):
    """What a user's pipeline does per call: 8-bit host images -> GPU -> float in [0, 1]
    (fp32 in the published numerics: autocast does the rest)."""
    pixels = torch.randint(0, 256, (frames, 3, cfg.height, cfg.width), dtype=torch.uint8)
    return pixels.to(device).to(dtype) / 255


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=20)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--attention", choices=ATTENTION_MODES, default="default")
    parser.add_argument("--numerics", choices=NUMERICS, default="vggt")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("naive_timing.py needs a CUDA GPU")
    device = "cuda"
    dtype = torch.bfloat16 if torch.cuda.get_device_capability()[0] >= 8 else torch.float16
    model = build(device, dtype, attention=args.attention, numerics=args.numerics)
    inputs = model.input_dtype
    torch.cuda.synchronize()  # model construction is not what either measurement times

    with torch.inference_mode(), model.autocast():
        # 1. Naive: the first call, host clock, input preparation inside, no sync.
        started = time.perf_counter()
        model(prepare(args.frames, model.cfg, device, inputs))
        naive_ms = (time.perf_counter() - started) * 1e3
        torch.cuda.synchronize()

        images = prepare(args.frames, model.cfg, device, inputs)
        for _ in range(args.warmup):
            model(images)
        torch.cuda.synchronize()

        # 2. Warm, host clock, no sync: what a loop of "time.time() around model(x)" gives.
        unsynced = []
        for _ in range(args.iterations):
            started = time.perf_counter()
            model(images)
            unsynced.append((time.perf_counter() - started) * 1e3)
        torch.cuda.synchronize()

        # 3. Proper: warm, inputs ready, CUDA events, synchronised inside the timed region.
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        synced = []
        for _ in range(args.iterations):
            start.record()
            model(images)
            end.record()
            torch.cuda.synchronize()
            synced.append(start.elapsed_time(end))

    proper = statistics.median(synced)
    print(f"{torch.cuda.get_device_name()}, {dtype} ({args.numerics} numerics), {args.frames} frames, attention {args.attention}")
    print(f"naive (first call, host clock, prep included, no sync): {naive_ms:9.1f} ms")
    print(f"warm, host clock, no sync (median of {args.iterations}):        {statistics.median(unsynced):9.1f} ms")
    print(f"proper (warm, CUDA events + sync, median of {args.iterations}):     {proper:9.1f} ms")
    warm = statistics.median(unsynced)
    print(f"naive / proper = {naive_ms / proper:.2f}x;  warm unsynced / proper = {warm / proper:.3f}x")
    print(f"peak allocated {torch.cuda.max_memory_allocated() / 2**30:.2f} GiB")


if __name__ == "__main__":
    main()
