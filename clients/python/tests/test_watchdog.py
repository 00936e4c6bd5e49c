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

    @unittest.skipUnless(hasattr(os, "waitid"), "needs os.waitid to leave a zombie")
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

    def test_a_runner_pid_not_visible_from_here_is_not_watched(self):
        # Another PID namespace: the PID means nothing here, and must not stop the worker.
        gone = _start_sleeper()
        gone.kill()
        gone.wait()
        called = []
        with open(os.devnull, "w") as quiet, mock.patch.object(sys, "stderr", quiet):
            watching = _watchdog.watch_runner({_watchdog.RUNNER_PID_ENV: str(gone.pid)}, on_gone=called.append)
        self.assertIsNone(watching)
        self.assertEqual(called, [])

    def test_a_check_that_fails_stops_the_watching_not_the_worker(self):
        runner = _start_sleeper()
        called = []
        try:
            # The polling path (no pidfd), where a check runs every period.
            with open(os.devnull, "w") as quiet, mock.patch.object(sys, "stderr", quiet), mock.patch.object(
                _watchdog, "runner_alive", side_effect=[True, True, ValueError("odd /proc")]
            ), mock.patch.object(_watchdog, "_open_pidfd", return_value=None):
                thread = _watchdog.watch_runner(
                    {_watchdog.RUNNER_PID_ENV: str(runner.pid)}, on_gone=called.append, period=0.01
                )
                thread.join(5)
            self.assertFalse(thread.is_alive())
            self.assertEqual(called, [])  # the runner still lives: no stop
        finally:
            runner.kill()
            runner.wait()

    @unittest.skipUnless(hasattr(os, "pidfd_open"), "needs os.pidfd_open (Linux)")
    def test_with_a_pidfd_the_watch_never_wakes_before_the_runner_exits(self):
        # No polling: a wake would take the GIL inside the worker's timed iterations.
        runner = _start_sleeper()
        gone = threading.Event()
        with mock.patch.object(_watchdog.time, "sleep", side_effect=AssertionError("polled")) as sleep:
            _watchdog.watch_runner(
                {_watchdog.RUNNER_PID_ENV: str(runner.pid)}, on_gone=lambda pid: gone.set(), period=0.01
            )
            self.assertFalse(gone.wait(0.3))
            runner.kill()
            runner.wait()
            self.assertTrue(gone.wait(5))
        sleep.assert_not_called()

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
