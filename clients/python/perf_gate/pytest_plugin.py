"""pytest plugin: a test becomes a perf-gate benchmark.

The test's fixtures are the setup (build the model, the inputs); the call it hands to
the `perf_gate` fixture is the step:

    def test_vggt_forward(perf_gate, model, frames):
        perf_gate(lambda: model(frames), items_per_iteration=20)

Under plain pytest the step runs `--perf-gate-warmup` times untimed, then
`--perf-gate-iterations` times with the gate's timing (CUDA events on a GPU), and the
session ends with a table of medians: a smoke test that also shows a number. Started by
the gate (a `worker` workload whose command is a pytest selection of one test, e.g.
`python -m pytest bench/test_vggt.py::test_vggt_forward -q`), the same call serves the
runner's requests instead: warm-up, rounds, profile, with the test's fixtures in place,
and the test passes once the runner is done.

Installed with the client, pytest loads it by itself (entry point `pytest11`); from a
checkout, add `-p perf_gate.pytest_plugin`.
"""

from __future__ import annotations

import os
import statistics
from typing import Any, Callable, Dict, List, Optional

import pytest

# torch (through _torch and _serve) is imported when a benchmark runs, not when pytest loads
# this plugin: with the client installed it loads in every pytest session of the environment.

# The runner opens one of these for the worker it starts (_channel.py).
_RUNNER_ENV = ("PERF_GATE_FD_IN", "PERF_GATE_SOCKET")
_results: List[Dict[str, Any]] = []
_served = False


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("perf_gate", "perf-gate benchmarks (the perf_gate fixture)")
    group.addoption("--perf-gate-iterations", type=int, default=5, help="timed iterations per test (default 5)")
    group.addoption("--perf-gate-warmup", type=int, default=1, help="untimed iterations first (default 1)")


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers", "perf_gate(name=None, items_per_iteration=None): options of the test's perf-gate benchmark"
    )
    if config.getoption("perf_gate_iterations") < 1 or config.getoption("perf_gate_warmup") < 0:
        raise pytest.UsageError("--perf-gate-iterations must be 1 or more and --perf-gate-warmup 0 or more")
    if not under_runner():
        return
    if getattr(config.option, "numprocesses", None):
        # xdist's workers would inherit the runner's descriptors, which are execnet's pipes there.
        raise pytest.UsageError("the gate's pytest worker runs one test in one process: add -p no:xdist (or -n 0)")
    from . import _distributed

    # Before any fixture builds a model: the config's GPU, as a worker script gets it.
    _distributed._use_configured_device()


def pytest_collection_modifyitems(config: Any, items: List[Any]) -> None:
    if not under_runner():
        return
    benchmarks = [item.nodeid for item in items if "perf_gate" in getattr(item, "fixturenames", ())]
    if len(benchmarks) > 1:
        raise pytest.UsageError(
            f"under the gate a worker is one benchmark, and this selection has {len(benchmarks)}: "
            f"{', '.join(benchmarks[:5])}. Give the worker command one test's node id (file.py::test_name)."
        )


def under_runner() -> bool:
    """True when the gate started this process as a worker (never in an xdist worker of it)."""
    return any(name in os.environ for name in _RUNNER_ENV) and "PYTEST_XDIST_WORKER" not in os.environ


class PerfGate:
    """The `perf_gate` fixture: call it with the step; read the precision the gate asks for."""

    def __init__(self, request: Any) -> None:
        from . import _torch

        self._request = request
        self._served = False
        marker = request.node.get_closest_marker("perf_gate")
        self._marker: Dict[str, Any] = dict(marker.kwargs) if marker else {}
        # The runner sets these for the worker it starts; plain pytest gets the defaults.
        self.dtype: str = os.environ.get("PERF_GATE_DTYPE", "fp32")
        self.torch_dtype: Any = _torch.torch_dtype(self.dtype)
        self.side: Optional[str] = os.environ.get("PERF_GATE_SIDE")
        self.device: str = _torch.device()[0]

    def __call__(
        self, step: Callable[[], object], *, items_per_iteration: Optional[float] = None, name: Optional[str] = None
    ) -> None:
        if self._served:
            raise RuntimeError("perf_gate(step) once per test: a test is one benchmark")
        self._served = True
        items = items_per_iteration if items_per_iteration is not None else self._marker.get("items_per_iteration")
        label = name or self._marker.get("name") or self._request.node.nodeid
        if under_runner():
            global _served
            if _served:  # the runner's channel belongs to the first benchmark of the process
                raise RuntimeError("one benchmark per gate worker: this process already served one")
            _served = True
            from ._serve import serve

            # The test's fixtures are the state: the client finds the model in them (dtype, autocast).
            funcargs = dict(getattr(self._request.node, "funcargs", {}))
            serve(lambda ctx: funcargs, lambda _state: step(), items_per_iteration=items, name=label)
            return
        self._time_here(step, label)

    def _time_here(self, step: Callable[[], object], label: str) -> None:
        from . import _torch

        config = self._request.config
        timer = _torch.Timer(self.device.startswith("cuda"))
        for _ in range(config.getoption("perf_gate_warmup")):
            step()
            timer.start()
            timer.stop()  # synchronises: queued warm-up work stays out of the first sample
        import time

        times = []
        for _ in range(config.getoption("perf_gate_iterations")):
            started = time.perf_counter_ns()
            timer.start()
            step()
            device_ms = timer.stop()
            times.append(device_ms if device_ms is not None else (time.perf_counter_ns() - started) / 1e6)
        _results.append({"name": label, "samples": times})


@pytest.fixture
def perf_gate(request: Any) -> PerfGate:
    """The step's runner: `perf_gate(step)` times it here, or serves the gate (see the module)."""
    if under_runner() and int(os.environ.get("WORLD_SIZE", "1")) > 1:
        raise RuntimeError("a pytest worker is one process: run data-parallel benchmarks as a script (serve)")
    return PerfGate(request)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _results or under_runner():
        return
    terminalreporter.section("perf_gate")
    for result in _results:
        samples = result["samples"]
        middle = statistics.median(samples)
        spread = f", min {min(samples):.3f}, max {max(samples):.3f}" if len(samples) > 1 else ""
        terminalreporter.write_line(f"{result['name']}: median {middle:.3f} ms over {len(samples)} iterations{spread}")
    terminalreporter.write_line("(one side alone: no verdict; the gate interleaves base and head for that)")
