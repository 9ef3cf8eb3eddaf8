"""A run without an optional library says so once per library in pytest's summary, not once per test.

The run below is a real pytest run in a subprocess in which an import hook refuses PyTorch, JAX
and Dask, as on a machine without them: the skips come from the ``xp`` fixture, from
``pytest.importorskip`` in test bodies and at module level, and from doctests that import a
missing library, each in its own words and at its own line. Without the rootdir conftest's
folding, each of those places is a line of its own.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RUN_WITHOUT = """
import sys
BLOCKED = {"torch", "jax", "dask"}
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Refuse())
import pytest
sys.exit(pytest.main(sys.argv[1:]))
"""


def test_one_summary_line_per_missing_library() -> None:
    args = ["tests/test_jax.py", "tests/test_adapters.py", "docs/backends.rst", "tests/test_operators.py"]
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            RUN_WITHOUT,
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-k",
            "torch or jax or dask or Dask or backends",
            *args,
        ],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"},  # CI's -n needs xdist, off here
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    skipped = [line for line in run.stdout.splitlines() if line.startswith("SKIPPED")]
    for library in ("PyTorch", "JAX", "Dask"):
        lines = [line for line in skipped if f"{library} is not installed" in line]
        assert len(lines) == 1, (library, skipped)
        count = int(re.search(r"SKIPPED \[(\d+)\]", lines[0]).group(1))  # type: ignore[union-attr]
        assert count > 1, lines  # several skips, folded into the one line
        assert re.search(r"conftest\.py:\d+: ", lines[0]), lines
    libraries = ("PyTorch", "JAX", "Dask", "CuPy")
    assert all(any(f"{name} is not installed" in line for name in libraries) for line in skipped), skipped
