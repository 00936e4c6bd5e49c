"""A worker run on its own, without the gate: `python -m perf_gate run worker.py`.

The script runs unchanged: its serve(setup, step) call sees PERF_GATE_LOCAL_RUN and,
instead of waiting for the runner, runs setup once, the warm-up, then the timed
iterations with the same timing the gate uses (CUDA events when there is a GPU,
synchronised inside the host-timed region), one profiled iteration, and prints what
torch.utils.benchmark users expect: median, IQR, samples, peak memory, what ran.
No verdict: one side measured alone says how fast it is, not whether a change made it
slower (that needs base and head interleaved: the gate).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from typing import Any, Callable, Dict, List, Optional

_ATTENTION_WORDS = ("attention", "sdpa", "flash", "fmha")
# Set by `python -m perf_gate run` in this interpreter, never in the environment: a process
# the worker starts (or a worker the gate starts) must not think it is a local run.
_SETTINGS: Optional[Dict[str, Any]] = None
_SERVED = False
_RUNNER_ENV = ("PERF_GATE_FD_IN", "PERF_GATE_SOCKET")


def settings() -> Optional[Dict[str, Any]]:
    """The local run's settings when `python -m perf_gate run` runs this script, else None."""
    if any(name in os.environ for name in _RUNNER_ENV):
        return None  # the gate started this process: it is a worker, whatever else is set
    return _SETTINGS


def run(setup: Callable[..., Any], step: Callable[[Any], object], local: Dict[str, Any], name: Optional[str]) -> None:
    """Measures the worker here and prints the summary (or JSON with --json)."""
    from . import _distributed
    from ._serve import _Session

    global _SERVED
    _SERVED = True
    request = {"side": local.get("side", "head"), "dtype": local.get("dtype", "fp32"), "options": local.get("options")}
    session = _Session(request, setup, _distributed.Single())
    if local["warmup"] > 0:
        session.run(step, local["warmup"], True)
    result = session.run(step, local["iterations"], False)
    profile = session.profile(step, lambda ok: ok) if local.get("profile", True) else None
    summary = _summary(name or local["script"], session, result, profile, local)
    print(json.dumps(summary, indent=2) if local.get("json") else _text(summary))


def _summary(
    name: str, session: Any, result: Dict[str, Any], profile: Optional[Dict[str, Any]], local: Dict[str, Any]
) -> Dict[str, Any]:
    device_times = [s["deviceMs"] for s in result["samples"] if s["deviceMs"] is not None]
    clock = "device" if len(device_times) == len(result["samples"]) else "host"
    times = device_times if clock == "device" else [s["hostMs"] for s in result["samples"]]
    # "inclusive" interpolates between samples, as torch.utils.benchmark's quantiles do.
    quartiles = statistics.quantiles(times, n=4, method="inclusive") if len(times) >= 2 else [times[0]] * 3
    dtype, source = session.effective_dtype()
    from . import __version__, _torch

    return {
        "name": name,
        "client": f"perf-gate-client {__version__}",
        "device": _torch.device()[1],
        "framework": "python" if _torch.torch is None else f"torch {_torch.torch.__version__}",
        "clock": clock,
        "warmup": local["warmup"],
        "samplesMs": times,
        "medianMs": statistics.median(times),
        "iqrMs": quartiles[2] - quartiles[0],
        "q1Ms": quartiles[0],
        "q3Ms": quartiles[2],
        "minMs": min(times),
        "maxMs": max(times),
        "memory": result["memory"],
        "dtype": dtype,
        "dtypeSource": source,
        "whatRan": _what_ran(profile),
    }


def _what_ran(profile: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    if profile is None:
        return {"profiled": False, "reason": "--no-profile"}
    if not profile.get("available"):
        return {"profiled": False, "reason": profile.get("reason", "unavailable")}
    kernels = profile.get("kernels") or []
    attention = [k["name"] for k in kernels if any(w in k["name"].lower() for w in _ATTENTION_WORDS)]
    return {
        "profiled": True,
        "parameterDtype": profile.get("parameterDtype"),
        "autocastDtype": profile.get("autocastDtype"),
        "allowTf32": profile.get("allowTf32"),
        "matmulDtypes": profile.get("matmulDtypes") or {},
        "attentionKernel": attention[0] if attention else None,
        "topKernels": [{"name": k["name"], "deviceUs": k["deviceUs"]} for k in kernels[:5]],
        "ops": profile.get("ops") or {},
    }


def _ms(value: float) -> str:
    return f"{value:.3f} ms" if value < 10 else f"{value:.1f} ms"


def _text(s: Dict[str, Any]) -> str:
    lines = [
        f"{s['name']}  ({s['client']}, {s['framework']} on {s['device']}, {s['dtype']} from {s['dtypeSource']})",
        f"  Median: {_ms(s['medianMs'])}",
        f"  IQR:    {_ms(s['iqrMs'])} ({_ms(s['q1Ms'])} to {_ms(s['q3Ms'])})",
        f"  {len(s['samplesMs'])} samples after {s['warmup']} warm-up iterations, {s['clock']} clock,"
        f" min {_ms(s['minMs'])}, max {_ms(s['maxMs'])}",
        f"  Peak memory: {_memory(s['memory'])}",
        f"  What ran: {_ran(s['whatRan'])}",
        "  (one side alone: no verdict. The gate interleaves base and head for that.)",
    ]
    return "\n".join(lines)


def _memory(entries: List[Dict[str, Any]]) -> str:
    if not entries:
        return "not measured (no CUDA device in use)"
    gib = 2**30
    return "; ".join(
        f"cuda:{e['device']} {e['maxAllocatedBytes'] / gib:.2f} GiB allocated,"
        f" {e['maxReservedBytes'] / gib:.2f} GiB reserved"
        for e in entries
    )


def _ran(w: Dict[str, Any]) -> str:
    if not w["profiled"]:
        return f"not profiled ({w['reason']})"
    parts = [f"parameters {w['parameterDtype']}", f"autocast {w['autocastDtype'] or 'off'}"]
    if w["matmulDtypes"]:
        parts.append("matmuls " + ", ".join(f"{k} x{v}" for k, v in w["matmulDtypes"].items()))
    parts.append(f"attention kernel {w['attentionKernel'] or 'none fused'}")
    if w["topKernels"]:
        parts.append("top kernel " + w["topKernels"][0]["name"][:80])
    return "; ".join(parts)


def main_run(argv: List[str]) -> int:
    """`python -m perf_gate run <script> [options]`: parse, then run the script as __main__."""
    import argparse
    import runpy

    parser = argparse.ArgumentParser(
        prog="python -m perf_gate run",
        description="Run a perf-gate worker on its own and print its timing (no gate, no verdict). "
        "Arguments after -- go to the script.",
    )
    parser.add_argument("script", help="the worker script (it calls perf_gate.serve)")
    parser.add_argument("--iterations", type=int, default=30, help="timed iterations (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed iterations first (default 3)")
    parser.add_argument("--dtype", default="fp32", choices=["fp32", "fp16", "bf16"], help="ctx.dtype (default fp32)")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="a workload option (ctx.options); VALUE is read as JSON when it parses")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the summary")
    parser.add_argument("--no-profile", action="store_true", help="skip the profiled iteration")
    # Everything after "--" is the script's own: its argv, as if it were run directly.
    ours, script_args = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    args = parser.parse_args(ours)
    if int(os.environ.get("WORLD_SIZE", "1") or "1") > 1:
        # Each rank would time itself alone, with DDP's collectives skipped: not the job's number.
        parser.error("times one process: under torchrun, run the job through the gate (a worker workload)")
    if args.iterations < 1 or args.warmup < 0:
        parser.error("--iterations must be 1 or more and --warmup 0 or more")
    if not os.path.isfile(args.script):
        parser.error(f"no worker script at {args.script}")
    options = {}
    for item in args.option:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"--option takes KEY=VALUE, not {item!r}")
        try:
            options[key] = json.loads(value)
        except ValueError:
            options[key] = value
    global _SETTINGS
    _SETTINGS = {
        "script": args.script, "iterations": args.iterations, "warmup": args.warmup,
        "dtype": args.dtype, "options": options, "json": args.json, "profile": not args.no_profile,
    }
    sys.argv = [args.script, *script_args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(args.script)))
    runpy.run_path(args.script, run_name="__main__")
    if not _SERVED:
        print(f"{args.script} did not call perf_gate.serve(setup, step): nothing was measured", file=sys.stderr)
        return 2
    return 0
