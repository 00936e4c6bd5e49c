"""perf-gate worker: one forward of the VGGT-shaped model (model.py) per iteration.

Started by the runner (workload kind 'worker', see perf-gate.yml); run directly it
says so and exits 2. Settings, from the workload's options first, then the environment:

  frames     PERF_GATE_FRAMES     frames per forward (default 20)
  attention  PERF_GATE_ATTENTION  'default' or 'math' (math: the memory blow-up)
  slowdown   PERF_GATE_SLOWDOWN   injected extra work, a fraction (0.03 = ~3%)
  weights_dtype  PERF_GATE_WEIGHTS_DTYPE  build the model in this dtype instead of the runner's
                                  (validation of the precision-fallback story: 'fp32')

The defaults below are what a commit edits to change the workload for both sides.
For validating the gate from one checkout, PERF_GATE_HEAD_ATTENTION, PERF_GATE_HEAD_SLOWDOWN and
PERF_GATE_HEAD_WEIGHTS_DTYPE apply to the head side only (never use them in a real gate).
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


def setting(options, side, name, default, cast):
    """options[name], else PERF_GATE_HEAD_<NAME> on the head side, else PERF_GATE_<NAME>, else default."""
    if name in options:
        return cast(options[name])
    env = os.environ
    head = env.get(f"PERF_GATE_HEAD_{name.upper()}") if side == "head" else None
    value = head if head is not None else env.get(f"PERF_GATE_{name.upper()}")
    return cast(value) if value not in (None, "") else default


def setup(ctx):
    import torch

    from model import build

    frames = setting(ctx.options, ctx.side, "frames", DEFAULT_FRAMES, int)
    attention = setting(ctx.options, ctx.side, "attention", DEFAULT_ATTENTION, str)
    slowdown = setting(ctx.options, ctx.side, "slowdown", DEFAULT_SLOWDOWN, float)
    # A silent precision fallback, on purpose: the runner asked for ctx.dtype, this builds another.
    weights = setting(ctx.options, ctx.side, "weights_dtype", ctx.dtype, str)
    dtype = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[weights]
    if frames != FRAMES:
        print(f"warning: {frames} frames from the options, {FRAMES} reported per iteration", file=sys.stderr)
    # ctx.torch_dtype is the runner's resolved dtype (PERF_GATE_DTYPE): bf16 on sm >= 8 for 'auto'.
    model = build(ctx.device, dtype, attention=attention, slowdown=slowdown)
    # Input preparation happens here, once: it is not part of what a step costs.
    generator = torch.Generator(device=ctx.device).manual_seed(1)
    images = torch.rand(
        frames, 3, model.cfg.height, model.cfg.width, device=ctx.device, dtype=dtype, generator=generator
    )
    ctx.extra.update(
        {
            "frames": frames,
            "attention": attention,
            "slowdown": slowdown,
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
    with torch.inference_mode():
        model(images)


# Throughput is frames per second: the hello message needs the count before setup,
# so it comes from the environment (perf-gate.yml also sets itemsPerIteration).
FRAMES = int(os.environ.get("PERF_GATE_FRAMES") or DEFAULT_FRAMES)

if __name__ == "__main__":
    perf_gate.serve(setup, step, items_per_iteration=FRAMES, name=f"vggt-like-{FRAMES}f")
