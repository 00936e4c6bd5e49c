"""One profiled iteration, after the last timed sample: what actually ran.

Three untimed passes of step(), each a part of the profile on its own:
  dispatch  under a dispatch-level recorder: the dtype of every matrix product's inputs,
            the scaled-dot-product-attention variant dispatched, and how often the step
            made the host wait for a GPU value (hostReads: .item(), int(), bool() of a
            GPU tensor, torch.equal, nonzero; each drains the queue, so the step's time
            follows the host's; VGGT-1B's rotary embedding did it 96 times per forward,
            and that was most of its noise);
  flops     under torch's FlopCounterMode: the FLOP count;
  profiler  under torch.profiler (CPU + CUDA activity): the kernels by device time, and
            the operators (aten::_scaled_dot_product_flash_attention, ...) that launched them.
A part that fails is named in the reply's "failedParts" with its error, and the others
are kept: FlopCounterMode raising inside one model's camera head (torch 2.11) once cost
the whole profile, although the profiler pass alone worked. The runner classifies these
facts (attention implementation, matmul precision); this file only collects them. A
profile never fails the gate: with every part failed it is {"available": false, ...}.
"""

from . import _torch

TOP_KERNELS = 40
# Operators worth naming in the report: attention variants, products, convolutions, softmax.
_INTERESTING = ("scaled_dot_product", "attention", "mm", "matmul", "linear", "conv", "softmax", "_scaled_mm")
# Operators whose result the host must wait for: .item(), int(), float() (aten::item under
# torch.inference_mode, else its decomposition _local_scalar_dense), bool() and a Python
# if on a tensor (is_nonzero under inference_mode), torch.equal, and nonzero (its size).
_HOST_READS = {"_local_scalar_dense", "item", "is_nonzero", "equal", "nonzero"}


def _on_device(tensor):  # a read of a CPU tensor waits for no GPU
    return tensor.device.type != "cpu"
# torch's FLOP counter (2.11-2.13) follows autograd from module outputs: on parameters that
# require grad used under inference_mode (a published VGGT loads that way) it finds none.
_FLOPS_HINT = (
    "torch's FLOP counter fails on parameters that require grad under torch.inference_mode; "
    "model.requires_grad_(False) in setup avoids it"
)
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
    """all_ok(ok) -> bool: under torchrun, whether every rank's pass of a part succeeded, so
    that every rank runs every part (its step has collectives) and drops the same ones."""
    torch = _torch.torch
    if torch is None:
        return unavailable("torch is not importable in the worker: nothing to profile")
    reply = _reply(
        True,
        parameterDtype=parameter_dtype,
        autocastDtype=autocast_dtype,
        allowTf32=bool(torch.backends.cuda.matmul.allow_tf32) if use_cuda else None,
    )
    return run_parts(reply, _parts(torch, step, state, use_cuda), all_ok)


def run_parts(reply, parts, all_ok=lambda ok: ok):
    """Runs each (name, part) in turn; a part returns the facts it adds to the reply. One
    that raises, here or on another rank, is named in reply["failedParts"]; the rest stay.
    With every part failed the reply is unavailable, its reason naming each failure."""
    failed = {}
    dispatched = {}
    for name, part in parts:
        try:
            facts, error = part(), None
        except Exception as caught:  # a profile is extra information, never a failure
            facts, error = None, f"{type(caught).__name__}: {caught}"
        if not all_ok(error is None):
            failed[name] = error or "failed on another rank"
            continue
        dispatched.update(facts.pop("_dispatchedOps", {}))
        reply.update(facts)
    for op, count in dispatched.items():  # dispatch-level names fill what the profiler lacks
        reply["ops"].setdefault(op, count)
    if failed:
        reply["failedParts"] = failed
    if len(failed) == len(parts):
        reasons = "; ".join(f"{name}: {why}" for name, why in failed.items())
        return unavailable(f"profiling failed ({reasons})")
    return reply


def _parts(torch, step, state, use_cuda):
    return [
        ("dispatch", lambda: _dispatch_pass(torch, step, state, use_cuda)),
        ("flops", lambda: _flops_pass(torch, step, state, use_cuda)),
        ("profiler", lambda: _profiler_pass(torch, step, state, use_cuda)),
    ]


def _sync(torch, use_cuda):
    if use_cuda:
        torch.cuda.synchronize()


def _dispatch_pass(torch, step, state, use_cuda, counts_as_read=_on_device):
    """counts_as_read(tensor): whether a host read of it waits for a device (tests pass
    one that counts CPU tensors too)."""
    from torch.utils._python_dispatch import TorchDispatchMode

    matmul, ops, reads = {}, {}, [0]

    class Recorder(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            name = func.overloadpacket.__name__
            if name in _HOST_READS and args and isinstance(args[0], torch.Tensor) and counts_as_read(args[0]):
                reads[0] += 1
            if name in _MATMUL_OPS:
                tensor = next((a for a in args if isinstance(a, torch.Tensor)), None)
                if tensor is not None and tensor.is_floating_point():
                    key = _torch.dtype_name(tensor.dtype)
                    matmul[key] = matmul.get(key, 0) + 1
            if any(word in name for word in _INTERESTING):
                ops[f"aten::{name}"] = ops.get(f"aten::{name}", 0) + 1
            return func(*args, **(kwargs or {}))

    with Recorder():
        step(state)
    _sync(torch, use_cuda)
    return {"matmulDtypes": matmul, "_dispatchedOps": ops, "hostReads": reads[0]}


def _flops_pass(torch, step, state, use_cuda):
    try:
        from torch.utils.flop_counter import FlopCounterMode
    except ImportError:  # old torch: no FLOP count, and nothing failed
        return {}
    counter = FlopCounterMode(display=False)
    try:
        with counter:
            step(state)
    except AttributeError as error:
        if "next_functions" not in str(error):
            raise
        raise AttributeError(f"{error} ({_FLOPS_HINT})") from error
    _sync(torch, use_cuda)
    flops = counter.get_total_flops()
    return {"flops": int(flops) if flops else None}


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
    return {"kernels": kernels[:TOP_KERNELS], "totalDeviceUs": total if use_cuda else None, "ops": ops}


def _first(obj, *names):
    for name in names:
        value = getattr(obj, name, None)
        if value is not None:
            return value
    return None
