"""`python -m perf_gate`: the client's command line.

  python -m perf_gate run worker.py [--iterations N] ...   a worker on its own, timed
  python -m perf_gate --version
"""

import sys

from . import __version__
from ._local import main_run

USAGE = (
    "usage: python -m perf_gate run <worker.py> [--iterations N] [--warmup N] [--dtype D] [--option K=V] [--json]\n"
    "       python -m perf_gate --version"
)


def main(argv):
    if argv[:1] in (["--version"], ["-V"]):
        print(f"perf-gate-client {__version__}")
        return 0
    if argv[:1] == ["run"]:
        return main_run(argv[1:])
    print(USAGE, file=sys.stderr)
    return 0 if argv[:1] in (["--help"], ["-h"]) else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
