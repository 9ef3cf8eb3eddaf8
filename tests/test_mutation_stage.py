"""CI's mutation stage (``tools/mutation.py`` with no arguments) on a scratch copy of the repository.

The stage mutates only the core functions whose source changed since the committed record of the
last full run. Here it is shown to do nothing, and say so, on an unchanged core, and to fail,
naming the mutant, when a change plants a mutant that no test can kill. To keep the run short,
the scratch copy's mutmut mutates ``refimpl/shapes.py`` alone and runs its tests alone, and the
planted change is in that module. The scratch copy's record is made current for its source first
(:func:`_record_made_current`): what is tested is the stage's mechanism, and the repository's own
record going stale after a change to the core is what CI's stage reports, not a failure here.
"""

from __future__ import annotations

import configparser
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mutmut", reason="the mutation extra (pip install -e '.[mutation]') is not installed")

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("refimpl", "tests", "tools", "setup.cfg", "pyproject.toml", "conftest.py")


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A copy of the repository whose mutmut mutates ``refimpl/shapes.py`` only and runs
    ``tests/test_shapes.py`` only."""
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", ".hypothesis")
            )
        else:
            shutil.copy2(source, tmp_path / name)
    setup = tmp_path / "setup.cfg"
    text = setup.read_text()
    narrowed = {
        "only_mutate": "refimpl/shapes.py",
        "pytest_add_cli_args_test_selection": "tests/test_shapes.py",
    }
    for option, value in narrowed.items():
        block = re.compile(rf"^{option} =\n(?:[ \t]+\S.*\n)+", re.MULTILINE)
        text, count = block.subn(f"{option} =\n    {value}\n", text)
        assert count == 1, f"setup.cfg's [mutmut] section has no {option} to narrow"
    setup.write_text(text)
    config = configparser.ConfigParser()
    config.read(setup)
    for option, value in narrowed.items():
        assert config["mutmut"][option].split() == [value]
    _record_made_current(tmp_path)
    return tmp_path


def _record_made_current(folder: Path) -> None:
    """The copy's record with the hashes of the copy's core functions and selected test files, as a
    full run just renewed it would have them (the verdict counts of each function are kept)."""
    spec = importlib.util.spec_from_file_location("scratch_mutation", folder / "tools" / "mutation.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = tool  # its dataclasses look their module up there
    try:
        spec.loader.exec_module(tool)
    finally:
        del sys.modules[spec.name]
    record = tool.load_record()
    current = {f: h for module in tool.CORE for f, h in tool.function_hashes(module).items()}
    recorded = record["functions"]
    record["functions"] = {
        f: {**recorded.get(f, {"mutants": 0, "killed": 0}), "hash": h} for f, h in current.items()
    }
    record["tests"] = tool.selection_hashes()
    tool.RECORD.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def stage(folder: Path) -> subprocess.CompletedProcess[str]:
    """The stage as CI runs it: without this run's pytest options (``PYTEST_ADDOPTS`` would give
    mutmut's own pytest xdist's workers, whose calls its statistics do not see), xdist's
    variables, or coverage's measurement of subprocesses."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COVERAGE_", "COV_CORE_"))}
    return subprocess.run(
        [sys.executable, "tools/mutation.py", "-j", "1"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_an_unchanged_core_runs_no_mutant(scratch: Path) -> None:
    result = stage(scratch)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\d+ functions in the core, 0 changed since, 0 removed", result.stdout), result.stdout
    assert "nothing to mutate" in result.stdout
    assert "changed: refimpl." not in result.stdout
    assert not (scratch / "mutants").exists()  # mutmut never started


def test_a_surviving_mutant_in_a_changed_function_fails_the_stage(scratch: Path) -> None:
    shapes = scratch / "refimpl" / "shapes.py"
    source = shapes.read_text()
    original = '    return p if q is None else check_dim(q, "q")\n'
    assert original in source
    # A string no test reads: mutmut's change to it ("XX" around it) survives every test.
    planted = '    _ = "a note no test reads"\n' + original
    shapes.write_text(source.replace(original, planted))
    result = stage(scratch)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "STALE RECORD" in result.stdout
    assert "changed: refimpl.shapes.x_default_q\n" in result.stdout
    assert re.search(r"refimpl\.shapes\.x_default_q__mutmut_\d+: survived", result.stdout), output
    # Only the changed function was mutated.
    judged = re.findall(r"^(\w+)\s+(\d+)\s+\d+", result.stdout, re.MULTILINE)
    assert judged and all(module == "shapes" for module, _ in judged), result.stdout
