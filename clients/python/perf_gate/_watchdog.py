"""Ends this worker when the runner that started it is gone.

The runner stops its workers itself (it kills their process groups, torchrun's ranks
included) on every exit it sees: done, failure, SIGINT, SIGTERM. A runner killed with
SIGKILL, or by the OOM killer, cannot. Its workers would notice only at their next read
of the closed channel, which for a worker inside a long setup or step can be minutes
away, holding GPU memory all the while (seen on a GPU: two torchrun ranks building a
model outlived a SIGKILLed runner). So every worker, every rank under torchrun, checks
once a second that the runner named by PERF_GATE_RUNNER_PID still lives, and exits when
it does not. watch_runner() is the first thing serve() does; work a script does before
calling serve() (imports, a model built at module level) is not covered.

Where Linux offers a pidfd for the runner, the thread blocks on it instead of polling:
it then never wakes (and never takes the GIL from the worker, inside its timed
iterations) until the runner exits. Elsewhere it polls once a second, a wake of some
tens of microseconds.
"""

import os
import select
import sys
import threading
import time

RUNNER_PID_ENV = "PERF_GATE_RUNNER_PID"
RUNNER_GONE_EXIT = 3  # exit status of a worker that stopped because its runner was gone
_PERIOD_S = 1.0


def _stat(pid):
    """(state, start time) from /proc/<pid>/stat, or None where there is no such file.

    The start time tells the runner from a later process that reuses its PID; the state
    tells a dead runner whose parent has not reaped it yet (a zombie) from a live one.
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(b")") + 2 :].split()  # the command name may hold spaces
    return fields[0], fields[19]  # fields 3 (state) and 22 (starttime) of proc(5)


def runner_alive(pid, started=None):
    """True while process `pid` lives (and, with `started` from _stat, is the same one)."""
    if started is not None:
        now = _stat(pid)
        return now is not None and now[1] == started and now[0] != b"Z"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _stop(pid):
    try:  # stderr is most likely a pipe to the dead runner: _note ignores a failed write
        _note(f"the runner (pid {pid}) is gone; this worker stops (exit {RUNNER_GONE_EXIT})")
    finally:
        os._exit(RUNNER_GONE_EXIT)  # from a thread, while the main thread may be deep in CUDA work


def _note(text):
    try:
        sys.stderr.write(f"perf-gate: {text}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _open_pidfd(pid, started):
    """A pidfd for the runner, or None (no pidfd_open here, or it failed). Checked
    against the start time after opening, so it cannot refer to a process that reused
    the runner's PID."""
    if not hasattr(os, "pidfd_open"):
        return None
    try:
        fd = os.pidfd_open(pid)
    except OSError:
        return None
    if started is not None and not runner_alive(pid, started):
        os.close(fd)
        return None
    return fd


def watch_runner(environ=None, on_gone=_stop, period=_PERIOD_S):
    """Starts the check in a daemon thread; returns it, or None when there is nothing to watch.

    Nothing is watched without a runner PID, or when that PID cannot be seen from here
    at the start (another PID namespace, such as a container given the variable): the
    runner is then not known to be gone, and stopping would be wrong.
    """
    value = (os.environ if environ is None else environ).get(RUNNER_PID_ENV, "")
    if not value.isdigit():
        return None
    pid = int(value)
    stat = _stat(pid)
    started = None if stat is None else stat[1]
    if not runner_alive(pid, started):
        _note(f"the runner's pid {pid} ({RUNNER_PID_ENV}) is not visible here; not watching it")
        return None

    pidfd = _open_pidfd(pid, started)

    def watch():
        try:
            if pidfd is not None:
                select.select([pidfd], [], [])  # readable once the runner has exited
            while runner_alive(pid, started):
                time.sleep(period)
        except Exception as error:  # a check that cannot be made must not look like a dead runner
            _note(f"stopped watching the runner (pid {pid}): {type(error).__name__}: {error}")
            return
        on_gone(pid)

    thread = threading.Thread(target=watch, name="perf-gate-runner-watch", daemon=True)
    thread.start()
    return thread
