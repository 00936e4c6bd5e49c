"""The worker's side of the protocol: hello, setup -> ready, run -> result, shutdown -> bye."""

from __future__ import annotations

import os
import platform
import re
import sys
import time
import traceback
from typing import Any, Callable, Dict, Optional, TypeVar

from . import _distributed, _local, _profile, _torch, _watchdog
from ._channel import PROTOCOL_VERSION, VERSION, Channel

_FAILED = 1  # exit status after an error was reported to the runner
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


State = TypeVar("State")


class Context:
    """What setup() is given. Anything setup puts in .extra is reported to the runner."""

    side: str
    dtype: str
    torch_dtype: Any
    device: str
    options: Dict[str, Any]
    rank: int
    world_size: int
    local_rank: int
    distributed_backend: Optional[str]
    extra: Dict[str, Any]

    def __init__(self, side: str, dtype: str, options: Dict[str, Any], ranks: Any = None) -> None:
        ranks = ranks or _distributed.Single()
        self.side = side  # 'base' or 'head'
        self.dtype = dtype  # requested precision: 'fp32', 'fp16' or 'bf16'
        self.torch_dtype = _torch.torch_dtype(dtype)  # None without torch
        self.device = _torch.device()[0]  # 'cuda:N' (this rank's GPU under torchrun), else 'cpu'
        self.options = options  # the workload's options from the perf-gate config
        self.rank = ranks.rank  # under torchrun: this process's rank; else 0
        self.world_size = ranks.world_size  # under torchrun: the number of ranks; else 1
        self.local_rank = ranks.local_rank
        self.distributed_backend = ranks.backend  # 'nccl' / 'gloo' under torchrun, else None
        self.extra = {}


def serve(
    setup: Callable[[Context], State],
    step: Callable[[State], object],
    *,
    items_per_iteration: Optional[float] = None,
    name: Optional[str] = None,
    distributed_backend: Optional[str] = None,
) -> None:
    """Serve the runner's requests until it sends shutdown, then return.

    setup(ctx) builds the state once (load the model, make inputs); step(state) runs one
    iteration. Warm-up, synchronisation, timing and memory statistics are done here. An
    exception in setup or step is reported with its traceback, then the process exits 1.

    Under torchrun, call serve() the same way on every rank: it initialises
    torch.distributed (distributed_backend, else PERF_GATE_DIST_BACKEND, else NCCL when
    each rank has a GPU, else gloo) and sets each rank's GPU before setup runs. Rank 0
    talks to the runner; every rank runs setup and step; an iteration's time is the
    slowest rank's, and every rank's memory statistics are reported.
    """
    local = _local.settings()
    if local is not None:  # `python -m perf_gate run`: no runner, measure here
        _local.run(setup, step, local, name)
        return
    _watchdog.watch_runner()  # first: joining the other ranks and setup can take minutes
    ranks = _distributed.join(distributed_backend)
    channel = Channel.from_environment(ranks.launched) if ranks.rank == 0 else None
    if channel is not None:
        channel.send(_hello(ranks, items_per_iteration, name))
    session = None
    while True:
        request = ranks.share(channel.receive() if channel is not None else None)
        if request is None:  # the runner is gone: nobody left to report to
            ranks.close()
            return
        kind = request.get("type")
        if kind == "setup":
            session = _guard(channel, "setup", _Session, request, setup, ranks)
            if channel is not None:
                channel.send({"type": "ready", **session.describe()})
        elif kind == "run" and session is not None:
            reply = _guard(channel, "step", session.run, step, request["iterations"], request["warmup"], info=session.info)
            replies = ranks.gather(reply)
            if channel is not None:
                channel.send(_distributed.merge_results(replies))
        elif kind == "profile" and session is not None:
            # Every rank runs the profiled iterations (a DDP step needs them all); rank 0 reports.
            reply = session.profile(step, ranks.all_ok)
            if channel is not None:
                channel.send(reply)
        elif kind == "shutdown":
            if channel is not None:
                channel.send({"type": "bye"})
            ranks.close()
            return
        else:
            message = f"unexpected request {kind!r}" + (" before setup" if kind == "run" else "")
            if channel is not None:
                channel.send({"type": "error", "message": message, "phase": "protocol"})
            sys.exit(_FAILED)


def _hello(ranks, items_per_iteration, name):
    framework = "python" if _torch.torch is None else "torch"
    version = platform.python_version() if _torch.torch is None else _torch.torch.__version__
    extra = {} if name is None else {"name": name}
    if ranks.world_size > 1:
        extra.update({"worldSize": ranks.world_size, "distributedBackend": ranks.backend})
    return {
        "type": "hello",
        "protocol": PROTOCOL_VERSION,
        "client": f"perf-gate-client {VERSION}",
        "framework": framework,
        "frameworkVersion": version,
        "device": _device_label(ranks),
        "dtype": None,  # known once setup has built the model
        "itemsPerIteration": items_per_iteration,
        "extra": extra,
        "features": ["profile"],  # requests beyond v1's core that this client answers
    }


def _device_label(ranks):
    """What the report calls the device: under torchrun, how many ranks over which backend
    too (the hello and the reply to setup must say the same, or the later one hides it)."""
    device = _torch.device()[1]
    if ranks.world_size > 1:
        return f"{ranks.world_size} ranks ({ranks.backend}); rank 0 on {device}"
    return device


def _guard(channel, phase, function, *args, info=None):
    """Runs the user's code; on an exception, reports it with its traceback and exits.

    Only rank 0 holds the channel; another rank's traceback reaches the runner's log
    through its stderr, and the launcher (torchrun) stops the job when that rank exits.
    info() -> what is known of how the step ran (its autocast dtype is seen at the first
    forward, before an out-of-memory error in that forward), sent with the error so the
    report does not show the setup-time guess for a side that failed in its first step.
    """
    try:
        return function(*args)
    except Exception as error:  # SystemExit and KeyboardInterrupt end the process as usual
        trace = "".join(traceback.format_exception(type(error), error, _user_frames(error)))
        sys.stderr.write(trace)
        if channel is not None:
            message = f"{type(error).__name__}: {error}"
            reply = {"type": "error", "message": message, "traceback": trace, "phase": phase}
            oom = out_of_memory(error)
            if oom is not None:
                reply["outOfMemory"] = oom
            if info is not None:
                reply["info"] = info()
            channel.send(reply)
        sys.exit(_FAILED)


_TRIED = re.compile(r"Tried to allocate ([0-9.]+) ?([KMGT]i?B)")
_UNITS = {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40, "KB": 2**10, "MB": 2**20, "GB": 2**30, "TB": 2**40}


def out_of_memory(error):
    """For an error that is the GPU running out of memory (torch.OutOfMemoryError, or a
    RuntimeError saying so, as older torch and other libraries raise it): how much the
    failing allocation asked for, from the message, and the allocator's peaks so far, so
    the runner can call it a memory regression rather than a crash. Else None."""
    text = str(error)
    torch = _torch.torch
    oom_type = getattr(torch, "OutOfMemoryError", None) if torch is not None else None
    is_oom = (oom_type is not None and isinstance(error, oom_type)) or (
        isinstance(error, RuntimeError) and "out of memory" in text.lower()
    )
    if not is_oom:
        return None
    tried = _TRIED.search(text)
    facts = {
        "triedBytes": int(float(tried.group(1)) * _UNITS[tried.group(2)]) if tried else None,
        "maxAllocatedBytes": None,
        "maxReservedBytes": None,
    }
    try:
        if torch is not None and torch.cuda.is_available():
            facts["maxAllocatedBytes"] = int(torch.cuda.max_memory_allocated())
            facts["maxReservedBytes"] = int(torch.cuda.max_memory_reserved())
    except Exception:  # the peaks are extra information: the error is what matters
        pass
    return facts


def _user_frames(error):  # the traceback from the first frame outside this package
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        tb = tb.tb_next
    return tb or error.__traceback__  # all frames ours: a bug here, show them all


class _Session:  # the state setup built, and what is known about how it runs

    def __init__(self, request, setup, ranks):
        self.ctx = Context(request["side"], request["dtype"], request.get("options") or {}, ranks)
        self.ranks = ranks
        self.rank = ranks.rank if ranks.world_size > 1 else None
        self.state = setup(self.ctx)
        modules = _torch.modules_in(self.state)
        self.parameter_dtype = _torch.parameter_dtype(modules)
        self.autocast = {}
        _torch.watch_autocast(modules, self.ctx.device.split(":")[0], self.autocast)
        self.reported_dtype = None
        self.timer = _torch.Timer(self.ctx.device.startswith("cuda"))
        # Reset after setup: loading transients are not what an iteration costs,
        # while the weights stay allocated and so still count.
        _torch.reset_peak_memory()

    def effective_dtype(self):  # autocast seen in a forward, else the parameters, else the request
        if "dtype" in self.autocast:
            return self.autocast["dtype"], "autocast"
        if self.parameter_dtype is not None:
            return self.parameter_dtype, "parameters"
        return self.ctx.dtype, "requested"

    def describe(self):
        self.reported_dtype, source = self.effective_dtype()
        extra, device = self.ctx.extra, _device_label(self.ranks)
        return {"dtype": self.reported_dtype, "dtypeSource": source, "device": device, "extra": extra}

    def profile(self, step, all_ok):
        """Two untimed iterations under torch's recorders and profiler (see _profile.py)."""
        autocast = self.autocast.get("dtype")
        use_cuda = self.ctx.device.startswith("cuda")
        return _profile.profile_iteration(step, self.state, self.parameter_dtype, autocast, use_cuda, all_ok)

    def info(self):  # the dtype in effect as far as it is known now, and where it comes from
        dtype, source = self.effective_dtype()
        return {"dtype": dtype, "dtypeSource": source}

    def run(self, step, iterations, warmup):
        samples = []
        for _ in range(iterations):
            started = time.perf_counter_ns()
            self.timer.start()
            step(self.state)
            device_ms = self.timer.stop()  # synchronises, inside the host-timed region
            samples.append({"hostMs": (time.perf_counter_ns() - started) / 1e6, "deviceMs": device_ms})
        reply = {"type": "result", "samples": [] if warmup else samples, "memory": _torch.peak_memory(self.rank)}
        known = self.info()
        if known["dtype"] != self.reported_dtype:  # autocast first seen in this request's forward
            self.reported_dtype = known["dtype"]
            reply["info"] = known
        return reply
