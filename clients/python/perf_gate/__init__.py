"""perf-gate worker client: makes a benchmark a worker the perf gate can drive.

Write setup(ctx) -> state and step(state), then call serve(setup, step); see
README.md. Standard library only; torch is used when importable, never required.
"""

from ._channel import PROTOCOL_VERSION
from ._version import __version__


def __getattr__(name):  # serve and Context on first use: importing them imports torch (when present)
    if name in ("serve", "Context"):
        from . import _serve

        return getattr(_serve, name)
    raise AttributeError(f"module 'perf_gate' has no attribute {name!r}")


__all__ = ["Context", "PROTOCOL_VERSION", "serve", "__version__"]
