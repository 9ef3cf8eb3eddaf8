"""The package's layers point down only: the import contract in setup.cfg, checked by import-linter.

The contract is checked on the package as it is, and on copies with one upward import planted:
the two cycles the package once had (the operators importing the fusion's shape rule, the plotting
importing the command line's parser pieces) must each break it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("importlinter", reason="import-linter is not installed")

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run ``lint-imports`` on the package found at ``root / "refimpl"``, with ``root``'s setup.cfg."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True))"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )


def copy_with(tmp_path: Path, module: str, line: str) -> Path:
    """A copy of the package and its setup.cfg with ``line`` appended to ``module``."""
    shutil.copytree(ROOT / "refimpl", tmp_path / "refimpl", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "setup.cfg", tmp_path / "setup.cfg")
    path = tmp_path / "refimpl" / module
    path.write_text(path.read_text() + f"\n\ndef _planted() -> None:\n    {line}\n")
    return tmp_path


def test_the_package_keeps_its_layers() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "importer", "imported"),
    [
        (
            "operators/blocks.py",
            "from ..functions import dual_lphm",
            "refimpl.operators",
            "refimpl.functions",
        ),
        ("plotting/__init__.py", "from ..cli import main", "refimpl.plotting", "refimpl.cli"),
        (
            "functions/duplicated_padding.py",
            "from ..oracle import mistakes",
            "refimpl.functions",
            "refimpl.oracle",
        ),
    ],
)
def test_an_upward_import_breaks_the_contract(
    tmp_path: Path, module: str, line: str, importer: str, imported: str
) -> None:
    result = lint_imports(copy_with(tmp_path, module, line))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{importer} is not allowed to import {imported}" in result.stdout
