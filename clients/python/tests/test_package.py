"""The client as a package: one version, a typed public API, and what a build ships."""

import inspect
import os
import re
import sys
import typing
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

import perf_gate  # noqa: E402
from perf_gate import _channel  # noqa: E402


def read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return f.read()


class TestPackage(unittest.TestCase):
    def test_one_version_everywhere(self):
        # pyproject.toml reads it from _version.py; the hello message sends the same.
        pyproject = read("pyproject.toml")
        self.assertIn('dynamic = ["version"]', pyproject)
        self.assertIn('version = { attr = "perf_gate._version.__version__" }', pyproject)
        project = pyproject.split("[project]", 1)[1].split("\n[", 1)[0]
        self.assertNotRegex(project, r"(?m)^version\s*=")  # no second, static version
        written = re.search(r'__version__ = "([^"]+)"', read("perf_gate", "_version.py")).group(1)
        self.assertEqual(perf_gate.__version__, written)
        self.assertEqual(_channel.VERSION, written)

    def test_the_public_api_is_typed(self):
        self.assertTrue(os.path.exists(os.path.join(ROOT, "perf_gate", "py.typed")))
        self.assertIn('perf_gate = ["py.typed"]', read("pyproject.toml"))
        for name in perf_gate.__all__:
            value = getattr(perf_gate, name)
            if not callable(value):
                continue
            target = value.__init__ if inspect.isclass(value) else value
            hints = typing.get_type_hints(target)
            params = [p for p in inspect.signature(target).parameters if p != "self"]
            self.assertEqual(sorted(set(params) - set(hints)), [], f"{name} has untyped parameters")
            self.assertIn("return", hints, f"{name} has no return type")


if __name__ == "__main__":
    unittest.main()
