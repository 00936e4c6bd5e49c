"""What the worker learns from torch when importable. Without torch (or CUDA) every
function gives the plain-CPU answer: host timing only, no memory statistics."""

try:
    import torch
except ImportError:
    torch = None

_SHORT = {"float32": "fp32", "float16": "fp16", "bfloat16": "bf16"}


def dtype_name(dtype):
    """'fp32' / 'fp16' / 'bf16' for a torch dtype; other dtypes by their torch name."""
    name = str(dtype).replace("torch.", "")
    return _SHORT.get(name, name)


def torch_dtype(name):
    long = {short: long for long, short in _SHORT.items()}.get(name)
    return getattr(torch, long) if torch is not None and long else None


def device():
    """(device for .to(), description): 'cuda:N' and the GPU's name, or 'cpu'."""
    if torch is None or not torch.cuda.is_available():
        return "cpu", "cpu"
    index = torch.cuda.current_device()
    return f"cuda:{index}", f"cuda:{index} {torch.cuda.get_device_name(index)}"


def modules_in(state):
    """torch.nn.Modules in the state: the state itself, or one level inside it."""
    if torch is None:
        return []
    if isinstance(state, (dict, list, tuple)):
        candidates = state.values() if isinstance(state, dict) else state
    else:
        candidates = [state, *getattr(state, "__dict__", {}).values()]
    return [c for c in candidates if isinstance(c, torch.nn.Module)]


def parameter_dtype(modules):
    """The floating dtype that holds most parameter elements, or None."""
    counts = {}
    for parameter in (p for m in modules for p in m.parameters() if p.is_floating_point()):
        counts[parameter.dtype] = counts.get(parameter.dtype, 0) + parameter.numel()
    return dtype_name(max(counts, key=counts.get)) if counts else None


def watch_autocast(modules, device_type, seen):
    """Puts in seen['dtype'] the autocast dtype in effect at the first forward, if any.

    Autocast is usually entered inside step(), where setup cannot see it; a
    forward pre-hook looks once and removes itself.
    """
    handles = []

    def hook(_module, _inputs):
        try:  # torch >= 2.4
            dtype = torch.get_autocast_dtype(device_type) if torch.is_autocast_enabled(device_type) else None
        except (TypeError, AttributeError):
            dtype = torch.get_autocast_gpu_dtype() if torch.is_autocast_enabled() else None
        if dtype is not None:
            seen["dtype"] = dtype_name(dtype)
        for handle in handles:
            handle.remove()

    handles.extend(module.register_forward_pre_hook(hook) for module in modules)


def _used_devices():
    if torch is None or not torch.cuda.is_available() or not torch.cuda.is_initialized():
        return []
    # Only devices the allocator has touched: asking about others would create their contexts.
    return [i for i in range(torch.cuda.device_count()) if torch.cuda.memory_reserved(i) > 0]


def reset_peak_memory():
    for index in _used_devices():
        torch.cuda.reset_peak_memory_stats(index)


def peak_memory(rank=None):
    """Allocator peaks per CUDA device since the last reset (the end of setup).

    Each entry carries the device's UUID, so the runner can place it beside the right
    GPU's process peak even when CUDA_VISIBLE_DEVICES renumbers devices, and the rank
    in a distributed job, since two ranks may share a device.
    """
    entries = []
    for i in _used_devices():
        entry = {
            "device": i,
            "maxAllocatedBytes": torch.cuda.max_memory_allocated(i),
            "maxReservedBytes": torch.cuda.max_memory_reserved(i),
        }
        uuid = _uuid(i)
        if uuid:
            entry["uuid"] = uuid
        if rank is not None:
            entry["rank"] = rank
        entries.append(entry)
    return entries


def _uuid(index):
    try:  # torch >= 2.0 on CUDA; absent on ROCm builds and old versions
        return str(torch.cuda.get_device_properties(index).uuid)
    except (AttributeError, RuntimeError):
        return None


class Timer:
    """CUDA events around the step; stop() synchronises, inside the host-timed region."""

    def __init__(self, use_cuda):
        self.events = [torch.cuda.Event(enable_timing=True) for _ in "se"] if use_cuda else None
        if use_cuda:
            torch.cuda.synchronize()  # work queued by setup must not land in the first sample

    def start(self):
        if self.events:
            self.events[0].record()

    def stop(self):
        """Waits for the device; returns its time in ms, or None on CPU."""
        if self.events:
            self.events[1].record()
            torch.cuda.synchronize()
            return self.events[0].elapsed_time(self.events[1])
        return None
