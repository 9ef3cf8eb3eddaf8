"""``refimpl check`` on the command line: the candidate's import, ``--config``, the progress, the bounds.

Issue 11: a candidate in the current folder is found as ``python -m`` finds it, one that cannot
be imported is reported as its file and line, ``--config`` is checked against the function's
arguments, and the progress counts out of ``--examples``; all without a traceback (exit 2).
The report itself is tested with the oracle (``test_oracle.py``).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import SCRIPT, assert_usage_error, run_cli

# -- check: the candidate, --config, the progress ---------------------------------------------------

FAITHFUL = """
import numpy as np

def pad(w, n, D, p, q):
    W = np.reshape(np.asarray(w) * 1.0, (n // p, D // q))
    return np.block([[W] * q] * p)
"""


def write_candidate(folder: Path, name: str, text: str) -> str:
    """A candidate module in ``folder`` named uniquely (modules are cached by name)."""
    import uuid

    module = f"{name}_{uuid.uuid4().hex[:8]}"
    (folder / f"{module}.py").write_text(text, encoding="utf-8")
    return module


def test_check_imports_a_candidate_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``refimpl check mycand:f`` in the folder holding ``mycand.py`` said "No module named 'mycand'"."""
    module = write_candidate(tmp_path, "mycand", FAITHFUL)
    monkeypatch.chdir(tmp_path)
    path = list(sys.path)
    result = run_cli("check", f"{module}:pad", "--function", "duplicated_padding", "--examples", 5)
    assert result.code == 0, result
    assert "PASS" in result.out
    assert sys.path == path  # as it was, afterwards


@pytest.mark.skipif(SCRIPT is None, reason="the refimpl console script is not installed beside this Python")
def test_the_console_script_finds_a_candidate_in_the_current_folder(tmp_path: Path) -> None:
    (tmp_path / "mycand.py").write_text(FAITHFUL, encoding="utf-8")
    result = subprocess.run(
        [str(SCRIPT), "check", "mycand:pad", "--function", "duplicated_padding", "--examples", "5"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "PASS" in result.stdout


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        ("import numpy\n\ndef pad(:\n    pass\n", [r"line 3", "SyntaxError"]),
        ("x = 1\nraise RuntimeError('boom at import')\n", [r"line 2", "RuntimeError: boom at import"]),
        (
            "import numpy\nimport refimpl_no_such_dependency\n",
            [r"line 2", "No module named 'refimpl_no_such_dependency'"],
        ),
    ],
    ids=["syntax error", "raises at import", "missing dependency"],
)
def test_a_candidate_that_cannot_be_imported_gives_its_file_and_line(
    text: str, facts: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = write_candidate(tmp_path, "broken", text)
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", f"{module}:pad", "--function", "duplicated_padding")
    assert_usage_error(result, re.escape(str(tmp_path / f"{module}.py")), *facts)


def test_a_candidate_module_that_does_not_exist_says_where_it_was_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "refimpl_nowhere:f", "--function", "duplicated_padding")
    assert_usage_error(result, "refimpl_nowhere", re.escape(str(tmp_path)), r"refimpl_nowhere\.py")


@pytest.mark.parametrize(
    ("config", "facts"),
    [
        ('{"n": 4}', ["missing: D, p"]),
        ('{"n": 4, "D": 4, "p": null}', ["missing: p"]),
        ('{"n": 4, "D": 4, "p": 2, "s": 2, "zz": 1}', ["no key 's', 'zz'", "its keys: n, D, p, q"]),
        ('{"n": 4, "D": 4, "p": "2"}', ['p must be an integer, got "2"']),
        ('{"n": 4, "D": 4, "p": true}', ["p must be an integer, got true"]),
        ('{"n": 5, "D": 4, "p": 2}', ["n=5 is not divisible by p=2"]),
        ('{"n": 100000, "D": 100000, "p": 1}', ["10000000000 values", "74.5 GiB"]),
    ],
)
def test_check_config_is_checked_against_the_function_s_arguments(config: str, facts: list[str]) -> None:
    """``--config '{"n": 4}'`` gave a KeyError traceback and Hypothesis noise; unknown keys were ignored."""
    result = run_cli(
        "check", "refimpl.examples:faithful_dual_lphm", "--function", "duplicated_padding", "--config", config
    )
    assert_usage_error(result, *(re.escape(f) for f in facts))
    assert "KeyError" not in result.err and "Hypothesis" not in result.err


def test_check_config_of_a_fusion_names_wrong_lists() -> None:
    argv = ["check", "refimpl.examples:faithful_dual_lphm", "--function", "dual_lphm_fusion", "--config"]
    assert_usage_error(
        run_cli(*argv, '{"dims": 2, "p": 2, "r": 1}'), "dims must be a list of integers, got 2"
    )
    assert_usage_error(
        run_cli(*argv, '{"dims": [2], "p": 2, "r": 1, "batch": [-1]}'),
        re.escape("batch must not be negative"),
    )


@pytest.mark.parametrize("q", ["", ', "q": null'], ids=["q left out", "q null"])
def test_check_config_applies_the_defaults(q: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Leaving out ``q`` (or ``"q": null``) means ``q = p``: a candidate without a default for q
    is called with ``q = p`` and passes (it was a KeyError, or None reached the candidate)."""
    module = write_candidate(tmp_path, "noqdefault", FAITHFUL)
    monkeypatch.chdir(tmp_path)
    result = run_cli(
        "check",
        f"{module}:pad",
        "--function",
        "duplicated_padding",
        "--examples",
        5,
        "--config",
        '{"n": 4, "D": 6, "p": 2' + q + "}",
    )
    assert result.code == 0, result
    assert "duplicated_padding(n=4, D=6, p=2, q=2)" in result.out


@pytest.mark.parametrize(
    ("argv", "given"),
    [
        (["--function", "dual_lphm"], "--function needs"),
        (["--config", '{"n": 4}'], "--config needs"),
        (["--function", "dual_lphm", "--config", "{}"], "--function and --config need"),
    ],
)
def test_check_refuses_function_and_config_without_a_candidate(argv: list[str], given: str) -> None:
    assert_usage_error(run_cli("check", *argv), re.escape(given), "MODULE:CALLABLE")


@pytest.mark.parametrize(("target", "examples"), [("faithful_dual_lphm", 30), ("column_major_dual_lphm", 60)])
def test_check_progress_counts_the_drawn_cases_out_of_the_examples(target: str, examples: int) -> None:
    """The counter ran past ``--examples`` and showed no total; it also counted the edge cases
    as drawn ones, and the draws after a failure as the shrinking's."""
    result = run_cli("check", f"refimpl.examples:{target}", "--function", "dual_lphm", "--examples", examples)
    counts = [(int(a), int(b)) for a, b in re.findall(r"(\d+)/(\d+) drawn cases checked", result.err)]
    assert counts and all(total == examples and 0 < done <= examples for done, total in counts), result.err
    assert [done for done, _ in counts] == sorted(done for done, _ in counts)
    drawn = re.search(r"(\d+) drawn\b", result.out)  # the report's count of the drawn cases
    assert drawn and counts[-1][0] == int(drawn.group(1)), (result.out, result.err)
    failures = re.findall(r"(edge case \d+|drawn case \d+/\d+) failed", result.err)
    shrinking = re.findall(r"shrinking: (\d+) cases tried", result.err)
    if result.code == 0:
        assert counts[-1] == (examples, examples) and not failures and not shrinking, result.err
    else:
        assert len(failures) == 1 and shrinking, result.err  # the first failure, named once
        assert result.err.index(failures[0]) < result.err.index("shrinking:")
        assert re.search(r"while shrinking", result.out), result.out


@pytest.mark.parametrize(
    ("option", "value", "most"),
    [("--max-side", 33, 32), ("--max-rows", 4097, 4096), ("--max-side", 10**20, 32)],
)
def test_check_refuses_sides_and_rows_too_large_to_check_in_memory(
    option: str, value: int, most: int
) -> None:
    """``--max-side 1000000`` drew cases that ran out of memory with a traceback."""
    result = run_cli("check", "refimpl.examples:faithful_dual_lphm", "--function", "dual_lphm", option, value)
    assert_usage_error(result, f"{option}: must be at most {most}, got {value}")
