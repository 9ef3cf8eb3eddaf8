"""The ``refimpl`` command."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from refimpl.cli import main


def test_no_arguments_prints_a_worked_example_of_each_function(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    for name in ("duplicated_padding", "duplicated_diagonal_padding", "dual_lphm", "dual_lphm_fusion"):
        assert f"{name}(w" in out or f"{name}([" in out
    # kron(ones(2, 3), [[1, 2], [3, 4]]), by hand:
    assert "1 2 1 2 1 2\n  3 4 3 4 3 4\n  1 2 1 2 1 2\n  3 4 3 4 3 4" in out
    # kron(eye(3, 2), [[1, 2], [3, 4]]): the third block row holds only structural zeros.
    assert "1 2 . .\n  3 4 . .\n  . . 1 2\n  . . 3 4\n  . . . .\n  . . . ." in out
    assert "storing 8 entries" in out


def test_show_prints_l_and_the_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["show", "dual_lphm", "--n", "2", "--D", "2", "--p", "1", "--r", "1", "--w", "2", "1", "1", "2", "1", "3"]
    assert main(argv) == 0
    # P = [[2]], Q = [[1]], S = [[1], [2]], T = [[1], [3]]: 2 * [[1, 3], [2, 6]]
    assert capsys.readouterr().out == "dual_lphm: l = 6\n   2  6\n   4 12\n"


@pytest.mark.parametrize(
    ("argv", "l"),
    [
        (["l", "duplicated_padding", "--n", "6", "--D", "4", "--p", "3", "--q", "2"], 4),
        (["l", "dual_lphm_fusion", "--dims", "2", "4", "--n", "3", "--p", "2", "--q", "3", "--r", "2"], 18),
        (["l", "concatenation_fusion", "--dims", "2", "4", "--n", "3"], 18),
    ],
)
def test_l_command(argv: list[str], l: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    assert capsys.readouterr().out == f"{l}\n"


def test_show_fusions_and_diagonal_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "concatenation_fusion", "--dims", "1", "1", "--n", "2", "--m", "1", "--w", "1", "0", "0", "1"]) == 0
    assert capsys.readouterr().out.endswith("  1 2\n")  # [1, 2] @ eye(2)
    assert main(["show", "duplicated_diagonal_padding", "--n", "2", "--D", "2", "--p", "2", "--format", "coo"]) == 0
    assert capsys.readouterr().out == "duplicated_diagonal_padding: l = 1\n  1 .\n  . 1\n"
    assert main(["show", "dual_lphm_fusion", "--dims", "2", "--p", "2", "--r", "1", "--m", "1"]) == 0
    assert "l = 6" in capsys.readouterr().out


def test_bad_input_exits_2_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "duplicated_padding", "--n", "5", "--D", "4", "--p", "2"]) == 2
    assert capsys.readouterr().err == "refimpl: error: n=5 is not divisible by p=2\n"
    assert main(["show", "dual_lphm", "--n", "4"]) == 2
    assert "needs --D, --p, --r" in capsys.readouterr().err


SCRIPT = shutil.which("refimpl", path=str(Path(sys.executable).parent))


@pytest.mark.skipif(SCRIPT is None, reason="the refimpl console script is not installed beside this Python")
def test_console_script_and_help() -> None:
    result = subprocess.run([str(SCRIPT), "--help"], capture_output=True, text=True, check=True)
    for command in ("demo", "show", "l"):
        assert command in result.stdout
    demo = subprocess.run([sys.executable, "-m", "refimpl"], capture_output=True, text=True, check=True)
    assert "worked examples" in demo.stdout
