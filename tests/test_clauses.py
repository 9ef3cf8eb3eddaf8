"""The oracle's verdict, clause by clause (SPEC, "What a check judges").

Each test here failed before the clauses: a default check that failed correct PyTorch code on
integer ``w`` (a clause nobody asked it to judge), a failure that hid another, inputs the check
never made (memory layouts, mixed dtypes, an instance called twice, an earlier result changed),
and the report's own gaps (no clause lines, a reproduction without its backend).
"""

from __future__ import annotations

import numpy as np
import pytest

import refimpl
from refimpl.functions import FUNCTIONS
from refimpl.oracle.check._clauses import CLAUSES
from refimpl.oracle.check._layouts import LAYOUTS, laid_out
from refimpl.testing import ConformanceError, assert_close_to_reference, check

pytest_plugins = ["pytester"]

SMALL = {"examples": 20, "raise_on_failure": False}


def _tile(w, n, D, p, q=None):
    """A correct duplicated padding that keeps integer ``w`` integer (as PyTorch's ``repeat`` does)."""
    q = p if q is None else q
    return np.tile(np.asarray(w).reshape(n // p, D // q), (p, q))


def test_default_check_names_every_clause_and_judges_integer_w_only_when_asked():
    report = check(_tile, "duplicated_padding", **SMALL)
    assert report.passed, report.failure
    judged = {name for name, v in report.clauses.items() if v.judged}
    assert judged == {"values", "shape", "dtype", "returns", "side effects", "determinism"}
    text = str(report)
    for name in ("non-finite", "promotion", "gradients"):
        assert f"{CLAUSES[name][0]:<22} not judged (turn on: {CLAUSES[name][1]})" in text
    asked = check(_tile, "duplicated_padding", dtypes=("float64", "int64"), **SMALL)
    assert not asked.passed and asked.clauses["values"].passed
    assert "dtype int64, expected float64" in asked.clauses["promotion"].failure


def test_a_wrong_value_is_found_and_diagnosed_whatever_else_fails():
    def wrong(w, n, D, p, q=None):  # always float32, raises for p == 3, and transposed when square
        if p == 3:
            raise RuntimeError("p = 3 is not supported")
        out = refimpl.duplicated_padding(np.asarray(w, np.float32), n, D, p, q)
        return out.T if n == D else out

    report = check(wrong, "duplicated_padding", **SMALL)
    assert not report.clauses["dtype"].passed and not report.clauses["returns"].passed
    values = report.clauses["values"]
    assert not values.passed
    assert "output transposed" in values.diagnosis.matches
    assert report.diagnosis is values.diagnosis
    minimal = values.minimal.case.config
    assert minimal["n"] == minimal["D"] and minimal["p"] != 3


def test_each_layout_holds_the_same_values():
    inputs = {"w": np.arange(6.0), "inputs": [np.arange(6.0).reshape(2, 3) * 0 + [1.0, 2.0, 3.0]]}
    for layout in LAYOUTS:
        given = laid_out(inputs, layout)
        assert np.array_equal(given["w"], inputs["w"]) and np.array_equal(
            given["inputs"][0], inputs["inputs"][0]
        )
    assert not laid_out(inputs, "strided")["w"].flags.c_contiguous
    assert laid_out(inputs, "F")["inputs"][0].flags.f_contiguous
    assert not laid_out(inputs, "readonly")["w"].flags.writeable


def test_a_strided_w_read_as_its_buffer_fails():
    def buffer(w, n, D, p, q=None):  # np.frombuffer reads memory, not the view
        return _tile(np.frombuffer(w, dtype=w.dtype), n, D, p, q)

    report = check(buffer, "duplicated_padding", **SMALL)
    assert not report.passed
    failing = [v for v in report.clauses.values() if not v.passed]
    assert any("strided" in v.failure or "Fortran" in v.failure for v in failing)


def test_fortran_ordered_inputs_read_with_ravel_k_fail():
    def fused(inputs, w, *, n=None):  # reads each input's memory order, not its row-major order
        X = np.concatenate([np.ravel(a, order="K").reshape(a.shape) for a in inputs], axis=-1)
        N = X.shape[-1]
        n = inputs[0].shape[-1] if n is None else n
        return X @ np.asarray(w, dtype=np.result_type(X, w)).reshape(N, n)

    report = check(fused, "concatenation_fusion", **SMALL)
    assert not report.clauses["values"].passed
    assert "Fortran-ordered" in report.clauses["values"].failure


def test_mixed_dtypes_must_give_the_promoted_dtype():
    def fused(inputs, w, *, n=None):  # the dtype of the inputs alone
        X = np.concatenate(inputs, axis=-1)
        n = inputs[0].shape[-1] if n is None else n
        return (X @ np.asarray(w).reshape(X.shape[-1], n)).astype(X.dtype)

    report = check(fused, "concatenation_fusion", **SMALL)
    assert report.clauses["values"].passed and not report.clauses["dtype"].passed


def test_a_layer_that_keeps_its_first_result_fails_on_values():
    class Cached:
        def __init__(self, p, q=None):
            self.p, self.q, self.matrix = p, q, None

        def calculate_l(self, n, D):
            return refimpl.duplicated_padding_l(n, D, self.p, self.q)

        def forward(self, n, D, w):
            if self.matrix is None:
                self.matrix = refimpl.duplicated_padding(w, n, D, self.p, self.q)
            return self.matrix

    report = check(Cached, "duplicated_padding", **SMALL)
    assert not report.clauses["values"].passed


def test_a_buffer_shared_by_every_call_is_a_side_effect():
    buffer = {}

    def shared(w, n, D, p, q=None):
        out = buffer.setdefault((n, D), np.empty((n, D)))
        out[...] = refimpl.duplicated_padding(w, n, D, p, q)
        return out

    report = check(shared, "duplicated_padding", dtypes=("float64",), **SMALL)
    failure = report.clauses["side effects"].failure
    assert "the result of call 1 (other w and inputs) changed after call 2" in failure


def test_zero_rows_are_an_edge_every_check_runs():
    def per_row(inputs, w, *, n=None):  # np.stack of no rows fails
        X = np.concatenate(inputs, axis=-1)
        n = inputs[0].shape[-1] if n is None else n
        W = np.asarray(w, dtype=np.result_type(X, w)).reshape(X.shape[-1], n)
        return np.stack([row @ W for row in X.reshape(-1, X.shape[-1])]).reshape(*X.shape[:-1], n)

    for seed in range(3):
        report = check(per_row, "concatenation_fusion", seed=seed, **SMALL)
        assert "m=0" in report.clauses["returns"].failure.splitlines()[0]


def test_one_wrong_call_in_fifty_is_caught():
    calls = [0]

    def flaky(w, n, D, p, q=None):
        calls[0] += 1
        out = refimpl.duplicated_padding(w, n, D, p, q)
        return out + 1.0 if calls[0] % 50 == 0 else out

    assert not check(flaky, "duplicated_padding", raise_on_failure=False).passed


def test_zero_times_inf_is_judged_and_named_when_asked():
    def readme(w, n, D, p, q=None):  # README's formula typed in: kron(eye(p, q), W) computes 0 * W
        q = p if q is None else q
        W = np.asarray(w).reshape(n // p, D // q)
        return np.kron(np.eye(p, q, dtype=W.dtype), W)

    assert check(readme, "duplicated_diagonal_padding", **SMALL).passed
    report = check(readme, "duplicated_diagonal_padding", nonfinite=True, **SMALL)
    clause = report.clauses["non-finite"]
    assert not clause.passed and "off-diagonal blocks computed as 0 * W" in clause.diagnosis.matches
    assert "inf" in clause.failure or "nan" in clause.failure  # the minimal case's inputs are shown


def test_a_sparse_product_that_skips_zero_times_inf_fails_with_nonfinite():
    import scipy.sparse as sp

    def fused(inputs, w, *, n=None):
        X = np.concatenate(inputs, axis=-1)
        n = inputs[0].shape[-1] if n is None else n
        W = np.asarray(w, dtype=np.result_type(X, w)).reshape(X.shape[-1], n)
        flat = sp.csr_array(X.reshape(-1, X.shape[-1])) @ W
        return np.asarray(flat).reshape(*X.shape[:-1], n)

    assert check(fused, "concatenation_fusion", **SMALL).passed
    assert not check(fused, "concatenation_fusion", nonfinite=True, **SMALL).clauses["non-finite"].passed


def test_outputs_that_are_no_arrays_are_verdicts():
    for output in (None, "[[1.0]]", np.array([[object()]])):
        report = check(lambda w, n, D, p, q=None, o=output: o, "duplicated_padding", **SMALL)
        assert not report.clauses["values"].passed


def test_strict_judges_every_clause():
    report = check(_tile, "duplicated_padding", strict=True, **SMALL)
    assert report.clauses["non-finite"].judged and report.clauses["promotion"].judged
    assert not report.clauses["promotion"].passed
    assert "--strict" in report.clauses["promotion"].failure


def test_grad_needs_an_autodiff_library():
    with pytest.raises(refimpl.RefimplError, match="grad=True .* needs backend 'torch' or 'jax'"):
        check(refimpl.duplicated_padding, "duplicated_padding", backend="numpy", grad=True, examples=1)


def test_reproduction_of_one_output_keeps_backend_and_seed():
    w = np.arange(1.0, 5.0)
    with pytest.raises(ConformanceError) as info:
        assert_close_to_reference(np.zeros((2, 2)), "duplicated_padding", w, 2, 2, 1, seed=7)
    assert "backend='numpy'" in str(info.value) and "seed=7" in str(info.value)


def test_every_function_has_edges_of_every_kind():
    from refimpl.oracle.check._edges import edge_cases
    from refimpl.oracle.check._reproduction import Settings

    for spec in FUNCTIONS.values():
        cases = edge_cases(spec, Settings(), spec.optional_arguments)
        assert {c.inputs["w"].ndim for c in cases} == {1, 2}
        assert any(c.omitted for c in cases), spec.name
        if spec.is_fusion:
            assert {0, 1} <= {c.config["m"] for c in cases} and max(c.config["m"] for c in cases) >= 100


def test_a_tinybig_style_pytorch_layer_is_checked_in_pytorch_and_its_layout_mistake_named():
    torch_layers = pytest.importorskip("tests.oracle_corpus.correct_clauses", reason="needs PyTorch")
    from tests.oracle_corpus.wrong_clauses import LphmTorchReconciliationMisread

    report = check(torch_layers.LphmTorchReconciliation, "dual_lphm", examples=30, raise_on_failure=False)
    assert report.passed, report.failure
    assert report.settings.backend == "torch" and "PyTorch inputs work" in report.backend_note
    assert "backend torch (auto: with NumPy inputs it raised" in str(report)
    wrong = check(LphmTorchReconciliationMisread, "dual_lphm", examples=30, raise_on_failure=False)
    assert wrong.diagnosis is not None
    assert wrong.diagnosis.matches == [
        "Q and T read as (r, q), (r, t) + flattened outer product in place of the Kronecker product"
    ]


def test_the_plugin_takes_the_commands_options(pytester: pytest.Pytester) -> None:
    """The plugin had no ``--refimpl-max-side``; its reports now say which clauses were judged."""
    run = pytester.runpytest(
        "--refimpl-candidate",
        "refimpl.examples:column_major_dual_lphm",
        "--refimpl-function",
        "dual_lphm",
        "--refimpl-examples",
        "10",
        "--refimpl-max-side",
        "2",
        "--refimpl-nonfinite",
        "--refimpl-backend",
        "numpy",
    )
    run.assert_outcomes(failed=1)
    text = "\n".join(run.outlines)
    assert "--max-side 2" in text and "--nonfinite" in text
    assert "non-finite inputs      FAIL" in text or "non-finite inputs      PASS" in text


def test_a_diagnosis_never_ends_on_a_promise_of_details():
    from refimpl.examples import column_major_dual_lphm

    report = check(column_major_dual_lphm, "dual_lphm", **SMALL)
    text = str(report.diagnosis)
    assert "the details below are of" not in text or report.diagnosis.misplaced


def test_gradients_judged_are_a_clause_of_the_report():
    torch = pytest.importorskip("torch")

    def lphm(w, n, D, p, q, r):
        s, t = n // p, D // q
        P, Q, S, T = torch.split(w.reshape(-1), [p * r, q * r, s * r, t * r])
        return torch.kron(P.reshape(p, r) @ Q.reshape(q, r).T, S.reshape(s, r) @ T.reshape(t, r).T)

    report = check(lphm, "dual_lphm", grad=True, **SMALL)
    assert report.settings.backend == "torch" and report.clauses["gradients"].judged
    assert "  gradients              PASS" in str(report), str(report)


def test_two_calls_are_compared_by_what_each_did():
    from refimpl.oracle.check._calls import disagreement
    from refimpl.oracle.check._harness import Call

    spec = FUNCTIONS["duplicated_padding"]
    drawn = type(
        "Drawn", (), {"config": spec.normalize({"n": 2, "D": 2, "p": 1}), "inputs": {"w": np.arange(4.0)}}
    )()
    drawn.dtype = "float64"
    right = refimpl.duplicated_padding(np.arange(4.0), 2, 2, 1)
    same_error = Call(error=RuntimeError("no")), Call(error=RuntimeError("no"))
    assert disagreement(spec, drawn, *same_error) == ""
    assert disagreement(spec, drawn, Call(right), Call(error=RuntimeError("no"))) == (
        "non-deterministic: call 1 gave an output of shape (2, 2), float64, call 2 raised RuntimeError: no"
    )
    assert disagreement(spec, drawn, Call(None), Call(None)) == ""
    assert disagreement(spec, drawn, Call("x"), Call(None)) == (
        "non-deterministic: call 1 was judged 'the output is a str, not an array of numbers', "
        "call 2 'the output is a NoneType, not an array of numbers'"
    )
    assert disagreement(spec, drawn, Call(right), Call(right * 0)) == (
        "non-deterministic: entry (0, 1): call 1 gave 1.0, call 2 gave 0.0"
    )
    assert disagreement(spec, drawn, Call(None), Call(right)).startswith(
        "non-deterministic: call 1 was judged"
    )
