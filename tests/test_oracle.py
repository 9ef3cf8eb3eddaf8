"""The oracle itself: tolerances, failure reports, check, probes, the CLI and the pytest plugin."""

from __future__ import annotations

import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

import refimpl
from refimpl.cli import main
from refimpl.examples import column_major_dual_lphm, faithful_dual_lphm
from refimpl.functions import get_function
from refimpl.oracle.tolerance import error_bound, expected_and_bound, gamma
from refimpl.testing import ConformanceError, assert_close_to_reference, check, check_matrix

pytest_plugins = ["pytester"]


# -- assert_close_to_reference ---------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_refimpl_passes_its_own_check(xp: Any, dtype: Any) -> None:
    rng = np.random.default_rng(0)
    w = rng.standard_normal(refimpl.dual_lphm_l(12, 8, 3, 2, 2)).astype(dtype)
    wx = xp.asarray(w)
    assert_close_to_reference(refimpl.dual_lphm(wx, 12, 8, 3, 2, 2), "dual_lphm", wx, 12, 8, 3, 2, 2)
    A = [
        xp.asarray(rng.standard_normal((2, 5, 6)).astype(dtype)),
        xp.asarray(rng.standard_normal((2, 5, 6)).astype(dtype)),
    ]
    wf = xp.asarray(rng.standard_normal(refimpl.dual_lphm_fusion_l([6, 6], 4, 3, 2, 2)).astype(dtype))
    out = refimpl.dual_lphm_fusion(A, wf, p=3, q=2, r=2, n=4)
    assert_close_to_reference(out, refimpl.dual_lphm_fusion, A, wf, p=3, q=2, r=2, n=4)


def test_float32_with_another_summation_order_passes_at_4096_wide() -> None:
    # A correct float32 implementation that sums in a different order than refimpl: reversed
    # column order, a float32 accumulator, one BLAS call on the materialised float32 weight.
    rng = np.random.default_rng(1)
    N = n = 4096
    X = rng.standard_normal((64, N)).astype(np.float32)
    w = rng.standard_normal(refimpl.dual_lphm_fusion_l([N], n, 64, 64, 4)).astype(np.float32)
    W = refimpl.dual_lphm(w, N, n, 64, 64, 4)  # float32
    candidate = X[:, ::-1] @ W[::-1, :]
    assert candidate.dtype == np.float32
    assert_close_to_reference(candidate, "dual_lphm_fusion", [X], w, p=64, q=64, r=4)
    # ... while the bound stays far below a real mistake: the error of a float32 sum here is
    # about 1e-4 relative, a wrong weight entry is of order one.


def test_a_single_wrong_entry_in_a_large_output_is_caught() -> None:
    rng = np.random.default_rng(2)
    X = rng.standard_normal((256, 2048)).astype(np.float32)
    w = rng.standard_normal(refimpl.dual_lphm_fusion_l([2048], 2048, 32, 32, 4)).astype(np.float32)
    out = refimpl.dual_lphm_fusion([X], w, p=32, q=32, r=4)
    out[137, 1999] = out[137, 1998]  # one entry holds its neighbour's value: an off-by-one
    with pytest.raises(ConformanceError) as info:
        assert_close_to_reference(out, "dual_lphm_fusion", [X], w, p=32, q=32, r=4, seed=7)
    message = str(info.value)
    assert "1 of 524288 entries are off" in message
    assert "worst entry (137, 1999)" in message
    assert "seed: 7" in message and "reproduce:" in message


def test_the_bound_is_gamma_K_of_both_roundings_plus_underflow() -> None:
    # The one rule every check uses: gamma_K(u) of the candidate, gamma_K(2^-53) of the
    # float64 reference, K smallest normals of the candidate's dtype.
    bound = error_bound(7, "float32", scale=2.0)
    u, v = 2.0**-24, 2.0**-53
    assert bound.gamma == pytest.approx(2 * (7 * u / (1 - 7 * u) + 7 * v / (1 - 7 * v)), rel=1e-14)
    assert bound.tiny == 2 * 7 * float(np.finfo(np.float32).smallest_normal)
    assert bound(np.array([0.0, 1.0])).tolist() == [bound.tiny, bound.gamma + bound.tiny]
    with pytest.raises(refimpl.RefimplError, match="K=1024 roundings.*no significant digit"):
        gamma(1024, 2.0**-11)  # float16 over a 1024-term sum


def test_padding_is_checked_exactly() -> None:
    w = np.arange(1.0, 5.0, dtype=np.float32)
    out = refimpl.duplicated_padding(w, 4, 4, 2)
    assert_close_to_reference(out, "duplicated_padding", w, 4, 4, 2)
    out[3, 3] = np.nextafter(out[3, 3], np.float32(10))  # one ulp
    with pytest.raises(ConformanceError, match=r"worst entry \(3, 3\).*exact check"):
        assert_close_to_reference(out, "duplicated_padding", w, 4, 4, 2)


def test_non_finite_entries_of_an_exact_check_are_compared_by_placement() -> None:
    w = np.array([1.0, np.inf, -np.inf, np.nan])
    assert_close_to_reference(refimpl.duplicated_padding(w, 4, 4, 2), "duplicated_padding", w, 4, 4, 2)
    for dtype, K in (("float64", 0), ("float32", 1)):  # exact, or one rounding into a narrower dtype
        ref = expected_and_bound("duplicated_padding", {"n": 4, "D": 4, "p": 2, "q": 2}, {"w": w}, dtype)
        assert ref.K == K and np.all(np.isfinite(ref.bound))


def test_shape_dtype_and_nan_placement_are_exact() -> None:
    w = np.arange(1.0, 9.0)
    good = refimpl.dual_lphm(w, 4, 4, 2, 2, 1)
    with pytest.raises(ConformanceError, match=r"dtype float32, expected float64"):
        assert_close_to_reference(good.astype(np.float32), "dual_lphm", w, 4, 4, 2, 2, 1)
    with pytest.raises(ConformanceError, match=r"shape \(4, 2\), expected \(4, 4\)"):
        assert_close_to_reference(good[:, :2], "dual_lphm", w, 4, 4, 2, 2, 1)
    bad = good.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ConformanceError, match="non-finite entries differ.*entry \\(0, 0\\) is nan"):
        assert_close_to_reference(bad, "dual_lphm", w, 4, 4, 2, 2, 1)


def test_sparse_and_torch_candidates_are_converted() -> None:
    w = np.arange(1.0, 7.0)
    assert_close_to_reference(
        sp.csr_array(refimpl.duplicated_diagonal_padding(w, 6, 6, 3, 2, format="dense")),
        "duplicated_diagonal_padding",
        w,
        6,
        6,
        3,
        2,
    )
    torch = pytest.importorskip("torch")
    wt = torch.arange(1.0, 9.0, requires_grad=True)
    assert_close_to_reference(refimpl.dual_lphm(wt, 4, 4, 2, 2, 1), "dual_lphm", wt, 4, 4, 2, 2, 1)


# -- check -----------------------------------------------------------------------------------


def test_a_faithful_independent_implementation_passes() -> None:
    report = check(faithful_dual_lphm, "dual_lphm", examples=40, raise_on_failure=False)
    assert report.passed, str(report)
    assert len(report.cases) >= 40
    assert {c.dtype for c in report.cases} == {"float64", "float32"}


def test_a_layout_mistake_is_caught_shrunk_and_named() -> None:
    report = check(column_major_dual_lphm, "dual_lphm", examples=60, raise_on_failure=False)
    assert not report.passed
    assert report.diagnosis is not None and any("column-major" in m for m in report.diagnosis.matches)
    # Shrunk: the column-major reading only shows with r > 1 and a factor of more than one row.
    assert "minimal failing case" in str(report) and "r=2" in report.failure
    with pytest.raises(ConformanceError):
        check(column_major_dual_lphm, "dual_lphm", examples=60, raise_on_failure=True)


@pytest.mark.parametrize(
    ("candidate", "function"),
    [
        (refimpl.duplicated_padding_reconciliation, "duplicated_padding"),
        (refimpl.duplicated_diagonal_padding_reconciliation, "duplicated_diagonal_padding"),
        (refimpl.dual_lphm_reconciliation, "dual_lphm"),
        (refimpl.dual_lphm_parameterized_concatenation_fusion, "dual_lphm_fusion"),
        (refimpl.concatenation_fusion, "concatenation_fusion"),
        (refimpl.duplicated_padding, "duplicated_padding"),
    ],
)
def test_class_and_function_candidates_are_driven(candidate: Any, function: str) -> None:
    report = check(candidate, function, examples=15, raise_on_failure=False)
    assert report.passed, str(report)


def test_a_class_whose_calculate_l_is_wrong_fails() -> None:
    class OffByOne(refimpl.duplicated_padding_reconciliation):
        def calculate_l(self, n: int, D: int) -> int:
            return super().calculate_l(n, D) + 1

    report = check(OffByOne, "duplicated_padding", examples=5, raise_on_failure=False)
    assert not report.passed and "calculate_l returned" in report.failure
    assert report.diagnosis is None  # no output to diagnose


def test_torch_candidate_and_its_gradients() -> None:
    pytest.importorskip("torch")
    for function in ("dual_lphm", "dual_lphm_fusion", "duplicated_diagonal_padding"):
        candidate = getattr(refimpl, function)
        if function == "duplicated_diagonal_padding":

            def candidate(w: Any, n: int, D: int, p: int, q: int) -> Any:
                return refimpl.duplicated_diagonal_padding(w, n, D, p, q, format="dense")

        report = check(candidate, function, examples=10, backend="torch", grad=True, raise_on_failure=False)
        assert report.passed, str(report)


def test_a_wrong_gradient_is_caught() -> None:
    torch = pytest.importorskip("torch")

    class Detached(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, w: Any) -> Any:
            return w.clone()

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return 2 * g  # wrong on purpose

    def candidate(w: Any, n: int, D: int, p: int, q: int, r: int) -> Any:
        return refimpl.dual_lphm(Detached.apply(w), n, D, p, q, r)

    report = check(candidate, "dual_lphm", examples=10, backend="torch", grad=True, raise_on_failure=False)
    assert not report.passed and "d/dw" in report.failure


# -- every failure of the candidate is a verdict (issue 10 item 4, issue 14) ----------------------


def _floating(w: Any) -> np.ndarray:
    """``w`` as SPEC promotes it: integer and bool to float64."""
    w = np.asarray(w)
    return w if w.dtype.kind in "fc" else w.astype(np.float64)


def _padding(w: Any, n: int, D: int, p: int, q: int | None = None) -> np.ndarray:
    """An independent duplicated padding."""
    q = p if q is None else q
    return np.tile(np.reshape(_floating(w), (n // p, D // q)), (p, q))


def test_a_crashing_candidate_is_a_failure_not_a_crash() -> None:
    def candidate(w: Any, n: int, D: int, p: int, q: int) -> Any:
        if p != q:
            raise ValueError("not implemented for p != q")
        return _padding(w, n, D, p, q)

    report = check(candidate, "duplicated_padding", examples=30, raise_on_failure=False)
    assert not report.passed and "raised ValueError: not implemented for p != q" in report.failure


def test_a_candidate_raising_on_some_configurations_is_counted_not_an_exception_group() -> None:
    # Before: two kinds of failure (the candidate's exceptions, an output the oracle could not
    # read) were two "bugs" to Hypothesis, which raised an ExceptionGroup out of check.
    def candidate(w: Any, n: int, D: int, p: int, q: int) -> Any:
        if p == 2:
            raise RuntimeError("p = 2 is not supported")
        if q == 3:
            return "not an array"
        if p == 3:
            raise KeyError(p)
        return _padding(w, n, D, p, q)

    report = check(candidate, "duplicated_padding", examples=60, raise_on_failure=False)
    assert not report.passed
    raised = [c for c in report.cases if c.raised]
    assert raised and all(c.raised.startswith(("RuntimeError: p = 2", "KeyError: 3")) for c in raised)
    assert f", {len(raised)} raised," in str(report).splitlines()[0]
    assert "the candidate raised" in report.failure or "could not read" in report.failure


def test_an_argument_changed_in_place_is_a_failure_with_its_own_message() -> None:
    def reshapes_w(w: Any, n: int, D: int, p: int, q: int) -> Any:  # the caller's w changes shape
        w.resize((n // p, D // q), refcheck=False)
        return _padding(w, n, D, p, q)

    def rescales_a_segment(w: Any, n: int, D: int, p: int, q: int, r: int) -> Any:  # right values, w changed
        right = refimpl.dual_lphm(_floating(w).copy(), n, D, p, q, r)
        w[..., : p * r] = w[..., : p * r] * 2  # the segment P, rescaled in the caller's array
        return right

    def scales_the_inputs(inputs: Any, w: Any, *, p: int, q: int, r: int, n: int) -> Any:
        for A in inputs:
            A *= 2.0  # the caller's inputs, scaled in place
        return refimpl.dual_lphm_fusion(inputs, w, p=p, q=q, r=r, n=n) / 2

    for candidate, function, argument in (
        (reshapes_w, "duplicated_padding", "w in place: its shape"),
        (rescales_a_segment, "dual_lphm", "w in place: w["),
        (scales_the_inputs, "dual_lphm_fusion", "inputs[0] in place"),
    ):
        report = check(candidate, function, examples=30, raise_on_failure=False)
        clause = report.clauses["side effects"]
        assert not clause.passed, candidate.__name__
        assert clause.failure.startswith(f"{function}("), clause.failure  # its own verdict, not an exception
        assert f"side effect: the candidate changed its argument {argument}" in clause.failure, clause.failure


_COUNTER = {"calls": 0}


def _wrong_one_call_in_fifty(w: Any, n: int, D: int, p: int, q: int) -> Any:
    _COUNTER["calls"] += 1
    out = _padding(w, n, D, p, q)
    return out + 1 if _COUNTER["calls"] % 50 == 0 else out


def _noise_now_and_then(w: Any, n: int, D: int, p: int, q: int, r: int) -> Any:
    out = refimpl.dual_lphm(_floating(w), n, D, p, q, r)
    return _NOISE.standard_normal(out.shape).astype(out.dtype) if _NOISE.random() < 0.1 else out


_NOISE = np.random.default_rng(5)


def test_a_candidate_wrong_one_call_in_fifty_is_non_deterministic_not_a_flaky_traceback() -> None:
    # Before: Hypothesis's FlakyFailure traceback came out of check.
    _COUNTER["calls"] = 0
    report = check(_wrong_one_call_in_fifty, "duplicated_padding", examples=100, raise_on_failure=False)
    assert not report.passed
    assert re.search(
        r"non-deterministic: entry \(\d+, \d+\): call 1 gave \S+, call 2 gave \S+",
        report.clauses["determinism"].failure,
    )
    assert report.diagnosis is None or not report.diagnosis.matches  # a random failure names no mistake
    noisy = check(_noise_now_and_then, "dual_lphm", examples=100, raise_on_failure=False)
    assert not noisy.passed and "non-deterministic: entry" in noisy.failure


def test_passing_and_failing_cases_are_run_twice() -> None:
    report = check(faithful_dual_lphm, "dual_lphm", examples=60, raise_on_failure=False)
    assert report.passed and report.rerun >= 6  # every tenth passing case
    small = check(faithful_dual_lphm, "dual_lphm", examples=5, raise_on_failure=False)
    assert small.rerun >= 3
    wrong = check(column_major_dual_lphm, "dual_lphm", examples=60, raise_on_failure=False)
    assert not wrong.passed and "non-deterministic" not in wrong.failure and wrong.rerun >= 1


def test_the_report_says_the_calling_convention() -> None:
    report = check(_padding, "duplicated_padding", examples=5, raise_on_failure=False)
    assert "called as: function" in str(report) and report.convention == "function"
    classy = check(
        refimpl.duplicated_padding_reconciliation, "duplicated_padding", examples=5, raise_on_failure=False
    )
    assert classy.convention.startswith("class") and f"called as: {classy.convention}" in str(classy)


# -- the reproduction line (issue 10 item 7) --------------------------------------------------

_MODULE = """
import numpy as np

def pad(w, n, D, p, q=None):  # reads w column-major: wrong when s, t > 1
    q = p if q is None else q
    w = np.asarray(w)
    w = w if w.dtype.kind in "fc" else w.astype(np.float64)
    return np.tile(np.reshape(w, (n // p, D // q), order="F"), (p, q))
"""


def test_the_printed_reproduction_lines_run_and_give_the_same_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "colmajor_candidate.py").write_text(_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    import colmajor_candidate

    report = check(colmajor_candidate.pad, "duplicated_padding", examples=40, seed=3, raise_on_failure=False)
    assert not report.passed and report.reproduce is not None and report.reproduce.command is not None
    minimal = get_function("duplicated_padding").describe(report.minimal.config)
    for option in (
        "--backend numpy",
        f"--dtypes {report.minimal.inputs['w'].dtype}",
        "--seed 3",
        "--examples 40",
        "--max-rows 64",
        "--max-side 4",
    ):
        assert option in report.reproduce.command
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env.get("PYTHONPATH", "")])
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    cli = subprocess.run(
        report.reproduce.command, shell=True, env=env, capture_output=True, text=True, check=False
    )
    assert cli.returncode == 1, cli.stderr
    python = subprocess.run(
        [sys.executable, "-c", report.reproduce.python], env=env, capture_output=True, text=True, check=False
    )
    assert python.returncode == 0, python.stderr
    for out in (cli.stdout, python.stdout):
        assert "against refimpl.duplicated_padding: FAIL" in out
        assert f"minimal failing case of each failing clause:\n[values] {minimal}, " in out


def test_the_reproduction_line_holds_every_setting_and_key() -> None:
    def wrong(inputs: Any, w: Any, *, p: int, q: int, r: int, n: int) -> Any:
        return refimpl.dual_lphm_fusion(inputs, w, p=p, q=q, r=r, n=n) * 1.5

    report = check(wrong, "dual_lphm_fusion", examples=10, max_rows=9, raise_on_failure=False)
    assert report.reproduce.command is None and "cannot be reproduced by name" in report.reproduce.note
    assert "cannot be reproduced by name" in report.failure
    python = report.reproduce.python
    for text in (
        "refimpl.testing.check(wrong, 'dual_lphm_fusion'",
        "'m': ",
        "'batch': ",
        "'dims': ",
        "backend='numpy'",
        "max_rows=9",
        "examples=10",
        "seed=0",
    ):
        assert text in python


# -- the picture of a failure (issue 10 item 9) -----------------------------------------------


def test_plot_failure_draws_expected_actual_difference_and_the_mistake(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from refimpl.plotting import plot_failure

    report = check(column_major_dual_lphm, "dual_lphm", examples=50, raise_on_failure=False)
    fig = plot_failure(report, tmp_path / "failure.png")
    titles = [" ".join(ax.get_title().split()).split(" (")[0] for ax in fig.axes if ax.get_title()]
    assert titles == ["expected", "actual", "actual - expected", f"mistake: {report.diagnosis.matches[0]}"]
    assert (tmp_path / "failure.png").stat().st_size > 1000
    with pytest.raises(refimpl.RefimplError, match="no failing case"):
        plot_failure(check(faithful_dual_lphm, "dual_lphm", examples=5, raise_on_failure=False))
    assert (
        main(
            [
                "check",
                "refimpl.examples:column_major_dual_lphm",
                "--function",
                "dual_lphm",
                "--examples",
                "30",
                "--plot",
                str(tmp_path / "cli.svg"),
            ]
        )
        == 1
    )
    assert (tmp_path / "cli.svg").read_text().startswith("<?xml")
    import matplotlib.pyplot as plt

    plt.close("all")


# -- defaults --------------------------------------------------------------------------------


def test_check_the_cli_the_plugin_and_the_docs_agree_on_the_defaults() -> None:
    from refimpl.cli import build_parser
    from refimpl.oracle import check as oracle

    defaults = {k: v.default for k, v in inspect.signature(check).parameters.items()}
    args = build_parser().parse_args(["check"])
    assert (args.examples, args.seed, args.check_backend) == (
        defaults["examples"],
        defaults["seed"],
        defaults["backend"],
    )
    assert (args.dtypes, args.max_side, args.max_rows) == (
        defaults["dtypes"],
        defaults["max_side"],
        defaults["max_rows"],
    )
    assert defaults["max_rows"] >= 64 and defaults["examples"] == oracle.DEFAULT_EXAMPLES
    docs = (Path(__file__).parents[1] / "docs" / "oracle.rst").read_text()
    for name in ("examples", "max_rows", "max_side"):
        assert f"``{name}={defaults[name]}``" in docs


# -- probes ----------------------------------------------------------------------------------


def test_probe_check_catches_a_wrong_huge_sparse_matrix() -> None:
    rng = np.random.default_rng(3)
    n = D = 2**17  # a dense float64 matrix would be 128 GiB
    w = rng.standard_normal(64 * 64)
    good = refimpl.duplicated_diagonal_padding(w, n, D, n // 64)
    assert check_matrix(good, "duplicated_diagonal_padding", w, n, D, n // 64, probes=20).passed
    bad = good.tocoo()
    bad.data[12345] += 1e-6  # one stored entry, slightly off
    report = check_matrix(bad.tocsr(), "duplicated_diagonal_padding", w, n, D, n // 64, probes=20)
    assert not report.passed
    assert report.false_pass_probability == 2.0**-20
    wl = rng.standard_normal(refimpl.dual_lphm_l(4096, 4096, 64, 64, 2))
    dense = refimpl.dual_lphm(wl, 4096, 4096, 64, 64, 2).astype(np.float32)
    assert check_matrix(dense, "dual_lphm", wl.astype(np.float32), 4096, 4096, 64, 64, 2).passed
    # float32 products over 4096 terms leave a rigorous bound near 1e-4 of the row sums, so the
    # probe looks for mistakes of the kind implementations make: here the transposed matrix.
    wrong = np.ascontiguousarray(dense.T)
    assert not check_matrix(wrong, "dual_lphm", wl.astype(np.float32), 4096, 4096, 64, 64, 2).passed


# -- CLI and pytest plugin -------------------------------------------------------------------


def test_cli_check_without_target_shows_a_pass_and_a_diagnosed_failure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", "--examples", "30"]) == 0
    out = capsys.readouterr().out
    assert "refimpl.examples:faithful_dual_lphm against refimpl.dual_lphm: PASS" in out
    assert "refimpl.examples:column_major_dual_lphm against refimpl.dual_lphm: FAIL" in out
    assert "column-major" in out and "reproduce: refimpl check refimpl.examples:column_major_dual_lphm" in out


def test_cli_check_exit_status_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["check", "refimpl.examples:faithful_dual_lphm", "--function", "dual_lphm", "--examples", "10"])
        == 0
    )
    capsys.readouterr()
    assert (
        main(
            [
                "check",
                "refimpl.examples:column_major_dual_lphm",
                "--function",
                "dual_lphm",
                "--examples",
                "30",
                "--json",
            ]
        )
        == 1
    )
    data = json.loads(capsys.readouterr().out)
    assert data["passed"] is False and data["diagnosis"]["matches"]
    assert main(["check", "no.such.module:f", "--function", "dual_lphm"]) == 2
    assert main(["check", "refimpl.examples:faithful_dual_lphm"]) == 2
    assert "needs --function" in capsys.readouterr().err


def test_cli_reproduction_line_reproduces(capsys: pytest.CaptureFixture[str]) -> None:
    config = {"n": 4, "D": 4, "p": 2, "q": 2, "r": 2}
    argv = [
        "check",
        "refimpl.examples:column_major_dual_lphm",
        "--function",
        "dual_lphm",
        "--config",
        json.dumps(config),
        "--examples",
        "5",
    ]
    assert main(argv) == 1
    assert "dual_lphm(n=4, D=4, p=2, q=2, r=2)" in capsys.readouterr().out


def test_pytest_plugin(pytester: pytest.Pytester) -> None:
    ok = pytester.runpytest(
        "--refimpl-candidate",
        "refimpl.examples:faithful_dual_lphm",
        "--refimpl-function",
        "dual_lphm",
        "--refimpl-examples",
        "10",
    )
    ok.assert_outcomes(passed=1)
    bad = pytester.runpytest(
        "--refimpl-candidate",
        "refimpl.examples:column_major_dual_lphm",
        "--refimpl-function",
        "dual_lphm",
        "--refimpl-examples",
        "30",
    )
    bad.assert_outcomes(failed=1)
    assert any("column-major" in line for line in bad.outlines)


def test_a_failure_under_pytest_shows_the_verdict_not_refimpl_s_frames(tmp_path: Any) -> None:
    # Before, a failing check printed about 110 lines of refimpl's own source and named the
    # exception refimpl.oracle._reports.ConformanceError.
    import subprocess
    import sys

    (tmp_path / "test_candidate.py").write_text(
        "import numpy as np\n"
        "from refimpl.testing import assert_close_to_reference, check\n"
        "def transposed(w, n, D, p, q=None):\n"
        "    return np.tile(np.reshape(np.asarray(w, float), (n // p, D // (q or p))), (p, q or p)).T\n"
        "def test_check():\n"
        "    check(transposed, 'duplicated_padding', examples=10)\n"
        "def test_assert():\n"
        "    w = np.arange(1.0, 5.0)\n"
        "    assert_close_to_reference(np.zeros((2, 2)), 'duplicated_padding', w, 2, 2, 1)\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            "test_candidate.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 1 and "2 failed" in out, out
    assert "test_check - refimpl.testing.ConformanceError" in out, out
    assert "refimpl/oracle" not in out and "__tracebackhide__" not in out, out


def test_the_report_counts_its_cases_by_phase() -> None:
    """The first line said "96 cases" beside "60 examples": the edges and the shrinking's cases
    were counted as drawn ones."""
    passing = check(faithful_dual_lphm, "dual_lphm", examples=12, raise_on_failure=False)
    phases = [c.phase for c in passing.cases]
    edges = phases.count("edge")
    assert edges > 0 and phases == ["edge"] * edges + ["drawn"] * 12  # the edges run first
    assert f"({len(phases)} cases: {edges} edges, 12 drawn; 0 failing" in str(passing)
    failing = check(column_major_dual_lphm, "dual_lphm", examples=12, raise_on_failure=False)
    shrinking = [c.phase for c in failing.cases].count("shrinking")
    assert shrinking > 0 and all(c.phase == "shrinking" for c in failing.cases[edges + 12 :])
    assert f"{edges} edges, 12 drawn, {shrinking} while shrinking;" in str(failing)
    assert [c["phase"] for c in failing.to_json()["cases"]] == [c.phase for c in failing.cases]
    one = check(faithful_dual_lphm, "dual_lphm", examples=5, config={"n": 4, "D": 4, "p": 2, "q": 2, "r": 1})
    assert {c.phase for c in one.cases} == {"drawn"} and "cases: 5 drawn; 0 failing" in str(one)
