"""`python -m perf_gate run worker.py`: a worker timed on its own, no gate (stdlib only)."""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

CLIENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

WORKER = textwrap.dedent(
    """
    import sys, time
    import perf_gate

    def setup(ctx):
        if ctx.options.get("fail"):
            raise RuntimeError("no model file here")
        print("options", sorted(ctx.options.items()), "dtype", ctx.dtype, file=sys.stderr)
        return ctx.options.get("ms", 1)

    def step(ms):
        time.sleep(ms / 1000)

    perf_gate.serve(setup, step, name="sleeper")
    """
)


def run(*args):
    env = {**os.environ, "PYTHONPATH": CLIENT}
    env.pop("PERF_GATE_LOCAL_RUN", None)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=60)


class TestLocalRun(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="perf-gate-local-")
        self.worker = os.path.join(self.dir, "worker.py")
        with open(self.worker, "w", encoding="utf-8") as f:
            f.write(WORKER)

    def test_prints_what_torch_utils_benchmark_users_expect(self):
        r = run("-m", "perf_gate", "run", self.worker, "--iterations", "6", "--warmup", "2")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertTrue(lines[0].startswith("sleeper  (perf-gate-client "), lines[0])
        self.assertRegex(r.stdout, r"Median: [\d.]+ ms")
        self.assertRegex(r.stdout, r"IQR: +[\d.]+ ms \([\d.]+ ms to [\d.]+ ms\)")
        self.assertIn("6 samples after 2 warm-up iterations, host clock", r.stdout)
        self.assertIn("Peak memory: not measured (no CUDA device in use)", r.stdout)
        self.assertIn("no verdict", r.stdout)

    def test_json_options_and_dtype_reach_the_worker(self):
        r = run("-m", "perf_gate", "run", self.worker, "--iterations", "4", "--json",
                "--option", "ms=2", "--option", "label=x", "--dtype", "bf16")
        self.assertEqual(r.returncode, 0, r.stderr)
        summary = json.loads(r.stdout)
        self.assertEqual(len(summary["samplesMs"]), 4)
        self.assertGreaterEqual(summary["medianMs"], 2.0)  # slept at least 2 ms per iteration
        self.assertEqual(summary["dtype"], "bf16")
        self.assertIn("options [('label', 'x'), ('ms', 2)] dtype bf16", r.stderr)

    def test_a_failing_setup_shows_its_traceback_and_fails(self):
        r = run("-m", "perf_gate", "run", self.worker, "--option", "fail=true")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("RuntimeError: no model file here", r.stderr)

    def test_bad_arguments_say_what_to_fix(self):
        missing = run("-m", "perf_gate", "run", os.path.join(self.dir, "nope.py"))
        self.assertEqual(missing.returncode, 2)
        self.assertIn("no worker script at", missing.stderr)
        zero = run("-m", "perf_gate", "run", self.worker, "--iterations", "0")
        self.assertEqual(zero.returncode, 2)
        self.assertIn("--iterations must be 1 or more", zero.stderr)
        option = run("-m", "perf_gate", "run", self.worker, "--option", "ms")
        self.assertIn("--option takes KEY=VALUE", option.stderr)

    def test_run_directly_it_says_how_to_time_it_alone(self):
        r = run(self.worker)
        self.assertEqual(r.returncode, 2)
        self.assertIn(f"python -m perf_gate run {self.worker}", r.stderr)

    def test_arguments_after_a_double_dash_are_the_scripts_own(self):
        script = os.path.join(self.dir, "argv.py")
        with open(script, "w", encoding="utf-8") as f:
            f.write("import sys, perf_gate\nprint('argv', sys.argv[1:], file=sys.stderr)\n"
                    "perf_gate.serve(lambda ctx: None, lambda s: None)\n")
        r = run("-m", "perf_gate", "run", script, "--iterations", "2", "--", "--size", "big")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("argv ['--size', 'big']", r.stderr)
        self.assertIn("2 samples", r.stdout)  # --iterations before -- was ours

    def test_a_script_that_never_serves_says_so(self):
        script = os.path.join(self.dir, "noserve.py")
        with open(script, "w", encoding="utf-8") as f:
            f.write("print('hello')\n")
        r = run("-m", "perf_gate", "run", script)
        self.assertEqual(r.returncode, 2)
        self.assertIn("did not call perf_gate.serve(setup, step)", r.stderr)

    def test_under_torchrun_it_refuses_rather_than_time_each_rank_alone(self):
        env = {**os.environ, "PYTHONPATH": CLIENT, "WORLD_SIZE": "2"}
        r = subprocess.run([sys.executable, "-m", "perf_gate", "run", self.worker], capture_output=True,
                           text=True, env=env, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertIn("under torchrun, run the job through the gate", r.stderr)

    def test_version(self):
        from perf_gate import __version__

        r = run("-m", "perf_gate", "--version")
        self.assertEqual(r.stdout.strip(), f"perf-gate-client {__version__}")


if __name__ == "__main__":
    sys.path.insert(0, CLIENT)
    unittest.main()
