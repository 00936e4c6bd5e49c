"""A small DDP training step under torchrun, for the runner's GPU suite: a two-layer MLP,
one step per iteration, through perf_gate.serve (which initialises torch.distributed)."""

import torch

import perf_gate


def setup(ctx):
    model = torch.nn.Sequential(torch.nn.Linear(1024, 4096), torch.nn.GELU(), torch.nn.Linear(4096, 1024))
    model = model.to(ctx.device)
    if ctx.world_size > 1:
        index = torch.device(ctx.device).index
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=None if index is None else [index])
    batch = torch.randn(256, 1024, device=ctx.device)
    ctx.extra["rank"] = ctx.rank
    return model, torch.optim.SGD(model.parameters(), lr=1e-3), batch


def step(state):
    model, optimizer, batch = state
    model(batch).square().mean().backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)


perf_gate.serve(setup, step, name="ddp-mlp")
