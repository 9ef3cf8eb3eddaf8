"""The ``refimpl`` command: its table of subcommands, their outputs, and bad input (exit 2, a message).

Bad input is answered with exit status 2 and ``refimpl: error: ...`` on stderr (argparse's own
errors too), never a traceback; an exception that is not bad input (a bug) is not disguised.
``refimpl check`` is tested with the oracle (``test_oracle.py``), ``refimpl vectors`` with the
golden vectors (``test_vectors.py``).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

import refimpl.cli.show
from refimpl import RefimplError
from refimpl.cli import COMMANDS, build_parser, main
from refimpl.functions import FUNCTIONS, get_function
from refimpl.strategies import configs, invalid_configs

PNG = b"\x89PNG\r\n\x1a\n"


class CliResult(NamedTuple):
    code: Any
    out: str
    err: str


def run_cli(*argv: Any) -> CliResult:
    """Run ``refimpl.cli.main``; an exception other than ``SystemExit`` propagates (and fails)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:  # argparse's errors: exit status 2
            code = exc.code
    return CliResult(code, out.getvalue(), err.getvalue())


def assert_usage_error(result: CliResult, *patterns: str) -> None:
    assert result.code == 2, result
    assert result.out == "", result.out
    assert "error" in result.err and "Traceback" not in result.err, result.err
    for pattern in patterns:
        assert re.search(pattern, result.err), f"stderr {result.err!r} does not match {pattern!r}"


def options(config: dict[str, Any], command: str = "show") -> list[str]:
    """``--n 4 --D 6 ...`` for a configuration dict (``None`` left out; no ``--batch`` option;
    no ``--m`` for ``l``, which does not take it)."""
    argv = []
    for key, value in config.items():
        if value is None or key == "batch" or (key == "m" and command == "l"):
            continue
        argv += [f"--{key}", *(str(v) for v in (value if isinstance(value, (list, tuple)) else [value]))]
    return argv


# -- the table of subcommands ----------------------------------------------------------------------


def test_help_lists_every_command_of_the_table_with_its_summary() -> None:
    result = run_cli("--help")
    assert result.code == 0
    text = " ".join(result.out.split())
    for command in COMMANDS:
        assert f"{command.name} {command.summary}" in text


@pytest.mark.parametrize("command", COMMANDS, ids=[c.name for c in COMMANDS])
def test_each_command_module_follows_the_protocol(command: Any) -> None:
    module = importlib.import_module(command.module)
    assert callable(module.add_arguments) and callable(module.run)
    result = run_cli(command.name, "--help")
    assert result.code == 0
    assert " ".join(module.DESCRIPTION.split()) in " ".join(result.out.split())


def test_a_parsed_command_is_dispatched_to_its_module_run() -> None:
    args = build_parser().parse_args(["show", "dual_lphm", "--n", "2", "--D", "2", "--p", "1", "--r", "1"])
    assert args.handler is refimpl.cli.show.run


def test_help_imports_no_command_module_nor_matplotlib_and_a_command_only_its_own() -> None:
    code = (
        "import sys\n"
        "from refimpl.cli import main\n"
        "def loaded():\n"
        "    return sorted(m for m in sys.modules if m.startswith('refimpl.cli.') or m.startswith('matplotlib'))\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(loaded())\n"
        "main(['l', 'duplicated_padding', '--n', '4', '--D', '4', '--p', '2'])\n"
        "print(loaded())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    after_help, after_l = result.stdout.splitlines()[-3], result.stdout.splitlines()[-1]
    assert after_help == "[]"
    assert {c.module for c in COMMANDS} & set(eval(after_l)) == {"refimpl.cli.l"}


def test_a_bug_is_not_disguised_as_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(args: Any) -> str:
        raise TypeError("an internal error")

    monkeypatch.setattr(refimpl.cli.show, "show", broken)
    with pytest.raises(TypeError, match="an internal error"):
        main(["show", "dual_lphm", "--n", "2", "--D", "2", "--p", "1", "--r", "1"])


# -- demo, show, l ---------------------------------------------------------------------------------


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
    assert main(["demo"]) == 0
    assert capsys.readouterr().out == out


def test_show_prints_l_and_the_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "show",
        "dual_lphm",
        "--n",
        "2",
        "--D",
        "2",
        "--p",
        "1",
        "--r",
        "1",
        "--w",
        "2",
        "1",
        "1",
        "2",
        "1",
        "3",
    ]
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
    assert (
        main(
            [
                "show",
                "concatenation_fusion",
                "--dims",
                "1",
                "1",
                "--n",
                "2",
                "--m",
                "1",
                "--w",
                "1",
                "0",
                "0",
                "1",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.endswith("  1 2\n")  # [1, 2] @ eye(2)
    assert (
        main(["show", "duplicated_diagonal_padding", "--n", "2", "--D", "2", "--p", "2", "--format", "coo"])
        == 0
    )
    assert capsys.readouterr().out == "duplicated_diagonal_padding: l = 1\n  1 .\n  . 1\n"
    assert main(["show", "dual_lphm_fusion", "--dims", "2", "--p", "2", "--r", "1", "--m", "1"]) == 0
    assert "l = 6" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("function", "config"),
    [("dual_lphm_fusion", ["--dims", 2, 2, "--p", 2, "--r", 1]), ("concatenation_fusion", ["--dims", 2, 2])],
)
def test_fusion_rows_may_be_0_but_not_negative(function: str, config: list[Any]) -> None:
    """``--m`` is the fusion inputs' row count: ``m = 0`` (SPEC 4: "m may be 0") prints an
    empty result; a negative ``m`` is bad input."""
    result = run_cli("show", function, *config, "--m", 0)
    assert result.code == 0 and result.err == ""
    assert re.fullmatch(rf"{function}: l = \d+\n\n", result.out)  # no rows
    assert_usage_error(
        run_cli("show", function, *config, "--m", -1), "--m must be a non-negative number of rows, got --m -1"
    )


# -- bad input -------------------------------------------------------------------------------------

#: The kinds of invalid configuration that are a value error (the others are types argparse refuses).
VALUE_KINDS = {
    "duplicated_padding": ("not_divisible", "not_positive"),
    "duplicated_diagonal_padding": ("not_divisible", "not_positive"),
    "dual_lphm": ("not_divisible", "not_positive"),
    "dual_lphm_fusion": ("not_divisible", "not_positive", "unequal_widths"),
    "concatenation_fusion": ("not_positive", "unequal_widths"),
}


@pytest.mark.parametrize("function", list(FUNCTIONS))
@given(data=st.data())
def test_a_bad_configuration_exits_2_with_refimpl_s_own_message(function: str, data: st.DataObject) -> None:
    config, _ = data.draw(invalid_configs(function, kinds=VALUE_KINDS[function]), label="config")
    command = data.draw(st.sampled_from(["l", "show"]), label="command")
    with pytest.raises(RefimplError) as expected:
        get_function(function).l(config)
    result = run_cli(command, function, *options(config, command))
    assert result == (2, "", f"refimpl: error: {expected.value}\n")


@pytest.mark.parametrize("function", list(FUNCTIONS))
@given(data=st.data())
def test_w_of_the_wrong_length_exits_2_naming_l_and_the_length(function: str, data: st.DataObject) -> None:
    config = data.draw(configs(function, max_side=3), label="config")
    l = get_function(function).l(config)
    length = data.draw(st.integers(1, l + 2).filter(lambda k: k != l), label="length of w")
    result = run_cli("show", function, *options(config), "--w", *([1.0] * length))
    assert_usage_error(result, rf"\b{l}\b", rf"length\s*=?\s*{length}(?!\d)")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["duplicated_padding", "--D", "4"], "duplicated_padding needs --n, --p"),
        (["duplicated_diagonal_padding", "--n", "4", "--D", "4"], "duplicated_diagonal_padding needs --p"),
        (["dual_lphm", "--n", "4"], "dual_lphm needs --D, --p, --r"),
        (["dual_lphm_fusion", "--dims", "2", "--r", "1"], "dual_lphm_fusion needs --p"),
        (["concatenation_fusion", "--n", "2"], "concatenation_fusion needs --dims"),
    ],
)
@pytest.mark.parametrize("command", ["l", "show"])
def test_a_missing_option_exits_2_naming_it(command: str, argv: list[str], message: str) -> None:
    assert run_cli(command, *argv) == (2, "", f"refimpl: error: {message}\n")


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "no_such_function"],
        ["l", "duplicated_padding", "--n", "2.0", "--D", "4", "--p", "2"],
        ["l", "dual_lphm_fusion", "--dims", "x", "--p", "2", "--r", "1"],
        ["show", "dual_lphm", "--n", "4", "--D", "4", "--p", "0x2", "--r", "1"],
        ["l", "duplicated_padding", "--n", "4", "--D", "4", "--p", "2", "--format", "dia"],
        ["show", "duplicated_diagonal_padding", "--n", "4", "--D", "4", "--p", "2", "--format", "CSR"],
        ["--backend", "torch"],
        ["no_such_command"],
        ["show", "duplicated_padding", "--n", "4", "--D", "4", "--p", "2", "--w", "one"],
        ["show", "duplicated_padding", "--n", "4", "--D", "4", "--p", "2", "--w"],
        ["check", "refimpl.examples:faithful_dual_lphm", "--function", "dual_lphm", "--config", "{bad"],
        ["check", "refimpl.examples:faithful_dual_lphm", "--function", "dual_lphm", "--config", "[1]"],
        ["check", "refimpl.examples:faithful_dual_lphm", "--function", "dual_lphm", "--dtypes", ","],
        ["check", "refimpl.examples:faithful_dual_lphm", "--function", "dual_lphm", "--dtypes", "float8"],
        ["check", "refimpl.examples:faithful_dual_lphm", "--function", "dual_lphm", "--max-rows", "-1"],
        ["check", "refimpl.examples:faithful_dual_lphm", "--function", "dual_lphm", "--examples", "0"],
    ],
)
def test_malformed_arguments_exit_2(argv: list[str]) -> None:
    assert_usage_error(run_cli(*argv))


SMALL = st.integers(-2, 6)


@given(
    command=st.sampled_from(["l", "show"]),
    function=st.sampled_from(list(FUNCTIONS)),
    opts=st.fixed_dictionaries(
        {},
        optional={
            "n": SMALL,
            "D": SMALL,
            "p": SMALL,
            "q": SMALL,
            "r": SMALL,
            "m": st.integers(-2, 3),
            "dims": st.lists(SMALL, min_size=1, max_size=3),
        },
    ),
)
def test_any_small_integers_give_an_answer_or_exit_2_never_a_traceback(
    command: str, function: str, opts: dict[str, Any]
) -> None:
    """Whatever small integers are given: exit 0 with output, or exit 2 with a message. Any
    dimension the function reads that is not positive is rejected with exit 2 (the options it
    does not read are refused: ``test_options_a_function_does_not_read_are_refused``)."""
    spec = get_function(function)
    opts = {k: v for k, v in opts.items() if k in spec.config_keys and not (k == "m" and command == "l")}
    result = run_cli(command, function, *options(opts, command))
    assert result.code in (0, 2), result
    if result.code == 0:
        assert result.out and result.err == "", result
    else:
        assert result.out == "" and result.err.startswith("refimpl: error: "), result
    read = [k for k in get_function(function).config_keys if k in opts and k not in ("m", "batch")]
    if any(v <= 0 for k in read for v in (opts[k] if k == "dims" else [opts[k]])):
        assert result.code == 2, (
            f"refimpl {command} {function} {opts} accepted a bad dimension: {result.out!r}"
        )


SCRIPT = shutil.which("refimpl", path=str(Path(sys.executable).parent))


@pytest.mark.skipif(SCRIPT is None, reason="the refimpl console script is not installed beside this Python")
def test_console_script_and_python_m() -> None:
    result = subprocess.run([str(SCRIPT), "--help"], capture_output=True, text=True, check=True)
    for command in COMMANDS:
        assert command.name in result.stdout
    demo = subprocess.run([sys.executable, "-m", "refimpl"], capture_output=True, text=True, check=True)
    assert "worked examples" in demo.stdout


# -- plot ------------------------------------------------------------------------------------------


@pytest.fixture()
def pyplot() -> Any:
    plt = pytest.importorskip("matplotlib.pyplot")
    yield plt
    plt.close("all")


def test_plot_writes_a_png_of_a_configuration_or_of_a_mistake(
    tmp_path: Path, pyplot: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "lphm.png"
    assert (
        main(
            ["plot", "dual_lphm", "--n", "4", "--D", "6", "--p", "2", "--q", "3", "--r", "1", "-o", str(out)]
        )
        == 0
    )
    assert out.read_bytes().startswith(PNG)
    assert capsys.readouterr().out == f"wrote {out}\n"
    for mistake in ("column_major_reshape", "column-major reshape of w"):  # an identifier, or the prose name
        out = tmp_path / "mistake.png"
        argv = [
            "plot",
            "duplicated_padding",
            "--n",
            "4",
            "--D",
            "6",
            "--p",
            "2",
            "--mistake",
            mistake,
            "-o",
            str(out),
        ]
        assert main(argv) == 0
        assert out.read_bytes().startswith(PNG)
    assert pyplot.get_fignums() == []  # every figure is closed once written


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["duplicated_padding", "--n", "5", "--D", "4", "--p", "2"], "n=5 is not divisible by p=2"),
        (["dual_lphm", "--n", "4"], "dual_lphm needs --D, --p, --r"),
        (["concatenation_fusion", "--dims", "2", "--m", "-1"], "--m must be a non-negative"),
        (["duplicated_padding", "--n", "4", "--D", "6", "--p", "2", "--w", "1", "2"], "must have length 6"),
        (
            ["duplicated_padding", "--n", "4", "--D", "6", "--p", "2", "--mistake", "off by one"],
            "the catalogued mistakes are:\n  p_q_exchanged: p and q exchanged\n  column_major_reshape: column-major",
        ),
    ],
)
def test_plot_refuses_bad_input_with_exit_2_and_writes_nothing(
    argv: list[str], message: str, tmp_path: Path, pyplot: Any
) -> None:
    out = tmp_path / "never.png"
    result = run_cli("plot", *argv, "-o", out)
    assert_usage_error(result)
    assert result.err.startswith("refimpl: error: ") and message in result.err
    assert not out.exists()
    assert pyplot.get_fignums() == []


def test_plot_refuses_a_file_it_cannot_write(tmp_path: Path, pyplot: Any) -> None:
    argv = ["plot", "duplicated_padding", "--n", "4", "--D", "4", "--p", "2", "-o"]
    assert_usage_error(run_cli(*argv, tmp_path / "plot.xyz"), "Format 'xyz' is not supported", "png")
    assert_usage_error(run_cli(*argv, tmp_path / "no such folder" / "plot.png"), "No such file or directory")
    assert pyplot.get_fignums() == []


@pytest.mark.parametrize("argv", [["plot", "no_such_function", "-o", "x.png"], ["plot", "dual_lphm"]])
def test_plot_argument_errors_exit_2(argv: list[str]) -> None:
    assert_usage_error(run_cli(*argv))


def test_plot_without_matplotlib_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    result = run_cli("plot", "duplicated_padding", "--n", "4", "--D", "4", "--p", "2", "-o", "x.png")
    assert_usage_error(result, re.escape("pip install refimpl[docs]"))


# -- issue 11: a command line that never prints a traceback ----------------------------------------


def test_help_lists_the_exit_statuses_with_their_named_constants() -> None:
    from refimpl.cli import EXIT_FAILED, EXIT_INVALID, EXIT_OK, EXIT_STATUSES, EXIT_USAGE

    assert (EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INVALID) == (0, 1, 2, 3)
    text = " ".join(run_cli("--help").out.split())
    assert "exit status:" in text
    for status, meaning in EXIT_STATUSES.items():
        assert f"{status} {meaning}" in text, (status, text)


def test_the_docs_list_the_exit_statuses() -> None:
    from refimpl.cli import EXIT_STATUSES

    docs = " ".join((Path(__file__).parents[1] / "docs" / "oracle.rst").read_text(encoding="utf-8").split())
    for status, meaning in EXIT_STATUSES.items():
        assert f"``{status}`` {meaning}" in docs, status


@pytest.mark.parametrize(
    ("argv", "facts"),
    [
        (
            ["duplicated_padding", "--n", 100000, "--D", 100000, "--p", 1],
            ["l = 10000000000", "74.5 GiB", "4.0 GiB"],
        ),
        (
            ["duplicated_diagonal_padding", "--n", 10**9, "--D", 10**9, "--p", 5 * 10**8],
            ["1000000000 x 1000000000", "1000000000000000000 entries", "1000000"],
        ),
        (["concatenation_fusion", "--dims", 10**9, "--n", 1], ["l = 1000000000", "7.5 GiB"]),
        (["concatenation_fusion", "--dims", 10, "--n", 1, "--m", 10**12], ["1000000000000 x 10"]),
    ],
)
@pytest.mark.parametrize("command", ["show", "plot"])
@pytest.mark.memory_cap
def test_show_and_plot_check_sizes_before_building_anything(
    command: str, argv: list[Any], facts: list[str], tmp_path: Path
) -> None:
    """``show duplicated_padding --n 100000 --D 100000 --p 1`` built a list of 10**10 floats and
    died of a MemoryError traceback; now the memory guard refuses at once (exit 2).

    The address space is capped a little above what the process maps (the ``memory_cap`` marker):
    a command that began building any of these before refusing fails at once with that
    ``MemoryError``, which ``run_cli`` lets through, on a busy machine as on an idle one."""
    pytest.importorskip("matplotlib")
    out = ["-o", tmp_path / "x.png"] if command == "plot" else []
    result = run_cli(command, *argv, *out)
    assert_usage_error(result, *(re.escape(f) for f in facts))
    assert not (tmp_path / "x.png").exists()


def test_negative_numbers_are_values() -> None:
    result = run_cli(
        "show",
        "duplicated_padding",
        "--n",
        2,
        "--D",
        4,
        "--p",
        1,
        "--w",
        "nan",
        "inf",
        "-inf",
        "-1e5",
        "-.5",
        "-3",
        "-Infinity",
        "-nan",
    )
    assert result.code == 0, result
    assert result.out.split()[-8:] == ["nan", "inf", "-inf", "-100000", "-0.5", "-3", "-inf", "nan"]
    assert_usage_error(
        run_cli("show", "duplicated_padding", "--n", "-3", "--D", 4, "--p", 1),
        "n must be a positive integer, got n=-3",
    )
    assert_usage_error(run_cli("l", "dual_lphm_fusion", "--dims", "-2", "2", "--p", 2, "--r", 1), "-2")


@pytest.mark.parametrize("option", [["--w", "1"], ["--m", "2"], ["--format", "coo"]])
def test_l_refuses_the_options_it_does_not_use(option: list[str]) -> None:
    result = run_cli("l", "duplicated_diagonal_padding", "--n", 4, "--D", 4, "--p", 2, *option)
    assert result.code == 2 and result.out == "" and "Traceback" not in result.err
    assert f"unrecognized arguments: {' '.join(option)}" in result.err


@pytest.mark.parametrize(
    ("commands", "argv", "message"),
    [
        (
            ["show", "l"],
            ["duplicated_padding", "--n", 4, "--D", 4, "--p", 2, "--r", 1, "--dims", 2],
            "duplicated_padding does not read --r, --dims (its options: --n, --D, --p, --q",
        ),
        (
            ["show", "l"],
            ["concatenation_fusion", "--dims", 2, "--p", 1],
            "concatenation_fusion does not read --p",
        ),
        (["show"], ["duplicated_padding", "--n", 4, "--D", 4, "--p", 2, "--m", 3], "does not read --m"),
        (
            ["show"],
            ["dual_lphm", "--n", 4, "--D", 4, "--p", 2, "--r", 1, "--format", "coo"],
            "does not read --format",
        ),
    ],
)
def test_options_a_function_does_not_read_are_refused(
    commands: list[str], argv: list[Any], message: str
) -> None:
    for command in commands:
        assert_usage_error(run_cli(command, *argv), re.escape(message))


def test_plot_writes_exactly_the_path_given_or_refuses(
    tmp_path: Path, pyplot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``-o noext`` printed "wrote noext" but wrote noext.png; ``-o FOLDER`` wrote FOLDER.png."""
    monkeypatch.chdir(tmp_path)
    argv = ["plot", "duplicated_padding", "--n", 4, "--D", 4, "--p", 2, "-o"]
    assert_usage_error(run_cli(*argv, "noext"), "noext has no extension", "known formats: .*png.*svg")
    (tmp_path / "folder").mkdir()
    assert_usage_error(run_cli(*argv, "folder"), "folder is an existing folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]  # nothing written beside
    assert list((tmp_path / "folder").iterdir()) == []
    result = run_cli(*argv, "out.svg")
    assert result == (0, "wrote out.svg\n", "") and (tmp_path / "out.svg").read_text().lstrip().startswith(
        "<?xml"
    )
    assert_usage_error(run_cli(*argv, "x.png", "--dpi", 10**9), "--dpi: must be from 1 to 1200")


def test_check_plot_refuses_a_file_without_extension_before_checking(tmp_path: Path, pyplot: Any) -> None:
    result = run_cli(
        "check",
        "refimpl.examples:column_major_dual_lphm",
        "--function",
        "dual_lphm",
        "--plot",
        tmp_path / "noext",
    )
    assert_usage_error(result, "--plot .*noext has no extension")
    assert list(tmp_path.iterdir()) == []


def test_out_of_memory_is_a_message_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the memory guard switched off, an allocation the machine refuses ends with exit 2."""

    def exhausted(args: Any) -> str:
        raise MemoryError("Unable to allocate 74.5 GiB")

    monkeypatch.setattr(refimpl.cli.show, "show", exhausted)
    result = run_cli("show", "dual_lphm", "--n", 2, "--D", 2, "--p", 1, "--r", 1)
    assert_usage_error(result, "out of memory", "74.5 GiB", "REFIMPL_MEMORY_LIMIT")
