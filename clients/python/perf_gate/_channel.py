"""JSON lines over the runner's protocol channel: descriptors (or a socket) of their own,
so that what the workload (or any library) prints on stdout/stderr cannot corrupt them.

Two ways in, same messages:
  fds       PERF_GATE_FD_IN / PERF_GATE_FD_OUT (3 and 4): the process the runner started.
  socket    PERF_GATE_SOCKET, a Unix socket path: rank 0 of a job started by a launcher
            (torchrun closes every inherited descriptor but 0-2 in the ranks it starts).
"""

import json
import os
import socket
import sys

from ._version import __version__ as VERSION

PROTOCOL_VERSION = 1
_NOT_UNDER_RUNNER = 2  # exit status when the runner did not start this script


class Channel:
    """Reads the runner's requests and writes replies, one JSON object per line."""

    def __init__(self, reader, writer):
        self._in, self._out = reader, writer

    @classmethod
    def from_fds(cls, fd_in, fd_out):
        # Subprocesses (data loaders, shells) must not hold the protocol open:
        # the runner relies on end-of-file when the worker dies.
        for fd in (fd_in, fd_out):
            os.set_inheritable(fd, False)
        return cls(
            os.fdopen(fd_in, "r", encoding="utf-8", newline="\n"),
            os.fdopen(fd_out, "w", encoding="utf-8", newline="\n"),
        )

    @classmethod
    def from_socket(cls, path):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(path)  # the socket is created non-inheritable
        return cls(
            sock.makefile("r", encoding="utf-8", newline="\n"),
            sock.makefile("w", encoding="utf-8", newline="\n"),
        )

    @classmethod
    def from_environment(cls, launched):
        """The runner's channel, or exit saying how this script is meant to run.

        launched: True in a rank started by torchrun (or a similar launcher). Its fds 3 and
        4 were closed by the launcher and may since have been reused for something else, so
        it must not touch them: it connects to PERF_GATE_SOCKET.
        """
        env = os.environ
        try:
            if launched or "PERF_GATE_FD_IN" not in env:
                return cls.from_socket(env["PERF_GATE_SOCKET"])
            return cls.from_fds(int(env["PERF_GATE_FD_IN"]), int(env["PERF_GATE_FD_OUT"]))
        except (KeyError, ValueError, OSError) as error:
            sys.stderr.write(
                f"perf_gate: no protocol channel ({error!r}). This script is a perf-gate worker: the\n"
                "runner opens its protocol channel (PERF_GATE_FD_IN / PERF_GATE_FD_OUT, or\n"
                "PERF_GATE_SOCKET for ranks started by torchrun). Run it through vggt-perf-gate\n"
                "(workload kind 'worker'), or time it on its own, without the gate:\n"
                f"  python -m perf_gate run {sys.argv[0] or 'worker.py'} --iterations 30\n"
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
