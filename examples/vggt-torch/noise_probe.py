"""Times the model back to back in one process, for diagnosing turn-taking noise.

The gate alternates base and head, so each side waits while the other runs. This
times the same forward with no other process involved: per iteration the device time
(CUDA events) and the host time (time.perf_counter around the call and its
synchronisation), optionally sleeping between iterations (--idle-ms, every
--gap-every iterations) to mimic waiting for a turn. If the times after a sleep
are slower than those without, the noise comes from the GPU going idle (clocks,
caches), not from the other side's process. CUDA only; not run in CI.

    python3 noise_probe.py [--frames 20] [--numerics vggt|uniform] [--iters 60]
                           [--idle-ms 0] [--gap-every 1] [--no-host-sync]
                           [--gc on|off] [--sched auto|spin|yield|blocking]

Diagnosis switches (each changes how the model is run, not what it computes):
--no-host-sync reads the rotary table's length back from the GPU once per input shape
instead of in every call (the published model's 96 reads per forward); --gc off turns
Python's garbage collector off during the timed iterations (as timeit does); --sched
sets how the host thread waits for the GPU (the CUDA context's scheduling flag).

Prints one line per iteration (with its wall-clock end time, to line up with a
clock and power log such as `nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,
power.draw,clocks_event_reasons.active --format=csv -lms 50`), then one JSON line
with the summary.
"""

import argparse
import gc
import json
import statistics
import time

import torch

from model import NUMERICS, build


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


SCHED_FLAGS = {"auto": 0, "spin": 1, "yield": 2, "blocking": 4}  # CU_CTX_SCHED_*


def set_scheduling(name):
    """Sets the primary context's scheduling flag before torch creates the context."""
    if name == "auto":
        return
    from cuda.bindings import driver

    (err,) = driver.cuInit(0)
    err, device = driver.cuDeviceGet(0)  # before torch touches the device: no context yet
    (err,) = driver.cuDevicePrimaryCtxSetFlags(device, SCHED_FLAGS[name])
    if err != driver.CUresult.CUDA_SUCCESS:
        raise SystemExit(f"cuDevicePrimaryCtxSetFlags: {err}")


def read_rope_length_once():
    """Replaces Rope2D.forward's per-call read-back with one per positions shape."""
    import vggt_layers

    original = vggt_layers.Rope2D.forward
    lengths = {}

    def forward(self, x, positions):
        key = tuple(positions.shape)
        if key not in lengths:
            lengths[key] = int(positions.max()) + 1
        length = lengths[key]
        real_max = positions.max
        positions.max = lambda: torch.tensor(length - 1)  # the cached value, no device read
        try:
            return original(self, x, positions)
        finally:
            positions.max = real_max

    vggt_layers.Rope2D.forward = forward


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=20)
    parser.add_argument("--numerics", choices=NUMERICS, default="vggt")
    parser.add_argument("--iters", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--idle-ms", type=float, default=0.0, help="sleep before an iteration (a turn's wait)")
    parser.add_argument("--gap-every", type=int, default=1, help="sleep only before every Nth iteration")
    parser.add_argument("--no-host-sync", action="store_true", help="rotary table length read back once per shape")
    parser.add_argument("--gc", choices=("on", "off"), default="on", help="Python's collector during timed iterations")
    parser.add_argument("--sched", choices=tuple(SCHED_FLAGS), default="auto", help="how the host waits for the GPU")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("noise_probe.py needs a CUDA GPU")
    set_scheduling(args.sched)
    if args.no_host_sync:
        read_rope_length_once()
    dtype = torch.bfloat16 if torch.cuda.get_device_capability()[0] >= 8 else torch.float16
    model = build("cuda", dtype, numerics=args.numerics)
    images = torch.rand(args.frames, 3, model.cfg.height, model.cfg.width, device="cuda", dtype=model.input_dtype)
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    rows = []
    with torch.inference_mode(), model.autocast():
        for _ in range(args.warmup):
            model(images)
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        gc.collect()
        if args.gc == "off":
            gc.disable()
        for i in range(args.iters):
            slept = args.idle_ms > 0 and i % max(1, args.gap_every) == 0
            if slept:
                time.sleep(args.idle_ms / 1e3)
            started = time.perf_counter()
            start.record()
            model(images)
            end.record()
            torch.cuda.synchronize()
            host_ms = (time.perf_counter() - started) * 1e3
            rows.append({"device_ms": start.elapsed_time(end), "host_ms": host_ms, "after_sleep": slept})
            # The wall-clock time lets the rows be lined up with a clock/power log (nvidia-smi -lms).
            print(
                f"{i:3d} device {rows[-1]['device_ms']:8.2f} ms  host {host_ms:8.2f} ms  at {time.time():.3f}"
                f"{'  (after sleep)' if slept else ''}"
            )
    gc.enable()
    device = [r["device_ms"] for r in rows]
    result = {
        "gpu": torch.cuda.get_device_name(),
        "torch": torch.__version__,
        "frames": args.frames,
        "numerics": args.numerics,
        "dtype": str(dtype).replace("torch.", ""),
        "iters": args.iters,
        "idle_ms": args.idle_ms,
        "gap_every": args.gap_every,
        "no_host_sync": args.no_host_sync,
        "gc": args.gc,
        "sched": args.sched,
        "device_ms": summary(device),
        # Slow: over 5% above the fastest tenth's level, the two-state split seen on an H200.
        "slow_fraction": sum(d > 1.05 * sorted(device)[len(device) // 10] for d in device) / len(device),
        "host_ms": summary([r["host_ms"] for r in rows]),
        "max_allocated_bytes": torch.cuda.max_memory_allocated(),
        "max_reserved_bytes": torch.cuda.max_memory_reserved(),
    }
    after = [r["device_ms"] for r in rows if r["after_sleep"]]
    others = [r["device_ms"] for r in rows if not r["after_sleep"]]
    if after and others:  # both kinds present: compare them
        result["device_ms_after_sleep"], result["device_ms_without_sleep"] = summary(after), summary(others)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
