"""Defends refimpl._operator and refimpl.operators against the mutants that survived (issue 13).

* ``repr(op)`` names the class, both sides of the shape, the dtype and the namespace.
* The memory guard's message for ``op @ Y`` names the result shape the caller would get,
  batch dimensions included; ``toarray()``'s message names the class and the way out.
* Dask ``X``: wrong shapes (0-d, wrong width, any number of dimensions) are refused before
  anything is computed, naming both shapes; an operator of another library is a TypeError
  naming it; the lazy result declares the dtype its chunks really have (float32 stays float32,
  complex stays complex, integer operands become float64), and 1-D and 3-D ``X`` keep their
  batch shape.
* ``aslinearoperator()`` keeps the operator's dtype without applying it, and its ``matmat`` and
  ``rmatmat`` handle zero columns.
* ``op.conj()`` is ``op`` itself for a real operator, as documented.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import refimpl
from refimpl import (
    DuplicatedPaddingOperator,
    dual_lphm_l,
    dual_lphm_operator,
    duplicated_diagonal_padding_operator,
    duplicated_padding_operator,
)

# A 4 x 6 operator (n != D, so that a message naming the wrong side of the shape is caught).
N, D = 4, 6


def _lphm(dtype: Any = np.float64) -> refimpl.StructuredOperator:
    w = np.arange(1, dual_lphm_l(N, D, 2, 3, 1) + 1).astype(dtype)
    if np.issubdtype(dtype, np.complexfloating):
        w = w * (1 - 0.5j)
    return dual_lphm_operator(w, N, D, 2, 3, 1)


def _message(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    return str(excinfo.value)


# -- repr ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.complex128])
def test_repr_names_class_shape_dtype_and_namespace(dtype: Any) -> None:
    # Kills StructuredOperator.__repr__ mutants 1 (NoneType), 2 (shape[1] x shape[1]), 3 (shape[2]).
    op = _lphm(dtype)
    text = repr(op)
    assert re.search(r"\bDualLphmOperator\b", text), text
    assert re.search(rf"\b{N} x {D}\b", text), text
    assert re.search(np.dtype(dtype).name, text), text
    assert re.search("numpy", text), text
    pop = duplicated_padding_operator(np.ones(6), 2, 12, 2, 2)
    assert re.search(r"\bDuplicatedPaddingOperator\b.*\b2 x 12\b", repr(pop)), repr(pop)


# -- the memory guard's messages ----------------------------------------------------------------


def test_guard_message_names_the_shape_of_op_at_y_with_its_batch() -> None:
    # Kills StructuredOperator._rmatmul mutants 44 and 46: "op @ Y" computes (Y^T @ op^T)^T and
    # the message must name the shape op @ Y would have, (batch..., n, k), not a cut or
    # repeated version of it.
    op = _lphm()
    with refimpl.memory_limit(8):
        with pytest.raises(refimpl.MemoryLimitError) as excinfo:
            op @ np.ones((2, 5, D, 3))
        assert re.search(r"op @ Y.*\(2, 5, 4, 3\)", _message(excinfo)), _message(excinfo)
        with pytest.raises(refimpl.MemoryLimitError) as excinfo:
            op @ np.ones((D, 3))
        assert re.search(r"op @ Y.*\(4, 3\)", _message(excinfo)), _message(excinfo)
        with pytest.raises(refimpl.MemoryLimitError) as excinfo:
            op @ np.ones(D)
        assert re.search(r"op @ y.*\(4,\)", _message(excinfo)), _message(excinfo)
        with pytest.raises(refimpl.MemoryLimitError) as excinfo:
            np.ones((2, 3, N)) @ op
        assert re.search(r"X @ op.*\(2, 3, 6\)", _message(excinfo)), _message(excinfo)


def test_toarray_guard_message_names_the_class_and_the_way_out() -> None:
    # Kills StructuredOperator.toarray mutants 10 (NoneType.toarray()) and 4 (advice None).
    op = _lphm()
    with refimpl.memory_limit(8), pytest.raises(refimpl.MemoryLimitError) as excinfo:
        op.toarray()
    message = _message(excinfo)
    assert re.search(r"DualLphmOperator\.toarray\(\)", message), message
    assert re.search(r"apply the operator", message, re.IGNORECASE), message


# -- conj ---------------------------------------------------------------------------------------


def test_conj_of_a_real_operator_is_itself() -> None:
    # Kills StructuredOperator.conj mutant 2 (always builds a conjugated copy): the docstring
    # promises ``self`` for real dtypes.
    op = _lphm(np.float32)
    assert op.conj() is op
    cop = _lphm(np.complex128)
    assert cop.conj() is not cop
    np.testing.assert_array_equal(cop.conj().toarray(), cop.toarray().conj())
    np.testing.assert_array_equal(cop.H.toarray(), cop.toarray().conj().T)


# -- aslinearoperator ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
def test_aslinearoperator_keeps_the_dtype_and_applies_nothing(dtype: Any) -> None:
    # Kills aslinearoperator mutants 15 and 21 (no dtype given): SciPy then infers the dtype by
    # applying the operator to a vector of zeros, which for a large operator is an allocation
    # the memory guard refuses; with the dtype given, building the LinearOperator computes nothing.
    op = duplicated_padding_operator(np.ones(1, dtype=dtype), 10**6, 10**6, 10**6)
    with refimpl.memory_limit(1024):
        L = op.aslinearoperator()
    assert L.shape == (10**6, 10**6)
    assert L.dtype == np.dtype(dtype)


def test_aslinearoperator_matmat_and_rmatmat_take_zero_columns() -> None:
    # Kills aslinearoperator mutants 18, 24 (no matmat) and 19, 25 (no rmatmat): SciPy's
    # column-by-column fallback cannot stack zero columns.
    op = _lphm(np.complex128)
    M = op.toarray()
    L = op.aslinearoperator()
    assert L.matmat(np.zeros((D, 0))).shape == (N, 0)
    assert L.rmatmat(np.zeros((N, 0))).shape == (D, 0)
    Y = np.arange(2.0 * N).reshape(N, 2) * (1 + 2j)
    np.testing.assert_allclose(L.rmatmat(Y), M.conj().T @ Y)
    X = np.arange(2.0 * D).reshape(D, 2)
    np.testing.assert_allclose(L.matmat(X), M @ X)


# -- Dask ---------------------------------------------------------------------------------------


def test_dask_x_with_an_operator_of_another_library_is_a_type_error_naming_it() -> None:
    # Kills _rmatmul_dask mutant 3 (TypeError(None)): the message names the operator's library.
    da = pytest.importorskip("dask.array")
    xps = pytest.importorskip("array_api_strict")
    op = dual_lphm_operator(xps.ones(dual_lphm_l(N, D, 2, 3, 1)), N, D, 2, 3, 1)
    with pytest.raises(TypeError) as excinfo:
        op.rmatmul(da.ones((3, N), chunks=(1, N)))
    message = _message(excinfo)
    assert re.search("array_api_strict", message), message
    assert re.search("NumPy", message), message


@pytest.mark.parametrize("shape", [(), (3, N + 1), (N + 1,), (2, 3, N - 1)])
def test_dask_x_of_the_wrong_shape_is_refused_naming_both_shapes(shape: tuple[int, ...]) -> None:
    # Kills _rmatmul_dask mutants 4 (`and`: the wrong width and 0-d X slip through, or
    # 0-d X raises IndexError), 6 (ndim == 1: 0-d X raises IndexError), 7 (shape[+1]) and 11-13
    # (the message loses the expected width n or the actual shape). Refused before any compute.
    da = pytest.importorskip("dask.array")
    op = _lphm()
    X = da.ones(shape, chunks=1) if shape else da.from_array(np.float64(1.0))
    with pytest.raises(refimpl.RefimplError) as excinfo:
        op.rmatmul(X)
    message = _message(excinfo)
    assert re.search(rf"\(\.\.\., {N}\)", message), message
    assert re.search(re.escape(f"got shape {shape}"), message), message


@pytest.mark.parametrize("shape", [(N,), (3, N), (2, 3, N)])
def test_dask_x_of_any_batch_shape_keeps_it(shape: tuple[int, ...]) -> None:
    # Kills _rmatmul_dask mutants 6 (1-D X refused), 7 (shape[+1] read as the width of a 3-D X)
    # and 43 (chunks[:+1]: the output chunks of 1-D and 3-D X lose or gain dimensions).
    da = pytest.importorskip("dask.array")
    op = _lphm()
    Xn = np.arange(float(np.prod(shape))).reshape(shape)
    X = da.from_array(Xn, chunks=(1,) * (len(shape) - 1) + (2,))  # the last axis in 2 chunks
    out = op.rmatmul(X)
    assert isinstance(out, da.Array)
    assert out.shape == shape[:-1] + (D,)
    result = out.compute(scheduler="sync")
    assert result.shape == shape[:-1] + (D,)
    np.testing.assert_allclose(result, Xn @ op.toarray(), rtol=1e-12)


DASK_DTYPES = [
    (np.float32, np.float32, np.float32),
    (np.float64, np.float32, np.float64),
    (np.float32, np.float64, np.float64),
    (np.float32, np.complex128, np.complex128),
    (np.complex128, np.float64, np.complex128),
    (np.complex64, np.float32, np.complex64),
    (np.int8, np.float32, np.float32),
    (np.int64, np.float64, np.float64),
]


@pytest.mark.parametrize(("x_dtype", "op_dtype", "expected"), DASK_DTYPES)
def test_dask_result_declares_the_dtype_its_chunks_have(x_dtype: Any, op_dtype: Any, expected: Any) -> None:
    # Kills _rmatmul_dask mutants 23-26 (the promotion of X's and op's dtypes loses one side),
    # 27 and 29 (every floating dtype sent to float64, or complex cast to float64) and 35 (the
    # operator cast to float64 whatever the operands).
    da = pytest.importorskip("dask.array")
    op = _lphm(op_dtype)
    Xn = (np.arange(3 * N).reshape(3, N) % 5).astype(x_dtype)
    if np.issubdtype(x_dtype, np.complexfloating):
        Xn = Xn * (1 + 1j)
    X = da.from_array(Xn, chunks=(2, N))
    out = op.rmatmul(X)
    assert out.dtype == np.dtype(expected)
    result = out.compute(scheduler="sync")
    assert result.dtype == np.dtype(expected)
    direct = Xn @ op
    assert direct.dtype == result.dtype  # the NumPy path agrees
    np.testing.assert_allclose(result, direct, rtol=1e-6)


def test_dask_integer_x_with_an_integer_operator_gives_float64() -> None:
    # Kills _rmatmul_dask mutants 28 (the integer dtype kept) and 32 (dtype None): with no
    # floating operand the result is the default floating dtype, as on the NumPy path. An
    # integer operator is only built from the class directly (the constructors make floats).
    da = pytest.importorskip("dask.array")
    op = DuplicatedPaddingOperator(np, np.arange(1, 5).reshape(2, 2), 2, 3)
    Xn = np.arange(12).reshape(3, 4)
    out = op.rmatmul(da.from_array(Xn, chunks=(2, 4)))
    assert out.dtype == np.float64
    result = out.compute(scheduler="sync")
    assert result.dtype == np.float64
    np.testing.assert_array_equal(result, Xn @ op)
    assert (Xn @ op).dtype == np.float64


def test_dask_int64_x_with_a_float32_operator_stays_float32() -> None:
    # Was a bug: the Dask path promoted with np.result_type (int64 + float32 -> float64) where the
    # NumPy path promotes integers to the floating operand's dtype (float32), as SPEC's Numerics say.
    da = pytest.importorskip("dask.array")
    op = duplicated_diagonal_padding_operator(np.arange(1.0, 5.0, dtype=np.float32), 4, 4, 2)
    Xn = np.arange(8).reshape(2, 4)
    assert (Xn @ op).dtype == np.float32
    assert op.rmatmul(da.from_array(Xn)).dtype == np.float32


# -- DualLphmOperator: the contraction orders ---------------------------------------------------


def _mm(a: int, b: int, c: int) -> int:
    """Multiply-adds of an ``(a, b) @ (b, c)`` product."""
    return a * b * c


@pytest.mark.parametrize(("p", "q", "r", "s", "t"), [(2, 3, 1, 5, 7), (2, 3, 4, 5, 7)])
def test_contraction_costs_count_the_products_of_each_order(p: int, q: int, r: int, s: int, t: int) -> None:
    # Kills contraction_costs mutants 10-19, 22, 24-27, 30, 33-43 and 47-53 (a term of a cost
    # changed). The costs are derived here from the shapes of each order's matrix products, as
    # the docstring lists them; r = 1 makes the first middle option the cheaper, r = 4 the second.
    m = 11
    n, D = p * s, q * t
    op = refimpl.DualLphmOperator(np, np.ones((p, r)), np.ones((q, r)), np.ones((s, r)), np.ones((t, r)))
    middle = min(
        _mm(r * m, p, r) + _mm(r * m, r, q),  # (Z @ P) @ Q^T
        _mm(p, r, q) + _mm(r * m, p, q),  # P @ Q^T, then Z @ (P Q^T)
    )
    expected = {
        # S^T X^T, the middle, then T
        "factored": _mm(r, s, m * p) + middle + _mm(m * q, r, t),
        # S T^T, P Q^T, (S T^T)^T X^T, then P Q^T over the block index, then one transposing copy
        "blocks": _mm(s, r, t) + _mm(p, r, q) + _mm(t, s, m * p) + _mm(t * m, p, q) + m * D,
        # P Q^T, S T^T, the kron's n*D copies, then X @ M
        "dense": _mm(p, r, q) + _mm(s, r, t) + n * D + _mm(m, n, D),
    }
    costs = op.contraction_costs(m)
    assert costs == expected
    assert all(type(v) is int for v in costs.values()), costs


# (n, D, p, q, r) = (4, 2, 2, 1, 4): 'blocks' for one row, 'dense' from two rows on.
CHOICE = (4, 2, 2, 1, 4)


def _choice_operator() -> refimpl.DualLphmOperator:
    n, D, p, q, r = CHOICE
    w = np.arange(1.0, dual_lphm_l(n, D, p, q, r) + 1)
    return dual_lphm_operator(w, n, D, p, q, r)


def _dense_of(op: refimpl.StructuredOperator) -> np.ndarray:
    with refimpl.memory_limit(None):
        return np.asarray(op.toarray())


@pytest.mark.parametrize("m", [1, 2, 3])
def test_x_at_op_uses_the_order_chosen_for_its_rows(m: int) -> None:
    # Kills DualLphmOperator._apply mutant 2 (m = X.shape[1]: the order chosen for n rows, which
    # is 'dense' here, materialises the matrix for one row), and 19, 20 (the dense order's guard
    # message loses what was asked or the way out). The limit is under the 4 x 2 float64 matrix
    # (64 bytes) and over the m x 2 result: only the 'dense' order is refused.
    op = _choice_operator()
    X = np.arange(float(m * op.shape[0])).reshape(m, op.shape[0])
    with refimpl.memory_limit(63):
        if op.contraction_order(m) == "dense":
            with pytest.raises(refimpl.MemoryLimitError) as excinfo:
                X @ op
            message = _message(excinfo)
            assert re.search(r"X @ op in the 'dense' contraction order", message, re.IGNORECASE), message
            assert re.search(r"dense 4 x 2 float64", message), message
            assert re.search(r"'factored' order", message, re.IGNORECASE), message
        else:
            np.testing.assert_array_equal(X @ op, X @ _dense_of(op))
    assert [op.contraction_order(k) for k in (1, 2, 3)] == ["blocks", "dense", "dense"]


def test_an_unknown_contraction_order_is_refused_naming_the_choices() -> None:
    # Kills DualLphmOperator._apply mutant 31 (RefimplError(None)). The order argument is only
    # reachable through _apply (the tests of the orders call it the same way).
    op = _choice_operator()
    with pytest.raises(refimpl.RefimplError) as excinfo:
        op._apply(np.ones((2, op.shape[0])), "diagonal")
    message = _message(excinfo)
    assert re.search("'diagonal'", message), message
    assert all(re.search(f"'{order}'", message) for order in refimpl.DualLphmOperator.ORDERS), message


# -- DuplicatedDiagonalPaddingOperator.tosparse -------------------------------------------------


def _stored_nbytes_int64(psi: Any) -> int:
    """What ``psi`` stores, with its index arrays counted as int64 (the guard's promise)."""
    if psi.format == "coo":
        indices = sum(int(c.size) for c in psi.coords)
    else:  # csr, csc, bsr: indices and pointers (of blocks for BSR)
        indices = int(psi.indices.size) + int(psi.indptr.size)
    return int(psi.data.nbytes) + 8 * indices


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "bsr"])
def test_tosparse_guard_limit_is_the_stored_size_of_the_format(fmt: Any) -> None:
    # Kills DuplicatedDiagonalPaddingOperator.tosparse mutant 21 (the guard sized for format
    # None, i.e. CSC's layout, whatever the format asked). n != D so that CSR and CSC differ.
    op = duplicated_diagonal_padding_operator(np.arange(1.0, 13.0), 6, 12, 3, 2)
    with refimpl.memory_limit(None):
        size = _stored_nbytes_int64(op.tosparse(fmt))
    with refimpl.memory_limit(size):
        assert op.tosparse(fmt).format == fmt
    with refimpl.memory_limit(size - 1), pytest.raises(refimpl.MemoryLimitError) as excinfo:
        op.tosparse(fmt)
    assert re.search(rf"DuplicatedDiagonalPaddingOperator\.tosparse\('{fmt}'\)", _message(excinfo))
