"""A sixth function, defined in this file and registered: the oracle, the command line and the
golden vectors take it with no edit anywhere else.

The low-rank reconciliation ``psi(w) = A @ B.T``, with ``A`` ``(n, r)`` and ``B`` ``(D, r)`` cut
row-major from ``w`` (``l = r*(n + D)``), and a catalogue of two mistakes of its own: ``B``
read as ``(r, D)`` and the output transposed.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np
import pytest

from refimpl._validation import check_dim, check_parameter_vector
from refimpl._xp import namespace_and_arrays
from refimpl.cli import main
from refimpl.functions import FUNCTIONS, MatrixFunction, Mistake, register, unregister
from refimpl.functions._picture import Panel, Picture
from refimpl.oracle.vectors import read_vectors, verify_vectors, write_vectors
from refimpl.testing import check

NAME = "low_rank_reconciliation"


class LowRankShape(NamedTuple):
    n: int
    D: int
    r: int

    @property
    def l(self) -> int:
        return self.r * (self.n + self.D)

    @property
    def rule(self) -> str:
        return f"l = r*(n + D) with n={self.n}, D={self.D}, r={self.r}"


def low_rank_shape(n: Any, D: Any, r: Any) -> LowRankShape:
    return LowRankShape(check_dim(n, "n"), check_dim(D, "D"), check_dim(r, "r"))


def low_rank_reconciliation(w: Any, n: int, D: int, r: int) -> Any:
    """``A @ B.T`` with ``w = [vec(A) | vec(B)]``, row-major."""
    shape = low_rank_shape(n, D, r)
    xp, (w,) = namespace_and_arrays(w)
    w = check_parameter_vector(xp, w, shape)
    A = xp.reshape(w[: n * r], (n, r))
    B = xp.reshape(w[n * r :], (D, r))
    return A @ B.T


B_TRANSPOSED = Mistake("b_read_transposed", "b_read_transposed", "B read as (r, D)", "layout", "B")
TRANSPOSED = Mistake("output_transposed", "output_transposed", "output transposed", "transpose")


class LowRankFunction(MatrixFunction):
    """The low-rank reconciliation as the rest of the package sees it."""

    name = NAME
    config_keys = ("n", "D", "r")
    optional_keys = frozenset()
    vector_prefix = "lr"
    mistakes = (B_TRANSPOSED, TRANSPOSED)
    generic = ({"n": 3, "D": 5, "r": 2},)
    vectors = (("basic", ("float64", "float32"), {"n": 3, "D": 4, "r": 2}),)

    @property
    def function(self) -> Any:
        return low_rank_reconciliation

    def build_shape(self, config: dict[str, Any]) -> LowRankShape:
        return low_rank_shape(config["n"], config["D"], config["r"])

    def call(self, config: dict[str, Any], inputs: dict[str, Any], format: Any = None) -> Any:
        return low_rank_reconciliation(inputs["w"], config["n"], config["D"], config["r"])

    def rounding_count(self, config: dict[str, Any]) -> int:
        return int(config["r"]) + 2  # an r-term sum of products, 2 input roundings

    def _cut(self, config: dict[str, Any], w: np.ndarray, transposed: bool = False) -> tuple[Any, Any]:
        n, D, r = self.build_shape(config)
        A = w[: n * r].reshape(n, r)
        B = w[n * r :].reshape(r, D).T if transposed else w[n * r :].reshape(D, r)
        return A, B

    def vjp(
        self, config: dict[str, Any], w: np.ndarray, G: np.ndarray, arrays: list[np.ndarray]
    ) -> dict[str, Any]:
        A, B = self._cut(config, w)
        return {"w": np.concatenate([(G @ np.conj(B)).reshape(-1), (G.T @ np.conj(A)).reshape(-1)])}

    def mistaken(self, stages: Any, options: dict[str, Any]) -> np.ndarray | None:
        A, B = self._cut(stages.config, stages.w, transposed="layout" in options)
        out: np.ndarray = A @ B.T
        return out

    def telling(self, config: dict[str, Any]) -> bool:
        return min(config["n"], config["D"], config["r"]) >= 2

    def grown(self, config: dict[str, Any]) -> list[dict[str, Any]]:
        n, D, r = config["n"], config["D"], config["r"]
        return [{"n": 2 * n, "D": k * D, "r": r + 1} for k in (2, 3)]

    def ceiling(self, config: dict[str, Any], top: float) -> float:
        return float(config["r"]) * top**2

    def picture(self, config: dict[str, Any], w: np.ndarray, fmt: Any) -> Picture:
        A, B = self._cut(config, w)
        return Picture(
            (Panel(A, "$A$"), Panel(B.T, "$B^T$"), Panel(A @ B.T, r"$\psi(w) = A B^T$")),
            ("·", "="),
            f" l = r(n + D) = {self.l(config)}",
            (),
        )


@pytest.fixture
def low_rank() -> Iterator[LowRankFunction]:
    function = register(LowRankFunction())
    try:
        yield function
    finally:
        unregister(NAME)
    assert NAME not in FUNCTIONS


def faithful(w: Any, n: int, D: int, r: int) -> np.ndarray:
    """Written from the formula alone: ``psi[i, j] = sum_c A[i, c] B[j, c]``."""
    w = np.asarray(w).reshape(-1)
    w = w.astype(np.float64) if w.dtype.kind in "biu" else w
    A, B = w[: n * r].reshape(n, r), w[n * r :].reshape(D, r)
    out: np.ndarray = np.einsum("ic,jc->ij", A, B)
    return out


def b_read_transposed(w: Any, n: int, D: int, r: int) -> np.ndarray:
    w = np.asarray(w).reshape(-1)
    w = w.astype(np.float64) if w.dtype.kind in "biu" else w
    A, B = w[: n * r].reshape(n, r), w[n * r :].reshape(r, D)
    out: np.ndarray = A @ B
    return out


def test_check_passes_a_faithful_candidate(low_rank: LowRankFunction) -> None:
    report = check(faithful, NAME, examples=40)
    assert report.passed, str(report)


def test_check_fails_the_planted_mistake_and_names_it(low_rank: LowRankFunction) -> None:
    report = check(b_read_transposed, NAME, examples=40, raise_on_failure=False)
    assert not report.passed
    assert report.diagnosis is not None and report.diagnosis.matches == ["B read as (r, D)"], str(report)


def run_cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(list(argv))
    return status, out.getvalue()


def test_refimpl_l_and_show_print_it(low_rank: LowRankFunction) -> None:
    assert run_cli("l", NAME, "--n", "3", "--D", "4", "--r", "2") == (0, "14\n")
    status, text = run_cli("show", NAME, "--n", "2", "--D", "3", "--r", "1")
    expected = faithful(np.arange(1.0, 6.0), 2, 3, 1)  # w = 1, 2, ..., l
    assert status == 0 and text.startswith(f"{NAME}: l = 5\n"), text
    printed = [[float(v) for v in line.strip(" []").split()] for line in text.splitlines()[1:] if line]
    np.testing.assert_array_equal(printed, expected)


def test_golden_vectors_write_and_verify_it(low_rank: LowRankFunction, tmp_path: Any) -> None:
    directory = tmp_path / "set"
    write_vectors(directory, large=False)
    mine = [v for v in read_vectors(directory) if v.function == NAME]
    assert [v.name for v in mine] == ["lr_basic_f64", "lr_basic_f32"]
    assert all("exposes:b_read_transposed" in v.flags for v in mine), [v.flags for v in mine]

    def outputs(implementation: Any) -> dict[str, np.ndarray]:
        return {
            v.name: implementation(v.inputs["w"], v.config["n"], v.config["D"], v.config["r"]).astype(v.dtype)
            for v in mine
        }

    right = {
        r.name: r.status for r in verify_vectors(directory, outputs(faithful)).results if r.function == NAME
    }
    wrong = {
        r.name: r.status
        for r in verify_vectors(directory, outputs(b_read_transposed)).results
        if r.function == NAME
    }
    assert right == {"lr_basic_f64": "pass", "lr_basic_f32": "pass"}, right
    assert wrong == {"lr_basic_f64": "fail", "lr_basic_f32": "fail"}, wrong
