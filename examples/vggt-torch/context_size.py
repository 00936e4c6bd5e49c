"""How much GPU memory a rank holds outside PyTorch's allocator: the CUDA context, loaded
kernels, cuBLAS/cuDNN workspaces and, under torchrun with NCCL, the communicator's buffers.

The gate's memory breakdown calls (process peak - torch's reserved peak) the context; this
measures it independently, in a process that does the same kinds of work on tiny tensors,
so the two can be compared. Run it the way the workload runs:

    python3 context_size.py                                      # one process, GPU 0
    python3 -m torch.distributed.run --standalone --nproc-per-node 2 context_size.py
    CUDA_VISIBLE_DEVICES=0 python3 -m torch.distributed.run --standalone --nproc-per-node 2 context_size.py  # gloo, one GPU

Each rank prints one JSON line: its GPU, the driver's per-process figure (nvidia-smi),
torch's reserved bytes, and the difference.
"""

import json
import os
import subprocess
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import worker  # noqa: E402,F401  (puts the perf_gate client on the path, as the workers find it)
from perf_gate._distributed import default_backend  # noqa: E402


def process_bytes_on_gpus(pid):
    """nvidia-smi's used memory of `pid`, per GPU UUID."""
    out = subprocess.run(
        ["nvidia-smi", "--query-compute-apps=pid,gpu_uuid,used_memory", "--format=csv,noheader,nounits"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    used = {}
    for line in out.strip().splitlines():
        p, uuid, mib = (field.strip() for field in line.split(","))
        if int(p) == pid:
            used[uuid] = int(mib) * 2**20
    return used


def main():
    rank, local_rank = int(os.environ.get("RANK", "0")), int(os.environ.get("LOCAL_RANK", "0"))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    torch.cuda.set_device(local_rank % torch.cuda.device_count())
    device = torch.device("cuda", torch.cuda.current_device())
    if world > 1:
        import torch.distributed as dist

        # The backend the workers' client chooses (NCCL when every rank has a GPU of its
        # own, gloo when ranks share one), so the context measured is theirs.
        dist.init_process_group(default_backend())
        t = torch.ones(1 << 20, device=device)
        dist.all_reduce(t)
    # The kinds of kernels a training step loads: GEMM (cuBLAS), conv (cuDNN), SDPA, backward.
    x = torch.randn(4, 3, 28, 28, device=device, requires_grad=True)
    w = torch.randn(8, 3, 14, 14, device=device, requires_grad=True)
    with torch.autocast("cuda", dtype=torch.bfloat16):
        y = F.conv2d(x, w, stride=14).flatten(2).transpose(1, 2)
        q = torch.randn(1, 2, 64, 64, device=device, requires_grad=True)
        a = F.scaled_dot_product_attention(q, q, q)
        loss = (y @ y.transpose(1, 2)).float().mean() + a.float().mean()
    loss.backward()
    torch.cuda.synchronize()
    uuid = "GPU-" + str(torch.cuda.get_device_properties(device).uuid)
    driver = process_bytes_on_gpus(os.getpid()).get(uuid)
    reserved = torch.cuda.memory_reserved(device)
    print(
        json.dumps(
            {
                "rank": rank,
                "device": str(device),
                "uuid": uuid,
                "processBytes": driver,
                "reservedBytes": reserved,
                "contextBytes": None if driver is None else driver - reserved,
            }
        ),
        flush=True,
    )
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
