"""JSON lines over the runner's two protocol descriptors: descriptors of their own, so
that what the workload (or any library) prints on stdout/stderr cannot corrupt them."""

import json
import os
import sys

PROTOCOL_VERSION = 1
VERSION = "0.1.0"
_NOT_UNDER_RUNNER = 2  # exit status when the runner did not start this script


class Channel:
    """Reads the runner's requests and writes replies, one JSON object per line."""

    def __init__(self, fd_in, fd_out):
        # Subprocesses (data loaders, shells) must not hold the protocol open:
        # the runner relies on end-of-file when the worker dies.
        for fd in (fd_in, fd_out):
            os.set_inheritable(fd, False)
        self._in = os.fdopen(fd_in, "r", encoding="utf-8", newline="\n")
        self._out = os.fdopen(fd_out, "w", encoding="utf-8", newline="\n")

    @classmethod
    def from_environment(cls):
        """The runner's channel, or exit saying how this script is meant to run."""
        try:
            return cls(int(os.environ["PERF_GATE_FD_IN"]), int(os.environ["PERF_GATE_FD_OUT"]))
        except (KeyError, ValueError, OSError) as error:
            sys.stderr.write(
                f"perf_gate: no protocol channel ({error!r}). This script is a perf-gate worker: the\n"
                "runner opens its protocol descriptors (PERF_GATE_FD_IN / PERF_GATE_FD_OUT).\n"
                "Run it through vggt-perf-gate (workload kind 'worker') instead of directly.\n"
            )
            sys.exit(_NOT_UNDER_RUNNER)

    def send(self, message):
        # default=str: an odd value in `extra` must not take the whole run down.
        self._out.write(json.dumps(message, default=str) + "\n")
        self._out.flush()

    def receive(self):
        """The next request, or None once the runner has closed the channel."""
        line = self._in.readline()
        return json.loads(line) if line else None
