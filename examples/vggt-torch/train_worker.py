"""perf-gate worker: one training step of VGGT-1B (random weights) per iteration, on one GPU
or data-parallel over several (DDP) when started by torchrun (see ddp.sh).

Every rank runs this script; perf_gate.serve() sets up torch.distributed (NCCL when each
rank has a GPU of its own, gloo otherwise or when PERF_GATE_DIST_BACKEND says so), sets
each rank's GPU, and relays the runner's requests from rank 0. An iteration's time is
the slowest rank's; every rank's torch memory peaks are reported with its GPU.

The step: forward under autocast (the runner's dtype: bf16 on sm >= 8; the model's heads
disable it and run in fp32, as the published model does), a scalar loss over every
output, backward with gradient checkpointing in every transformer block, AdamW step.
Weights and optimizer state stay fp32, as in mixed-precision training.

Settings, from the workload's options first, then the environment (as in worker.py):
  frames         PERF_GATE_FRAMES         frames per rank per step (default 8)
  checkpointing  PERF_GATE_CHECKPOINTING  1 (default) or 0
  attention      PERF_GATE_ATTENTION      'default' or 'math'
  slowdown       PERF_GATE_SLOWDOWN       injected extra work, a fraction
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
try:
    import perf_gate
except ImportError:  # not pip-installed: use the client in this repository
    sys.path.insert(0, os.path.join(HERE, "..", "..", "clients", "python"))
    import perf_gate

from worker import setting  # noqa: E402  (same option/environment lookup as the inference worker)

DEFAULT_FRAMES = 8


def setup(ctx):
    import torch
    from torch.nn.parallel import DistributedDataParallel

    from model import build_for_training

    frames = setting(ctx.options, ctx.side, "frames", DEFAULT_FRAMES, int)
    checkpointing = setting(ctx.options, ctx.side, "checkpointing", 1, int) == 1
    attention = setting(ctx.options, ctx.side, "attention", "default", str)
    slowdown = setting(ctx.options, ctx.side, "slowdown", 0.0, float)
    model = build_for_training(ctx.device, attention, slowdown, checkpointing)
    module = model
    if ctx.world_size > 1:
        index = torch.device(ctx.device).index
        model = DistributedDataParallel(model, device_ids=None if index is None else [index])
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
    # Each rank its own frames (data parallel): a different seed per rank, made once here.
    generator = torch.Generator(device=ctx.device).manual_seed(1 + ctx.rank)
    images = torch.rand(frames, 3, module.cfg.height, module.cfg.width, device=ctx.device, generator=generator)
    ctx.extra.update(
        {
            "frames": frames,
            "framesPerStep": frames * ctx.world_size,
            "checkpointing": checkpointing,
            "attention": attention,
            "worldSize": ctx.world_size,
            "distributedBackend": ctx.distributed_backend,
            "parameters": sum(p.numel() for p in module.parameters()),
        }
    )
    print(f"vggt-torch train worker ({ctx.side}, rank {ctx.rank}/{ctx.world_size}): {ctx.extra}", flush=True)
    return {
        "model": model,
        "optimizer": optimizer,
        "images": images,
        "autocast": {
            "device_type": torch.device(ctx.device).type,
            "dtype": ctx.torch_dtype,
            "enabled": ctx.dtype != "fp32",
        },
    }


def step(state):
    import torch

    model, optimizer, images = state["model"], state["optimizer"], state["images"]
    with torch.autocast(**state["autocast"]):
        out = model(images)
        # Every output in the loss, so every parameter gets a gradient (DDP expects that).
        loss = out["pose_enc"].float().square().mean() + out["depth"].float().mean()
        loss = loss + out["world_points"].float().abs().mean()
        loss = loss + 1e-3 * (out["depth_conf"].float().mean() + out["world_points_conf"].float().mean())
    loss.backward()  # DDP all-reduces gradient buckets during the backward pass
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)


if __name__ == "__main__":
    frames = int(os.environ.get("PERF_GATE_FRAMES") or DEFAULT_FRAMES)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    perf_gate.serve(setup, step, items_per_iteration=frames * world, name=f"vggt-1b-train-{frames}f-x{world}")
