"""perf-gate worker client: makes a benchmark a worker the perf gate can drive.

Write setup(ctx) -> state and step(state), then call serve(setup, step); see
README.md. Standard library only; torch is used when importable, never required.
"""

from ._channel import PROTOCOL_VERSION
from ._serve import Context, serve
from ._version import __version__
__all__ = ["Context", "PROTOCOL_VERSION", "serve", "__version__"]
