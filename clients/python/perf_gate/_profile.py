"""One profiled iteration, after the last timed sample: what actually ran.

Two untimed passes of step():
  1. under torch's dispatch-level recorders: the dtype of every matrix product's inputs,
     the scaled-dot-product-attention variant dispatched, and the FLOP count (torch's
     FlopCounterMode);
  2. under torch.profiler (CPU + CUDA activity): the kernels by device time, and the
     operators (aten::_scaled_dot_product_flash_attention, ...) that launched them.
The runner classifies these facts (attention implementation, matmul precision); this file
only collects them. Any failure becomes {"available": false, "reason": ...}: a profile
never fails the gate.
"""

import contextlib

from . import _torch

TOP_KERNELS = 40
# Operators worth naming in the report: attention variants, products, convolutions, softmax.
_INTERESTING = ("scaled_dot_product", "attention", "mm", "matmul", "linear", "conv", "softmax", "_scaled_mm")
_MATMUL_OPS = {"mm", "addmm", "bmm", "baddbmm", "_scaled_mm", "addbmm", "matmul", "linear", "dot", "mv"}


def _reply(available, **facts):
    reply = {
        "type": "profile",
        "source": "torch.profiler",
        "available": available,
        "kernels": [],
        "totalDeviceUs": None,
        "ops": {},
        "matmulDtypes": {},
        "allowTf32": None,
        "parameterDtype": None,
        "autocastDtype": None,
        "flops": None,
    }
    reply.update(facts)
    return reply


def unavailable(reason):
    return _reply(False, reason=reason)


def profile_iteration(step, state, parameter_dtype, autocast_dtype, use_cuda, all_ok=lambda ok: ok):
    """all_ok(ok) -> bool: under torchrun, whether every rank's pass succeeded, so that all
    ranks run the second pass (its step has collectives) or none does."""
    torch = _torch.torch
    if torch is None:
        return unavailable("torch is not importable in the worker: nothing to profile")
    reply = _reply(
        True,
        parameterDtype=parameter_dtype,
        autocastDtype=autocast_dtype,
        allowTf32=bool(torch.backends.cuda.matmul.allow_tf32) if use_cuda else None,
    )
    failure = None
    try:
        matmul, dispatched, flops = _dispatch_pass(torch, step, state, use_cuda)
        reply.update(matmulDtypes=matmul, flops=flops)
    except Exception as error:  # a profile is extra information, never a failure
        failure = f"profiling failed: {type(error).__name__}: {error}"
    if not all_ok(failure is None):
        return unavailable(failure or "profiling failed on another rank")
    try:
        kernels, total, ops = _profiler_pass(torch, step, state, use_cuda)
        for name, count in dispatched.items():  # dispatch-level names fill what the profiler lacks
            ops.setdefault(name, count)
        reply.update(kernels=kernels, totalDeviceUs=total, ops=ops)
    except Exception as error:
        failure = f"profiling failed: {type(error).__name__}: {error}"
    if not all_ok(failure is None):
        return unavailable(failure or "profiling failed on another rank")
    return reply


def _sync(torch, use_cuda):
    if use_cuda:
        torch.cuda.synchronize()


def _dispatch_pass(torch, step, state, use_cuda):
    from torch.utils._python_dispatch import TorchDispatchMode

    matmul, ops = {}, {}

    class Recorder(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            name = func.overloadpacket.__name__
            if name in _MATMUL_OPS:
                tensor = next((a for a in args if isinstance(a, torch.Tensor)), None)
                if tensor is not None and tensor.is_floating_point():
                    key = _torch.dtype_name(tensor.dtype)
                    matmul[key] = matmul.get(key, 0) + 1
            if any(word in name for word in _INTERESTING):
                ops[f"aten::{name}"] = ops.get(f"aten::{name}", 0) + 1
            return func(*args, **(kwargs or {}))

    try:
        from torch.utils.flop_counter import FlopCounterMode

        counter = FlopCounterMode(display=False)
    except ImportError:  # old torch: no FLOP count
        counter = None
    with counter if counter is not None else contextlib.nullcontext(), Recorder():
        step(state)
    _sync(torch, use_cuda)
    flops = counter.get_total_flops() if counter is not None else None
    return matmul, ops, (int(flops) if flops else None)


def _profiler_pass(torch, step, state, use_cuda):
    from torch.autograd import DeviceType
    from torch.profiler import ProfilerActivity, profile

    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if use_cuda else [])
    with profile(activities=activities) as prof:
        step(state)
        _sync(torch, use_cuda)
    kernels, ops, total = [], {}, 0.0
    for avg in prof.key_averages():
        device_us = _first(avg, "self_device_time_total", "self_cuda_time_total") or 0.0
        on_device = getattr(avg, "device_type", None) == DeviceType.CUDA
        if not on_device and device_us > 0 and (getattr(avg, "cpu_time_total", 0) or 0) == 0:
            on_device = True  # older torch: a kernel row has device time and no CPU time
        if on_device:
            kernels.append({"name": avg.key, "count": int(avg.count), "deviceUs": float(device_us)})
            total += float(device_us)
        elif avg.key.startswith("aten::") and any(word in avg.key for word in _INTERESTING):
            ops[avg.key] = int(avg.count)
    kernels.sort(key=lambda k: k["deviceUs"], reverse=True)
    return kernels[:TOP_KERNELS], (total if use_cuda else None), ops


def _first(obj, *names):
    for name in names:
        value = getattr(obj, name, None)
        if value is not None:
            return value
    return None
