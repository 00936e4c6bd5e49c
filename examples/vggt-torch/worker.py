"""perf-gate worker: one forward of VGGT-1B with random weights (model.py) per iteration.

Started by the runner (workload kind 'worker', see perf-gate.yml); run directly it
says so and exits 2. Settings, from the workload's options first, then the environment:

  frames     PERF_GATE_FRAMES     frames per forward (default 20)
  attention  PERF_GATE_ATTENTION  'default' or 'math' (math: the memory blow-up)
  slowdown   PERF_GATE_SLOWDOWN   injected extra work, a fraction (0.03 = ~3%)
  rope_reads PERF_GATE_ROPE_READS  'every-call' (default, as published): the rotary table's
                                  length is read back from the GPU in every attention layer
                                  (96 host synchronisations per forward); 'once': once per
                                  input shape (diagnosis: those reads cause slow states)
  numerics   PERF_GATE_NUMERICS   'vggt' (default): fp32 weights, the aggregator under
                                  autocast to the runner's dtype, the heads in fp32, as
                                  the published model runs; 'uniform': weights and inputs
                                  cast to one dtype, no autocast (the earlier example)
  autocast_dtype  PERF_GATE_AUTOCAST_DTYPE  'vggt' numerics: autocast to this dtype instead
                                  of the runner's; 'fp32' runs without autocast (validation
                                  of the precision-fallback story: a forgotten autocast)
  weights_dtype  PERF_GATE_WEIGHTS_DTYPE  'uniform' numerics: build the model in this dtype
                                  instead of the runner's (the same story, for 'uniform')

The defaults below are what a commit edits to change the workload for both sides.
For validating the gate from one checkout, PERF_GATE_HEAD_<NAME> applies a setting to
the head side only (PERF_GATE_HEAD_SLOWDOWN, ..._ATTENTION, ..._AUTOCAST_DTYPE, ...);
never use them in a real gate.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # model.py, vggt_config.py
try:
    import perf_gate
except ImportError:  # not pip-installed: use the client in this repository
    sys.path.insert(0, os.path.join(HERE, "..", "..", "clients", "python"))
    import perf_gate

DEFAULT_FRAMES = 20
DEFAULT_ATTENTION = "default"
DEFAULT_SLOWDOWN = 0.0
DEFAULT_NUMERICS = "vggt"
DEFAULT_ROPE_READS = "every-call"
DTYPE_NAMES = ("fp32", "fp16", "bf16")


def setting(options, side, name, default, cast):
    """options[name], else PERF_GATE_HEAD_<NAME> on the head side, else PERF_GATE_<NAME>, else default."""
    if name in options:
        return cast(options[name])
    env = os.environ
    head = env.get(f"PERF_GATE_HEAD_{name.upper()}") if side == "head" else None
    value = head if head is not None else env.get(f"PERF_GATE_{name.upper()}")
    return cast(value) if value not in (None, "") else default


def precision(ctx, numerics):
    """(dtype for model.build, what to report): the autocast dtype in 'vggt' numerics,
    the weights' dtype in 'uniform'. A setting other than the runner's dtype is a silent
    precision fallback, on purpose, for validating that the gate sees it."""
    if numerics == "vggt":
        weights = setting(ctx.options, ctx.side, "weights_dtype", None, str)
        if weights not in (None, "fp32"):
            raise ValueError(f"weights_dtype {weights!r}: 'vggt' numerics keep fp32 weights (use numerics 'uniform')")
        if weights is not None:  # a no-op here: say so rather than let a validation run pass unchanged
            print("note: weights are fp32 in 'vggt' numerics anyway; autocast_dtype=fp32 is the fallback", file=sys.stderr)
        chosen = setting(ctx.options, ctx.side, "autocast_dtype", ctx.dtype, str)
    else:
        chosen = setting(ctx.options, ctx.side, "weights_dtype", ctx.dtype, str)
    if chosen not in DTYPE_NAMES:
        raise ValueError(f"dtype {chosen!r} is not one of {DTYPE_NAMES}")
    return chosen


def setup(ctx):
    import torch

    from model import NUMERICS, build

    frames = setting(ctx.options, ctx.side, "frames", DEFAULT_FRAMES, int)
    attention = setting(ctx.options, ctx.side, "attention", DEFAULT_ATTENTION, str)
    slowdown = setting(ctx.options, ctx.side, "slowdown", DEFAULT_SLOWDOWN, float)
    numerics = setting(ctx.options, ctx.side, "numerics", DEFAULT_NUMERICS, str)
    if numerics not in NUMERICS:
        raise ValueError(f"numerics must be one of {NUMERICS}, not {numerics!r}")
    chosen = precision(ctx, numerics)
    dtype = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[chosen]
    if frames != FRAMES:
        print(f"warning: {frames} frames from the options, {FRAMES} reported per iteration", file=sys.stderr)
    # ctx.dtype is the runner's resolved dtype (PERF_GATE_DTYPE): bf16 on sm >= 8 for 'auto'.
    rope_reads = setting(ctx.options, ctx.side, "rope_reads", DEFAULT_ROPE_READS, str)
    if rope_reads not in ("every-call", "once"):
        raise ValueError(f"rope_reads must be 'every-call' or 'once', not {rope_reads!r}")
    model = build(ctx.device, dtype, attention=attention, slowdown=slowdown, numerics=numerics)
    model.aggregator.rope.read_once = rope_reads == "once"
    # Input preparation happens here, once: it is not part of what a step costs. In 'vggt'
    # numerics the images stay fp32, as the published preprocessing returns them.
    generator = torch.Generator(device=ctx.device).manual_seed(1)
    images = torch.rand(
        frames, 3, model.cfg.height, model.cfg.width, device=ctx.device, dtype=model.input_dtype, generator=generator
    )
    weights = str(next(model.parameters()).dtype).replace("torch.", "")
    autocast = None if model.autocast_dtype is None else str(model.autocast_dtype).replace("torch.", "")
    ctx.extra.update(
        {
            "frames": frames,
            "attention": attention,
            "slowdown": slowdown,
            "numerics": numerics,
            "ropeReads": rope_reads,
            "weightsDtype": weights,  # storage dtype of the parameters
            "autocastDtype": autocast,  # what the aggregator's matmuls run in; None: no autocast
            "headsDtype": weights,  # the heads disable autocast: they compute in the weights' dtype
            "parameters": sum(p.numel() for p in model.parameters()),
            "torch": torch.__version__,
            "sdpa": {  # which kernels PyTorch may pick ('math' mode turns the others off per call)
                "flash": torch.backends.cuda.flash_sdp_enabled(),
                "memEfficient": torch.backends.cuda.mem_efficient_sdp_enabled(),
                "math": torch.backends.cuda.math_sdp_enabled(),
            },
        }
    )
    print(f"vggt-torch worker ({ctx.side}): {ctx.extra}", flush=True)
    return model, images


def step(state):
    import torch

    model, images = state
    # The autocast is entered here, around the call, as a user's script does: the client
    # sees it in the model's first forward and reports it as the dtype that ran.
    with torch.inference_mode(), model.autocast():
        model(images)


# Throughput is frames per second: the hello message needs the count before setup,
# so it comes from the environment (perf-gate.yml also sets itemsPerIteration).
FRAMES = int(os.environ.get("PERF_GATE_FRAMES") or DEFAULT_FRAMES)

if __name__ == "__main__":
    perf_gate.serve(setup, step, items_per_iteration=FRAMES, name=f"vggt-1b-{FRAMES}f")
