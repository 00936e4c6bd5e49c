"""The pytest plugin's guards (stdlib unittest driving pytest in a subprocess; skipped without pytest)."""

import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

CLIENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

try:
    import pytest  # noqa: F401

    HAS_PYTEST = True
except ImportError:
    HAS_PYTEST = False

TWO_BENCHMARKS = textwrap.dedent(
    """
    def test_a(perf_gate):
        perf_gate(lambda: None)

    def test_b(perf_gate):
        perf_gate(lambda: None)
    """
)


def pytest_run(path, *args, env=None):
    full = {**os.environ, "PYTHONPATH": CLIENT, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "pytest", path, "-p", "perf_gate.pytest_plugin", "-p", "no:cacheprovider", "-q", *args],
        capture_output=True, text=True, env=full, timeout=120,
    )


@unittest.skipUnless(HAS_PYTEST, "pytest is not installed in this python")
class TestPytestPlugin(unittest.TestCase):
    def setUp(self):
        self.path = os.path.join(tempfile.mkdtemp(prefix="perf-gate-plugin-"), "test_two.py")
        with open(self.path, "w", encoding="utf-8") as f:
            f.write(TWO_BENCHMARKS)

    def test_plain_pytest_times_each_benchmark(self):
        r = pytest_run(self.path, "--perf-gate-iterations", "2")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("test_two.py::test_a: median", r.stdout)
        self.assertIn("test_two.py::test_b: median", r.stdout)

    def test_under_the_gate_a_selection_of_two_benchmarks_is_refused(self):
        # As the runner starts a worker (the channel is never reached: collection refuses first).
        r = pytest_run(self.path, env={"PERF_GATE_SOCKET": os.path.join(CLIENT, "no-such-socket")})
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("under the gate a worker is one benchmark, and this selection has 2", r.stdout + r.stderr)

    def test_bad_options_are_usage_errors(self):
        r = pytest_run(self.path, "--perf-gate-iterations", "0")
        self.assertEqual(r.returncode, 4)  # pytest's usage error
        self.assertIn("--perf-gate-iterations must be 1 or more", r.stderr)


if __name__ == "__main__":
    unittest.main()
