"""Defends refimpl.lphm and refimpl.fusion against the mutants that survived (issue 13).

* ``dual_lphm``'s memory guard names the function and the way out (``dual_lphm_operator``).
* A ``w`` of the wrong length given to ``dual_lphm_operator`` is refused with a message that
  names the rule ``l`` comes from (the check in ``lphm_factors``, the one place ``w`` is cut).
* the catalogue's reading of factors as ``(r, rows)`` (``DualLphmFunction.factors``)
  cuts each named factor as ``(r, rows)`` and transposes it.
* Both ``method=`` of ``dual_lphm_fusion`` equal a literal reference (``np.kron`` of ``P Q^T`` and
  ``S T^T`` from an independent row-major cut of ``w``), for k = 1..3 inputs, batch dimensions,
  ``N != n``, ``p != q``, float32 / complex64 / complex128, integer and bool ``w``, with the result
  dtype SPEC names (integer and bool follow the floating operands, or become float64).
* Dask inputs chunked along their rows, with a NumPy, list or Dask ``w``: the lazy result declares
  the dtype its chunks have (float32 stays float32, integer inputs are promoted, mixed widths of
  float are promoted), and the computed values are the literal fusion; a Dask input mixed with a
  NumPy one, or a Dask input with a torch ``w``, is a TypeError naming the argument and library.
* Refused inputs name the facts (the type given, ``inputs``, the index and shapes); ``method`` is
  checked; the memory guards name the function, the shape, the dtype and the way out.
"""

from __future__ import annotations

import re
from typing import Any, Literal

import numpy as np
import pytest

import refimpl
from refimpl import dual_lphm, dual_lphm_l, dual_lphm_operator
from refimpl.shapes import lphm_shape

Method = Literal["structured", "dense"]


def _cut(w: np.ndarray, p: int, q: int, s: int, t: int, r: int) -> tuple[np.ndarray, ...]:
    """``P, Q, S, T`` from a row-major cut of ``w``, independently of refimpl."""
    out, start = [], 0
    for rows in (p, q, s, t):
        out.append(np.asarray(w[start : start + rows * r]).reshape(rows, r))
        start += rows * r
    return tuple(out)


def _literal(w: np.ndarray, p: int, q: int, s: int, t: int, r: int) -> np.ndarray:
    """SPEC section 3, literally: ``kron(P @ Q.T, S @ T.T)``."""
    P, Q, S, T = _cut(w, p, q, s, t, r)
    return np.kron(P @ Q.T, S @ T.T)


# -- lphm: the memory guard of dual_lphm -------------------------------------------------------


def test_dual_lphm_guard_names_function_and_way_out() -> None:
    # Kills x_dual_lphm mutants 27 (what=None), 35 (XXdual_lphmXX), 36 (DUAL_LPHM),
    # 28 (advice=None), 37 (XX...XX advice), 38 (upper-case advice).
    w = np.ones(dual_lphm_l(64, 64, 8, 8, 1))
    with refimpl.memory_limit(1000), pytest.raises(refimpl.MemoryLimitError) as excinfo:
        dual_lphm(w, 64, 64, 8, 8, 1)
    message = str(excinfo.value)
    assert re.search(r"(?<![\w.])dual_lphm(?!\w)", message), message  # the function asked
    assert re.search(r"\b64 x 64\b", message), message
    assert re.search(r"(?<!\w)refimpl\.dual_lphm_operator(?!\w)", message), message  # the way out


# -- lphm: lphm_factors checks w --------------------------------------------------------------


def test_operator_wrong_length_names_rule() -> None:
    # Kills x_lphm_factors mutant 5 (rule=None): dual_lphm_operator's only length check is the
    # one in lphm_factors, so its message must name where l comes from.
    n, D, p, q, r = 4, 6, 2, 3, 1
    l = dual_lphm_l(n, D, p, q, r)
    with pytest.raises(refimpl.RefimplError) as excinfo:
        dual_lphm_operator(np.ones(l - 1), n, D, p, q, r)
    message = str(excinfo.value)
    assert re.search(rf"\b{l}\b", message) and re.search(rf"\b{l - 1}\b", message), message
    assert re.search(r"l = r\*\(p \+ q", message), message
    assert re.search(rf"\bn={n}\b", message) and re.search(rf"\bD={D}\b", message), message
    assert re.search(rf"\bp={p}\b", message) and re.search(rf"\bq={q}\b", message), message
    assert re.search(rf"\br={r}\b", message), message


# -- lphm: column-major factors (the oracle's catalogue of mistakes) --------------------------


@pytest.mark.parametrize("names", [("P",), ("Q", "T"), ("P", "Q", "S", "T")])
def test_factors_read_column_major(names: tuple[str, ...]) -> None:
    # The catalogue's mistaken reading "factors read as (r, rows)": SPEC's reading of w
    # rearranged (DualLphmFunction.factors), against an independent cut of w.
    from types import SimpleNamespace

    from refimpl.functions.dual_lphm import DualLphmFunction

    n, D, p, q, r = 6, 4, 3, 2, 2
    shape = lphm_shape(n, D, p, q, r)
    s, t = n // p, D // q
    w = np.arange(1.0, dual_lphm_l(n, D, p, q, r) + 1)
    stages = SimpleNamespace(w=w, shape=lambda exchanged: shape)
    got = DualLphmFunction.factors(stages, {"layout": "".join(names)})
    start = 0
    for name, rows, factor in zip("PQST", (p, q, s, t), got, strict=True):
        segment = w[start : start + rows * r]
        start += rows * r
        want = segment.reshape(r, rows).T if name in names else segment.reshape(rows, r)
        assert factor.shape == (rows, r), name
        np.testing.assert_array_equal(factor, want, err_msg=name)


def test_dual_lphm_is_literal_kron() -> None:
    # Guards kron_of_products / lphm_matrix against the literal definition (SPEC section 3).
    n, D, p, q, r = 6, 4, 3, 2, 2
    w = np.random.default_rng(0).standard_normal(dual_lphm_l(n, D, p, q, r))
    want = _literal(w, p, q, n // p, D // q, r)
    np.testing.assert_allclose(dual_lphm(w, n, D, p, q, r), want, rtol=1e-13, atol=1e-13)


# -- fusion: results against the literal definition ------------------------------------------


def _fusion_reference(inputs: list[np.ndarray], w: np.ndarray, p: int, q: int, r: int, n: int) -> np.ndarray:
    """SPEC section 4, literally, in complex128: ``concat(A_i) @ kron(P Q^T, S T^T)``."""
    X = np.concatenate([np.asarray(A, dtype=np.complex128) for A in inputs], axis=-1)
    N = X.shape[-1]
    W = _literal(np.asarray(w, dtype=np.complex128), p, q, N // p, n // q, r)
    out: np.ndarray = X @ W
    return out


def _case(
    dims: tuple[int, ...], n: int, p: int, q: int, r: int, lead: tuple[int, ...], seed: int = 0
) -> tuple[list[np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)
    l = refimpl.dual_lphm_fusion_l(list(dims), n, p, q, r)
    inputs = [rng.standard_normal((*lead, d)) for d in dims]
    return inputs, rng.standard_normal(l)


def _cast(a: np.ndarray, dtype: Any) -> np.ndarray:
    if np.issubdtype(dtype, np.complexfloating):
        return (a * (1 - 0.5j)).astype(dtype)
    if dtype is bool:
        return a > 0
    if np.issubdtype(dtype, np.integer):
        return np.round(a * 3).astype(dtype)
    return a.astype(dtype)


def _promoted(*dtypes: Any) -> np.dtype[Any]:
    """The fusion's result dtype (``refimpl._xp``): the promotion of the floating dtypes; integer
    and bool ones follow them, or become float64 when none is floating."""
    floating = [d for d in dtypes if np.issubdtype(d, np.inexact)]
    return np.result_type(*floating) if floating else np.dtype(np.float64)


_CASES = [  # dims, n, p, q, r, lead: N != n, p != q, k = 1, 2, 3, batch dimensions, m = 1
    ((6,), 4, 3, 2, 2, (5,)),
    ((2, 4), 6, 2, 3, 1, (3,)),
    ((1, 2, 3), 4, 3, 4, 2, (2, 3)),
    ((4, 4), None, 2, 1, 3, (1,)),
]


@pytest.mark.parametrize("method", ["structured", "dense"])
@pytest.mark.parametrize("case", _CASES)
@pytest.mark.parametrize(
    ("in_dtype", "w_dtype"),
    [
        (np.float64, np.float64),
        (np.float32, np.float32),
        (np.complex64, np.complex64),
        (np.complex128, np.float32),
        (np.float32, np.int64),
        (np.float64, bool),
        (np.int32, np.int64),
    ],
)
def test_dual_lphm_fusion_is_literal(
    method: Method, case: tuple[Any, ...], in_dtype: Any, w_dtype: Any
) -> None:
    # Both methods (structured contraction orders and dense) against SPEC, with its dtypes.
    dims, n, p, q, r, lead = case
    inputs, w = _case(dims, n, p, q, r, lead)
    inputs, w = [_cast(A, in_dtype) for A in inputs], _cast(w, w_dtype)
    out = refimpl.dual_lphm_fusion(inputs, w, p=p, q=q, r=r, n=n, method=method)
    want = _fusion_reference(inputs, w, p, q, r, n or dims[0])
    dtype = _promoted(in_dtype, w_dtype)
    assert out.dtype == dtype
    assert out.shape == want.shape
    tol = 1e-4 if dtype in (np.float32, np.complex64) else 1e-11
    np.testing.assert_allclose(out, want if np.iscomplexobj(out) else want.real, rtol=tol, atol=tol * 10)


# -- fusion: Dask inputs chunked along their rows ----------------------------------------------


@pytest.mark.parametrize("method", ["structured", "dense"])
@pytest.mark.parametrize("case", _CASES[:2] + _CASES[3:])
@pytest.mark.parametrize(
    ("in_dtypes", "w_dtype"),
    [
        ((np.float64,), np.float64),
        ((np.float32,), np.float32),
        ((np.float32,), np.int64),
        ((np.int64,), bool),
        ((np.float32, np.float64), np.float32),
        ((np.complex64,), np.float32),
        ((np.float64, np.int32), np.complex128),
    ],
)
def test_dask_dual_lphm_fusion_is_literal(
    method: Method, case: tuple[Any, ...], in_dtypes: tuple[Any, ...], w_dtype: Any
) -> None:
    # The Dask path (_dask_inputs): row-chunked inputs, a NumPy w; the lazy result declares the
    # dtype its chunks have, and the values are the literal fusion. Kills _dask_inputs mutants 19
    # and 21 (probes of dtype None: float32 became float64), 28, 29, 31, 32 (the cast of the
    # inputs to the promoted dtype skipped, inverted, to None, or to the second probe's dtype).
    da = pytest.importorskip("dask.array")
    dims, n, p, q, r, _ = case
    inputs, w = _case(dims, n, p, q, r, (7,), seed=1)
    inputs = [_cast(A, in_dtypes[i % len(in_dtypes)]) for i, A in enumerate(inputs)]
    w = _cast(w, w_dtype)
    lazy = [da.from_array(A, chunks=(3, A.shape[-1])) for A in inputs]
    out = refimpl.dual_lphm_fusion(lazy, w, p=p, q=q, r=r, n=n, method=method)
    assert isinstance(out, da.Array)
    dtype = _promoted(*(A.dtype for A in inputs), w.dtype)
    assert out.dtype == dtype
    got = out.compute()
    assert got.dtype == dtype
    want = _fusion_reference(inputs, w, p, q, r, n or dims[0])
    tol = 1e-4 if dtype in (np.float32, np.complex64) else 1e-11
    np.testing.assert_allclose(got, want if np.iscomplexobj(got) else want.real, rtol=tol, atol=tol * 10)


@pytest.mark.parametrize("in_dtypes", [(np.float64,), (np.float32,), (np.int64, np.float32), (np.complex64,)])
def test_dask_concatenation_fusion_is_literal(in_dtypes: tuple[Any, ...]) -> None:
    da = pytest.importorskip("dask.array")
    rng = np.random.default_rng(2)
    dims, n = (2, 3), 4
    inputs = [_cast(rng.standard_normal((7, d)), in_dtypes[i % len(in_dtypes)]) for i, d in enumerate(dims)]
    w = rng.standard_normal(sum(dims) * n).astype(np.float32)
    out = refimpl.concatenation_fusion([da.from_array(A, chunks=(3, A.shape[-1])) for A in inputs], w, n=n)
    dtype = _promoted(*(A.dtype for A in inputs), w.dtype)
    assert isinstance(out, da.Array) and out.dtype == dtype
    got = out.compute()
    assert got.dtype == dtype
    X = np.concatenate([A.astype(np.complex128) for A in inputs], axis=-1)
    want = X @ w.astype(np.float64).reshape(sum(dims), n)
    np.testing.assert_allclose(got, want if np.iscomplexobj(got) else want.real, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("as_w", ["list", "dask"])
@pytest.mark.parametrize("fusion", ["dual_lphm", "concatenation"])
def test_dask_inputs_take_a_list_or_dask_w(as_w: str, fusion: str) -> None:
    # Kills _dask_inputs mutants 8 (a Dask w not computed) and 9 (w = None).
    da = pytest.importorskip("dask.array")
    rng = np.random.default_rng(3)
    inputs = [rng.standard_normal((5, 2)).astype(np.float32), rng.standard_normal((5, 2)).astype(np.float32)]
    lazy = [da.from_array(A, chunks=(2, 2)) for A in inputs]
    if fusion == "dual_lphm":
        w = rng.standard_normal(refimpl.dual_lphm_fusion_l([2, 2], None, 2, 1, 1))
        want = _fusion_reference(inputs, w, 2, 1, 1, 2).real
    else:
        w = rng.standard_normal(8)
        want = np.concatenate(inputs, axis=-1).astype(np.float64) @ w.reshape(4, 2)
    given = w.tolist() if as_w == "list" else da.from_array(w.astype(np.float32), chunks=3)
    if fusion == "dual_lphm":
        out = refimpl.dual_lphm_fusion(lazy, given, p=2, q=1, r=1)
    else:
        out = refimpl.concatenation_fusion(lazy, given)
    assert isinstance(out, da.Array) and out.dtype == np.float32
    got = out.compute()
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_dask_mixed_with_numpy_inputs_is_a_type_error() -> None:
    da = pytest.importorskip("dask.array")
    A = np.ones((3, 2))
    # _dask_inputs mutants 4 (None), 6 (dask), 7 (upper case): the message names the argument
    # and the library (Dask, spelt as its name).
    for inputs in ([da.from_array(A), A], [A, da.from_array(A)]):
        with pytest.raises(TypeError) as excinfo:
            refimpl.concatenation_fusion(inputs, np.ones(8), n=2)
        message = str(excinfo.value)
        assert re.search(r"(?<!\w)inputs(?!\w)", message) and re.search(r"\bDask\b", message), message


def test_dask_inputs_refuse_a_w_of_another_library() -> None:
    # Kills _dask_inputs mutant 15 (the message names NoneType's module, builtins, not torch).
    da = pytest.importorskip("dask.array")
    torch = pytest.importorskip("torch")
    lazy = [da.ones((3, 2), chunks=(2, 2))]
    with pytest.raises(TypeError) as excinfo:
        refimpl.dual_lphm_fusion(lazy, torch.ones(5), p=2, q=1, r=1)
    assert re.search(r"\btorch\b", str(excinfo.value)), str(excinfo.value)


# -- fusion: refused inputs ---------------------------------------------------------------------


def _refused(error: type[BaseException], call: Any) -> str:
    with pytest.raises(error) as excinfo:
        call()
    assert type(excinfo.value) is error or error is refimpl.RefimplError, type(excinfo.value)
    return str(excinfo.value)


@pytest.mark.parametrize("fusion", ["dual_lphm", "concatenation"])
def test_fusion_refusals_name_the_facts(fusion: str) -> None:
    def call(inputs: Any, w: Any = None, **kwargs: Any) -> Any:
        if fusion == "dual_lphm":
            kwargs = {"p": 1, "r": 1, **kwargs}
            return lambda: refimpl.dual_lphm_fusion(inputs, np.ones(7) if w is None else w, **kwargs)
        return lambda: refimpl.concatenation_fusion(inputs, np.ones(6) if w is None else w, **kwargs)

    A = np.ones((3, 2))
    # _concatenated mutant 1 (and -> or): a dict is neither an array nor a sequence.
    for wrong, name in ((A, "ndarray"), ({"A": A}, "dict")):
        message = _refused(TypeError, call(wrong))
        assert re.search(rf"\b{name}\b", message) and re.search(r"(?<!\w)inputs(?!\w)", message), message
    message = _refused(refimpl.RefimplError, call([]))  # _concatenated mutant 12 (XXinputs)
    assert re.search(r"(?<!\w)inputs(?!\w)", message), message
    assert re.search(r"(?i)empty|at least one", message), message
    message = _refused(refimpl.RefimplError, call([A, np.ones(2)], n=2))  # inputs[1] is 1-D
    assert re.search(r"inputs\[1\]", message) and re.search(r"\(2,\)", message), message
    message = _refused(refimpl.RefimplError, call([A, np.ones((4, 2))], n=2))
    assert re.search(r"\(3, 2\)", message) and re.search(r"\(4, 2\)", message), message


def test_dual_lphm_fusion_method_is_checked() -> None:
    A = [np.ones((3, 2))]
    wrong: Any = 1
    message = _refused(
        TypeError, lambda: refimpl.dual_lphm_fusion(A, np.ones(6), p=2, q=1, r=1, method=wrong)
    )
    assert re.search(r"\b1\b", message) and re.search("structured", message), message
    wrong = "Dense"
    message = _refused(
        refimpl.RefimplError, lambda: refimpl.dual_lphm_fusion(A, np.ones(6), p=2, q=1, r=1, method=wrong)
    )
    assert re.search(r"'Dense'", message), message


def test_fusion_w_of_wrong_length_names_the_rule() -> None:
    A = [np.ones((3, 2)), np.ones((3, 4))]
    l = refimpl.dual_lphm_fusion_l([2, 4], 3, 2, 3, 1)
    message = _refused(
        refimpl.RefimplError, lambda: refimpl.dual_lphm_fusion(A, np.ones(l + 1), p=2, q=3, r=1, n=3)
    )
    assert re.search(rf"\b{l}\b", message) and re.search(rf"\b{l + 1}\b", message), message
    assert re.search(r"\bN=6\b", message) and re.search(r"\bn=3\b", message), message
    message = _refused(refimpl.RefimplError, lambda: refimpl.concatenation_fusion(A, np.ones(17), n=3))
    assert re.search(r"\b18\b", message) and re.search(r"\b17\b", message), message
    assert re.search(r"\bN=6\b", message) and re.search(r"\bn=3\b", message), message


# -- fusion: memory guards ----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["structured", "dense"])
def test_dual_lphm_fusion_output_guard(method: Method) -> None:
    # Guards _check_output's message for dual_lphm_fusion (function, shape with batch, dtype, advice).
    # The output (2, 3, 8) complex64 is 384 bytes; W (4 x 8) is 256 bytes in complex64.
    A = [np.ones((2, 3, 4), dtype=np.complex64)]
    w = np.ones(refimpl.dual_lphm_fusion_l([4], 8, 2, 2, 1), dtype=np.complex64)
    with refimpl.memory_limit(384):
        assert refimpl.dual_lphm_fusion(A, w, p=2, q=2, r=1, n=8, method=method).shape == (2, 3, 8)
    with refimpl.memory_limit(383):
        message = _refused(
            refimpl.MemoryLimitError,
            lambda: refimpl.dual_lphm_fusion(A, w, p=2, q=2, r=1, n=8, method=method),
        )
    assert re.search(r"(?<![\w.])dual_lphm_fusion(?![\w(])", message), message
    assert re.search(r"\(2, 3, 8\)", message) and re.search(r"\bcomplex64\b", message), message
    assert re.search(r"\bfewer rows\b", message), message


def test_concatenation_fusion_output_guard() -> None:
    # Kills concatenation_fusion mutant 23 (advice None: the message loses "fewer rows").
    A = [np.ones((2, 3, 1), dtype=np.float32), np.ones((2, 3, 3), dtype=np.float32)]
    w = np.ones(4 * 5, dtype=np.float32)
    with refimpl.memory_limit(2 * 3 * 5 * 4):
        assert refimpl.concatenation_fusion(A, w, n=5).shape == (2, 3, 5)
    with refimpl.memory_limit(2 * 3 * 5 * 4 - 1):
        message = _refused(refimpl.MemoryLimitError, lambda: refimpl.concatenation_fusion(A, w, n=5))
    assert re.search(r"(?<![\w.])concatenation_fusion(?!\w)", message), message
    assert re.search(r"\(2, 3, 5\)", message) and re.search(r"\bfloat32\b", message), message
    assert re.search(r"\bfewer rows\b", message), message


def test_dual_lphm_fusion_dense_weight_guard() -> None:
    # Kills dual_lphm_fusion mutants 57 (what None), 65 (XX...XX), 66 (upper case), 67 (XX advice).
    # One row: the output (1, 16) float32 is 64 bytes, W (16 x 16) float32 is 1 KiB.
    A = [np.ones((1, 16), dtype=np.float32)]
    w = np.ones(refimpl.dual_lphm_fusion_l([16], 16, 4, 4, 1), dtype=np.float32)
    with refimpl.memory_limit(1024):
        assert refimpl.dual_lphm_fusion(A, w, p=4, r=1, method="dense").shape == (1, 16)
    with refimpl.memory_limit(1023):
        assert refimpl.dual_lphm_fusion(A, w, p=4, r=1).shape == (1, 16)  # structured: no W
        message = _refused(
            refimpl.MemoryLimitError, lambda: refimpl.dual_lphm_fusion(A, w, p=4, r=1, method="dense")
        )
    assert re.search(r"(?<![\w.])dual_lphm_fusion\(method='dense'\)(?!\w)", message), message
    assert re.search(r"\b16 x 16\b", message) and re.search(r"\bfloat32\b", message), message
    assert re.search(r"(?<!\w)method='structured'(?!\w)", message), message
