"""The runner watchdog: a worker outlives a SIGKILLed runner by about a second, no more."""

import os
import subprocess
import sys
import threading
import unittest
from unittest import mock

from perf_gate import _watchdog


def _start_sleeper():
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


class RunnerAlive(unittest.TestCase):
    def test_this_process_is_alive(self):
        stat = _watchdog._stat(os.getpid())
        self.assertTrue(_watchdog.runner_alive(os.getpid(), None if stat is None else stat[1]))
        self.assertTrue(_watchdog.runner_alive(os.getpid()))

    def test_a_dead_process_is_gone_even_before_it_is_reaped(self):
        proc = _start_sleeper()
        stat = _watchdog._stat(proc.pid)
        proc.kill()
        os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)  # dead, not reaped: a zombie
        try:
            if stat is not None:  # Linux: the zombie counts as gone
                self.assertFalse(_watchdog.runner_alive(proc.pid, stat[1]))
        finally:
            proc.wait()
        self.assertFalse(_watchdog.runner_alive(proc.pid))

    def test_a_reused_pid_is_not_the_runner(self):
        stat = _watchdog._stat(os.getpid())
        if stat is None:
            self.skipTest("no /proc here")
        self.assertFalse(_watchdog.runner_alive(os.getpid(), stat[1] + b"1"))


class WatchRunner(unittest.TestCase):
    def test_calls_back_once_the_runner_is_killed(self):
        runner = _start_sleeper()
        gone = threading.Event()
        seen = []
        thread = _watchdog.watch_runner(
            {_watchdog.RUNNER_PID_ENV: str(runner.pid)},
            on_gone=lambda pid: (seen.append(pid), gone.set()),
            period=0.02,
        )
        self.assertIsNotNone(thread)
        self.assertFalse(gone.wait(0.2))  # alive: no call
        runner.kill()
        runner.wait()
        self.assertTrue(gone.wait(5))
        self.assertEqual(seen, [runner.pid])

    def test_without_a_runner_pid_nothing_is_watched(self):
        self.assertIsNone(_watchdog.watch_runner({}))
        self.assertIsNone(_watchdog.watch_runner({_watchdog.RUNNER_PID_ENV: "not-a-pid"}))

    def test_stops_even_when_stderr_is_a_pipe_to_the_dead_runner(self):
        # Found on the first try: the farewell line raised BrokenPipeError, which ended
        # the watching thread before it could exit, and the worker lived on.
        read_end, write_end = os.pipe()
        os.close(read_end)
        broken = os.fdopen(write_end, "w")
        try:
            with mock.patch.object(sys, "stderr", broken), mock.patch.object(os, "_exit") as exit_:
                _watchdog._stop(12345)
            exit_.assert_called_once_with(_watchdog.RUNNER_GONE_EXIT)
        finally:
            try:
                broken.close()
            except OSError:
                pass
