"""Jobs started by torchrun (or any launcher that sets RANK and WORLD_SIZE).

Rank 0 speaks the protocol and relays each request to the other ranks; every rank runs
setup and every iteration; each rank's samples and memory statistics are gathered to
rank 0, which reports the slowest rank's time per iteration and every rank's memory.
Control messages travel over a gloo group, through host memory, so the relaying never
queues work on the GPUs being timed.
"""

import datetime
import os

from . import _torch

BACKEND_ENV = "PERF_GATE_DIST_BACKEND"


class Single:
    """A process on its own: rank 0 of 1, nothing to relay."""

    rank, world_size, local_rank, backend = 0, 1, 0, None

    def __init__(self, launched=False):
        self.launched = launched  # started by a launcher: its fds 3 and 4 are gone

    def share(self, request):
        return request

    def gather(self, value):
        return [value]

    def all_ok(self, ok):
        return ok

    def close(self):
        pass


class TorchRanks:
    """One rank of a torch.distributed job; the default process group is set up here."""

    launched = True

    def __init__(self, backend):
        import torch.distributed as dist

        torch, env = _torch.torch, os.environ
        self.dist = dist
        self.rank, self.world_size = int(env["RANK"]), int(env["WORLD_SIZE"])
        self.local_rank = int(env.get("LOCAL_RANK", "0"))
        if torch.cuda.is_available():  # before any CUDA work: ctx.device is this rank's GPU
            torch.cuda.set_device(self.local_rank % torch.cuda.device_count())
        if not dist.is_initialized():
            dist.init_process_group(backend=backend or default_backend())
        self.backend = str(dist.get_backend())
        # Between requests the ranks wait here while the runner measures the other side or
        # starts its processes (minutes for a large model): the runner's own timeouts decide
        # when a worker hangs, not torch's default 30 minutes for a collective.
        self.control = dist.new_group(backend="gloo", timeout=datetime.timedelta(hours=24))

    def share(self, request):
        """Rank 0's request, on every rank."""
        box = [request]
        self.dist.broadcast_object_list(box, src=0, group=self.control)
        return box[0]

    def gather(self, value):
        """Every rank's value, as a list on rank 0 (None elsewhere)."""
        out = [None] * self.world_size if self.rank == 0 else None
        self.dist.gather_object(value, out, dst=0, group=self.control)
        return out

    def all_ok(self, ok):
        """True on every rank when every rank says ok: ranks must take the same path,
        or one waits in a collective the others never reach."""
        flags = self.gather(bool(ok))
        return self.share(all(flags) if self.rank == 0 else None)

    def close(self):
        if self.dist.is_initialized():
            self.dist.destroy_process_group()


def default_backend():
    """PERF_GATE_DIST_BACKEND, else NCCL when every local rank has a GPU of its own, else gloo.

    Two ranks on one GPU (a CPU runner's test, or a small GPU shared on purpose) cannot use
    NCCL, which refuses two ranks on one device.
    """
    chosen = os.environ.get(BACKEND_ENV)
    if chosen:
        return chosen
    torch = _torch.torch
    local_world = int(os.environ.get("LOCAL_WORLD_SIZE", os.environ.get("WORLD_SIZE", "1")))
    if torch is not None and torch.cuda.is_available() and torch.cuda.device_count() >= local_world:
        return "nccl"
    return "gloo"


def launched_by_launcher():
    env = os.environ
    return "RANK" in env and "WORLD_SIZE" in env


def join(backend=None):
    """This process's place in the job: Single, or TorchRanks under torchrun.

    A single process takes the GPU the config names (PERF_GATE_DEVICE, in nvidia-smi's
    numbering: the runner sets CUDA_DEVICE_ORDER=PCI_BUS_ID so CUDA agrees); under
    torchrun each rank takes its LOCAL_RANK's GPU instead.
    """
    if not launched_by_launcher():
        _use_configured_device()
        return Single()
    if int(os.environ["WORLD_SIZE"]) == 1 or _torch.torch is None:
        if _torch.torch is None and int(os.environ["WORLD_SIZE"]) > 1:
            raise RuntimeError(
                "perf_gate: WORLD_SIZE > 1 but torch is not importable; relaying the runner's "
                "requests to other ranks needs torch.distributed"
            )
        return Single(launched=True)
    return TorchRanks(backend)


def _use_configured_device():
    torch, index = _torch.torch, os.environ.get("PERF_GATE_DEVICE")
    if torch is None or index in (None, "") or not torch.cuda.is_available():
        return
    if int(index) >= torch.cuda.device_count():
        raise RuntimeError(
            f"perf_gate: the config's device is {index}, but this process sees "
            f"{torch.cuda.device_count()} CUDA device(s) (CUDA_VISIBLE_DEVICES="
            f"{os.environ.get('CUDA_VISIBLE_DEVICES', 'unset')}); fix `device` in perf-gate.yml"
        )
    torch.cuda.set_device(int(index))


def merge_results(replies):
    """Rank 0's reply, with each iteration's time the slowest rank's and every rank's memory."""
    first = replies[0]
    merged = dict(first)
    if len(replies) > 1:
        samples = []
        for per_rank in zip(*(r["samples"] for r in replies)):
            device = [s["deviceMs"] for s in per_rank]
            samples.append(
                {
                    "hostMs": max(s["hostMs"] for s in per_rank),
                    "deviceMs": None if None in device else max(device),
                }
            )
        merged["samples"] = samples
    merged["memory"] = [entry for r in replies for entry in r["memory"]]
    return merged
