"""The structured operators agree with the literal definitions: one class per constructor, then one
per method of ``StructuredOperator`` (``op @ Y``, ``X @ op``, ``op.T``/``op.H``/``op.conj()``,
``op.aslinearoperator()``, ``repr(op)``).

Their memory guards are in ``test_memory.py``, their devices in ``test_backend.py``, what bad
operands raise (wrong shapes, scalars, other libraries) in ``test_errors.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import refimpl
from refimpl import (
    DualLphmOperator,
    DuplicatedPaddingOperator,
    dual_lphm_fusion,
    dual_lphm_fusion_l,
    dual_lphm_l,
    dual_lphm_operator,
    duplicated_diagonal_padding_operator,
    duplicated_padding_l,
    duplicated_padding_operator,
)

from ._support import as_xp, assert_array, loop_dual_lphm, loop_padding, to_numpy
from .strategies import (
    DTYPES,
    integer_valued,
    lphm_configs,
    padding_configs,
    vectors,
)

KINDS = ("padding", "diagonal", "lphm")
CONSTRUCTORS: dict[str, Callable[..., refimpl.StructuredOperator]] = {
    "padding": duplicated_padding_operator,
    "diagonal": duplicated_diagonal_padding_operator,
    "lphm": dual_lphm_operator,
}
batch_shapes = st.sampled_from([(), (0,), (1,), (3,), (2, 2)])


@st.composite
def operator_cases(draw: Any, dtype: Any = np.float64) -> tuple[str, tuple[int, ...], np.ndarray, np.ndarray]:
    """An operator kind, its configuration, its parameter vector and its dense matrix by the loops."""
    kind = draw(st.sampled_from(KINDS))
    if kind == "lphm":
        c = draw(lphm_configs())
        args: tuple[int, ...] = (c["n"], c["D"], c["p"], c["q"], c["r"])
        w = draw(vectors(dual_lphm_l(*args), dtype))
        return kind, args, w, loop_dual_lphm(w, *args)
    c = draw(padding_configs())
    args = (c["n"], c["D"], c["p"], c["q"])
    w = draw(vectors(duplicated_padding_l(*args), dtype))
    return kind, args, w, loop_padding(w, *args, diagonal=kind == "diagonal")


def make_operator(kind: str, w: Any, args: tuple[int, ...]) -> refimpl.StructuredOperator:
    return CONSTRUCTORS[kind](w, *args)


def same(actual: Any, expected: Any) -> None:
    """Equal shapes, dtypes and entries (both converted to NumPy)."""
    a, e = to_numpy(actual), to_numpy(expected)
    assert a.dtype == e.dtype, (a.dtype, e.dtype)
    assert a.shape == e.shape, (a.shape, e.shape)
    np.testing.assert_array_equal(a, e)


def _draw_integers(data: Any, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    return data.draw(st.composite(lambda draw: integer_valued(draw, shape, dtype))())


# A 4 x 6 Dual-LPHM operator (n != D, so that a message naming the wrong side of the shape is caught).
ROWS, COLS = 4, 6


def _lphm(dtype: Any = np.float64) -> refimpl.StructuredOperator:
    w = np.arange(1, dual_lphm_l(ROWS, COLS, 2, 3, 1) + 1).astype(dtype)
    if np.issubdtype(dtype, np.complexfloating):
        w = w * (1 - 0.5j)
    return dual_lphm_operator(w, ROWS, COLS, 2, 3, 1)


def _holds_views(library: str, kind: str) -> None:
    """Building an operator from a floating w costs no copy: its pieces are views of w, so (as with
    SciPy's aslinearoperator of an array) a later in-place change of w shows in the operator. A copy
    of a w already in the computing dtype (an astype to the same dtype) fails here."""
    if library == "torch":
        torch = pytest.importorskip("torch")
        w = torch.arange(1.0, 9.0, dtype=torch.float64)
        before = w.clone().numpy()
    else:
        w = np.arange(1.0, 9.0)
        before = w.copy()
    op = dual_lphm_operator(w, 4, 4, 2, 2, 1) if kind == "lphm" else CONSTRUCTORS[kind](w[:4], 4, 4, 2, 2)
    dense = to_numpy(op.toarray())
    w[:] = w * 2  # in place
    # Each of P, Q, S, T doubles: kron(P Q^T, S T^T) is 16 times what it was; W is twice.
    factor = 16 if isinstance(op, DualLphmOperator) else 2
    np.testing.assert_array_equal(to_numpy(op.toarray()), factor * dense)
    np.testing.assert_array_equal(to_numpy(w), 2 * before)


# -- the constructors ------------------------------------------------------------------------------


class TestDuplicatedPaddingOperator:
    @pytest.mark.parametrize("library", ["numpy", "torch"])
    def test_holds_views_of_w_and_copies_nothing(self, library: str) -> None:
        _holds_views(library, "padding")


class TestDuplicatedDiagonalPaddingOperator:
    @pytest.mark.parametrize("library", ["numpy", "torch"])
    def test_holds_views_of_w_and_copies_nothing(self, library: str) -> None:
        _holds_views(library, "diagonal")

    def test_tosparse_gives_the_loop_matrix_in_every_format(self) -> None:
        w = np.arange(1.0, 7.0)
        op = duplicated_diagonal_padding_operator(w, 6, 6, 3, 2)
        expected = loop_padding(w, 6, 6, 3, 2, diagonal=True)
        for fmt in refimpl.SPARSE_FORMATS:
            sparse = op.tosparse(fmt)
            assert fmt == "dense" or sparse.format == fmt
            np.testing.assert_array_equal(to_numpy(sparse), expected)
        np.testing.assert_array_equal(to_numpy(op.T.tosparse("csr")), expected.T)

    def test_tosparse_defaults_to_csr(self) -> None:
        # Another default format than the documented CSR fails here.
        op = duplicated_diagonal_padding_operator(np.arange(1.0, 7.0), 4, 9, 2, 3)
        sp = op.tosparse()
        assert sp.format == "csr"
        same(sp.toarray(), loop_padding(np.arange(1.0, 7.0), 4, 9, 2, 3, diagonal=True))


def _mm(a: int, b: int, c: int) -> int:
    """Multiply-adds of an ``(a, b) @ (b, c)`` product."""
    return a * b * c


# (n, D, p, q, r) = (4, 2, 2, 1, 4): 'blocks' for one row, 'dense' from two rows on.
CHOICE = (4, 2, 2, 1, 4)


def _choice_operator() -> refimpl.DualLphmOperator:
    n, D, p, q, r = CHOICE
    w = np.arange(1.0, dual_lphm_l(n, D, p, q, r) + 1)
    return dual_lphm_operator(w, n, D, p, q, r)


def _dense_of(op: refimpl.StructuredOperator) -> np.ndarray:
    with refimpl.memory_limit(None):
        return np.asarray(op.toarray())


class TestDualLphmOperator:
    @pytest.mark.parametrize("library", ["numpy", "torch"])
    def test_holds_views_of_w_and_copies_nothing(self, library: str) -> None:
        _holds_views(library, "lphm")

    @given(data=st.data(), m=st.integers(0, 5))
    def test_every_contraction_order_gives_the_same_result(self, xp: Any, data: Any, m: int) -> None:
        c = data.draw(lphm_configs())
        args = (c["n"], c["D"], c["p"], c["q"], c["r"])
        w = data.draw(vectors(dual_lphm_l(*args)))
        X = integer_valued(data.draw, (m, c["n"]), np.float64)
        op = dual_lphm_operator(as_xp(xp, w), *args)
        expected = X @ loop_dual_lphm(w, *args)
        for order in DualLphmOperator.ORDERS:
            assert_array(op._apply(as_xp(xp, X), order), xp, expected)

    @given(data=st.data(), order=st.sampled_from(DualLphmOperator.ORDERS))
    def test_contraction_orders_agree_to_rounding_on_real_data(self, data: Any, order: str) -> None:
        c = data.draw(lphm_configs())
        args = (c["n"], c["D"], c["p"], c["q"], c["r"])
        rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
        w = rng.standard_normal(dual_lphm_l(*args))
        X = rng.standard_normal((4, c["n"]))
        op = dual_lphm_operator(w, *args)
        exact = X @ loop_dual_lphm(w, *args)
        bound = (
            64 * np.finfo(np.float64).eps * (np.abs(X) @ np.abs(loop_dual_lphm(w, *args))).max(initial=1.0)
        )
        assert np.max(np.abs(op._apply(X, order) - exact), initial=0.0) <= bound

    @pytest.mark.xp_backends("numpy", "array_api_strict", "torch")
    def test_a_float32_operator_is_cast_in_every_contraction_order(self, xp: Any) -> None:
        # p != q, s != t, r > 1, distinct entries: a factor swapped for another, or left uncast,
        # when the operator is cast to X's dtype shows.
        n, D, p, q, r = 6, 8, 3, 2, 2
        w = np.arange(1.0, dual_lphm_l(n, D, p, q, r) + 1.0, dtype=np.float32)
        op = dual_lphm_operator(as_xp(xp, w), n, D, p, q, r)
        expected = loop_dual_lphm(w.astype(np.float64), n, D, p, q, r)
        X = np.arange(1.0, 2 * n + 1.0).reshape(2, n)
        for order in op.ORDERS:
            cast = op._cast(as_xp(xp, X).dtype)
            same(cast._apply(as_xp(xp, X), order), X @ expected)
        for dtype in (np.float64, np.complex128):
            Xc = (X * (1 + 1j) if dtype == np.complex128 else X).astype(dtype)
            same(op.rmatmul(as_xp(xp, Xc)), Xc @ expected.astype(dtype))

    @pytest.mark.parametrize(
        ("p", "q", "r", "cheaper"),
        [
            (8, 8, 1, "left"),  # (Z P) Q^T: r*(p + q) = 16 multiply-adds a row, Z (P Q^T): p*q = 64
            (6, 2, 1, "left"),  # 8 against 12
            (2, 2, 4, "right"),  # 16 against 4
            (3, 5, 3, "right"),  # 24 against 15
            (4, 4, 2, "tie"),  # 16 against 16: the tie goes to (Z P) Q^T
            (6, 3, 2, "tie"),  # 18 against 18
        ],
    )
    def test_z_p_qt_takes_the_association_with_fewer_multiply_adds(
        self, p: int, q: int, r: int, cheaper: str
    ) -> None:
        # The two associations of Z @ P @ Q^T round differently on these random factors (checked
        # below), so the result shows which one ran: the one with fewer multiply-adds a row of Z.
        rng = np.random.default_rng(p * 100 + q * 10 + r)
        w = rng.standard_normal(dual_lphm_l(p, q, p, q, r))
        op = dual_lphm_operator(w, p, q, p, q, r)
        Z = rng.standard_normal((50, p))
        left, right = (Z @ op.P) @ op.Q.T, Z @ (op.P @ op.Q.T)
        assert not np.array_equal(left, right)  # else this case could not tell them apart
        expected = right if cheaper == "right" else left
        np.testing.assert_array_equal(op._times_p_qt(Z), expected)

    def test_the_benchmark_configuration_uses_the_factored_order(self) -> None:
        op = dual_lphm_operator(np.ones(4 * (64 + 64 + 64 + 64)), 4096, 4096, 64, 64, 4)
        costs = op.contraction_costs(512)
        assert op.contraction_order(512) == "factored"
        assert costs["factored"] * 30 < costs["dense"]
        # Tiny factors of high rank: forming S T^T (1 x 1) beats contracting through rank 16.
        small = dual_lphm_operator(np.ones(16 * (8 + 8 + 1 + 1)), 8, 8, 8, 8, 16)
        assert small.contraction_order(100) != "factored"

    @pytest.mark.parametrize(("p", "q", "r", "s", "t"), [(2, 3, 1, 5, 7), (2, 3, 4, 5, 7)])
    def test_contraction_costs_count_the_products_of_each_order(
        self, p: int, q: int, r: int, s: int, t: int
    ) -> None:
        # Any term of a cost changed (a dimension dropped or swapped, a product left out) fails here.
        # The costs are derived here from the shapes of each order's matrix products, as the
        # docstring lists them; r = 1 makes the first middle option the cheaper, r = 4 the second.
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

    @pytest.mark.parametrize("m", [1, 2, 3])
    def test_x_at_op_uses_the_order_chosen_for_its_rows(self, m: int) -> None:
        # The order must be chosen for X's m rows, not for the operator's n: chosen for n rows it is
        # 'dense' here, and materialises the matrix for one row. The dense order's guard message
        # names what was asked and the way out. The limit is under the 4 x 2 float64 matrix
        # (64 bytes) and over the m x 2 result: only the 'dense' order is refused.
        op = _choice_operator()
        X = np.arange(float(m * op.shape[0])).reshape(m, op.shape[0])
        with refimpl.memory_limit(63):
            if op.contraction_order(m) == "dense":
                with pytest.raises(refimpl.MemoryLimitError) as excinfo:
                    X @ op
                message = str(excinfo.value)
                assert re.search(r"X @ op in the 'dense' contraction order", message, re.IGNORECASE), message
                assert re.search(r"dense 4 x 2 float64", message), message
                assert re.search(r"'factored' order", message, re.IGNORECASE), message
            else:
                np.testing.assert_array_equal(X @ op, X @ _dense_of(op))
        assert [op.contraction_order(k) for k in (1, 2, 3)] == ["blocks", "dense", "dense"]

    def test_the_order_asked_is_the_order_run(self) -> None:
        # p = q = 4, s = t = 2, r = 8: a row of a block holds r*p + r*q = 64 values (512 bytes)
        # in the factored order, t*p = 8 (64 bytes) in the blocks order, and W is 8 x 8 (512
        # bytes). Under a limit of 128 bytes each order shows itself by what it refuses.
        rng = np.random.default_rng(11)
        w = rng.integers(-3, 4, size=dual_lphm_l(8, 8, 4, 4, 8)).astype(np.float64)
        op = dual_lphm_operator(w, 8, 8, 4, 4, 8)
        X = rng.integers(-3, 4, size=(3, 8)).astype(np.float64)
        expected = X @ loop_dual_lphm(w, 8, 8, 4, 4, 8)
        with refimpl.memory_limit(128):
            np.testing.assert_array_equal(op._apply(X, "blocks"), expected)
            with pytest.raises(refimpl.MemoryLimitError, match=r"intermediates of 1 x 64 values"):
                op._apply(X, "factored")
            with pytest.raises(refimpl.MemoryLimitError, match=r"'dense' contraction order"):
                op._apply(X, "dense")
        for order in op.ORDERS:
            np.testing.assert_array_equal(op._apply(X, order), expected)

    def test_a_copy_of_x_is_guarded_and_named(self) -> None:
        # A broadcast X (64 x 16, zero-stride rows) cannot be seen as (64*2, 8) without a copy
        # (8 KiB); the result (64 x 4) is 2 KiB. The guard names X, by X @ op and by the
        # operator's own rmatmul_segments, whose defaults say the same.
        op = dual_lphm_operator(np.ones(dual_lphm_l(16, 4, 2, 1, 1)), 16, 4, 2, 1, 1)
        X = np.broadcast_to(np.arange(16.0), (64, 16))
        expected = np.full((64, 4), 120.0)
        for call in (lambda: X @ op, lambda: op.rmatmul_segments([X])):
            with refimpl.memory_limit(4096):
                with pytest.raises(refimpl.MemoryLimitError) as info:
                    call()
            message = str(info.value)
            assert message.startswith(
                "X @ op would copy X of shape (64, 16) (float64) into contiguous memory"
            ), message
            assert "of 8.0 KiB" in message, message
            np.testing.assert_array_equal(call(), expected)


class TestDualLphmFusionOperator:
    def test_is_the_fusion_weight(self) -> None:
        rng = np.random.default_rng(1)
        w = rng.standard_normal(dual_lphm_fusion_l([2, 4], 3, 3, 1, 2))
        op = refimpl.dual_lphm_fusion_operator([2, 4], w, p=3, q=1, r=2, n=3)
        np.testing.assert_array_equal(op.toarray(), refimpl.dual_lphm(w, 6, 3, 3, 1, 2))


# -- the methods of every operator ------------------------------------------------------------------
# Integer-valued data: every sum and product below is exact in float32 and float64, so the
# structured results must equal the loop-level definition exactly, whatever the summation order.


class TestMatmul:
    """``op @ Y`` and ``op.matmul(Y)``."""

    @given(data=st.data(), dtype=st.sampled_from(DTYPES), lead=batch_shapes, k=st.integers(1, 3))
    def test_op_at_y_equals_the_matrix_at_y(
        self, xp: Any, data: Any, dtype: Any, lead: tuple[int, ...], k: int
    ) -> None:
        kind, args, w, M = data.draw(operator_cases(dtype))
        Y = integer_valued(data.draw, lead + (M.shape[1], k), dtype)
        op = make_operator(kind, as_xp(xp, w), args)
        assert_array(op.matmul(as_xp(xp, Y)), xp, (M @ Y).astype(dtype))
        y = Y.reshape(-1, M.shape[1], k)[:1, :, 0].reshape(-1) if Y.size else np.zeros(M.shape[1], dtype)
        assert_array(op.matmul(as_xp(xp, y)), xp, (M @ y).astype(dtype))  # a vector: shape (n,)

    def test_matmul_operator_syntax_defers_to_the_operator(self) -> None:
        w = np.arange(1.0, 9.0)
        op = dual_lphm_operator(w, 4, 4, 2, 2, 1)
        X = np.arange(8.0).reshape(2, 4)
        np.testing.assert_array_equal(X @ op, X @ op.toarray())
        np.testing.assert_array_equal(op @ X.T, op.toarray() @ X.T)

    @given(case=operator_cases(), k=st.integers(1, 3), b=st.integers(1, 2))
    def test_op_at_a_list_is_op_at_the_array(self, case: Any, k: int, b: int) -> None:
        # How deep a list is nested tells a vector from a matrix: a wrong depth (the empty list's
        # stop, the first element, the count) takes a list vector for a matrix, or back. The
        # products with a list X (X @ op) are checked here too.
        kind, args, w, dense = case
        op = CONSTRUCTORS[kind](w, *args)
        n, D = dense.shape
        y = np.arange(1.0, D + 1.0)
        same(op @ y.tolist(), dense @ y)
        same(op.matmul(y.tolist()), dense @ y)
        Y = np.arange(1.0, D * k + 1.0).reshape(D, k)
        same(op @ Y.tolist(), dense @ Y)
        Y3 = np.arange(1.0, b * D * k + 1.0).reshape(b, D, k)
        same(op @ Y3.tolist(), dense @ Y3)
        x = np.arange(1.0, n + 1.0)
        same(op.rmatmul(x.tolist()), x @ dense)
        X3 = np.arange(1.0, b * k * n + 1.0).reshape(b, k, n)
        same(op.rmatmul(X3.tolist()), X3 @ dense)

    @pytest.mark.parametrize("kind", KINDS)
    def test_op_at_a_list_of_one_column_or_one_entry(self, kind: str) -> None:
        # D = 1: the vector list [y0] and the one-column matrix list [[y0]] are told apart by depth.
        args = {"padding": (2, 1, 1, 1), "diagonal": (2, 1, 2, 1), "lphm": (2, 1, 1, 1, 1)}[kind]
        l = dual_lphm_l(*args) if kind == "lphm" else duplicated_padding_l(*args)
        op = CONSTRUCTORS[kind](np.arange(2.0, l + 2.0), *args)
        dense = op.toarray()
        same(op @ [3.0], dense @ np.array([3.0]))
        same(op @ [[3.0]], dense @ np.array([[3.0]]))
        same(op @ [[[3.0]], [[4.0]]], dense @ np.array([[[3.0]], [[4.0]]]))
        # D = 4, k = 1: a column list [[a], [b], [c], [d]] is a matrix, not a vector of 4 entries.
        args = {"padding": (2, 4, 1, 2), "diagonal": (4, 4, 2, 2), "lphm": (4, 4, 2, 2, 1)}[kind]
        l = dual_lphm_l(*args) if kind == "lphm" else duplicated_padding_l(*args)
        op = CONSTRUCTORS[kind](np.arange(2.0, l + 2.0), *args)
        column = [[1.0], [2.0], [3.0], [4.0]]
        same(op @ column, op.toarray() @ np.array(column))

    @pytest.mark.parametrize("kind", KINDS)
    def test_op_at_a_buffer_is_op_at_the_array(self, kind: str) -> None:
        # A memoryview is a Sequence with an ndim and no array namespace: it is converted like a list,
        # and its ndim, not the depth of its first element, tells a vector from a matrix (the [0] of a
        # 2-D memoryview raises NotImplementedError). A wrong implementation asks for the depth of
        # anything whose ndim it cannot see, and fails on these.
        args = {"padding": (4, 4, 2, 2), "diagonal": (4, 4, 2, 2), "lphm": (4, 4, 2, 2, 1)}[kind]
        l = dual_lphm_l(*args) if kind == "lphm" else duplicated_padding_l(*args)
        op = CONSTRUCTORS[kind](np.arange(1.0, l + 1.0), *args)
        dense = op.toarray()
        Y = np.arange(8.0).reshape(4, 2)
        same(op @ memoryview(Y), dense @ Y)
        same(op @ memoryview(np.arange(8.0).reshape(2, 4, 1)), dense @ np.arange(8.0).reshape(2, 4, 1))
        same(op @ memoryview(np.arange(4.0)), dense @ np.arange(4.0))
        same(op.rmatmul(memoryview(Y.T.copy())), Y.T @ dense)


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


class TestRmatmul:
    """``X @ op`` and ``op.rmatmul(X)``: the one code path of both products (``op @ Y`` is
    ``(Y^T @ op^T)^T``), for NumPy-like and Dask ``X``."""

    @given(data=st.data(), dtype=st.sampled_from(DTYPES), lead=batch_shapes)
    def test_x_at_op_equals_x_at_the_matrix(
        self, xp: Any, data: Any, dtype: Any, lead: tuple[int, ...]
    ) -> None:
        kind, args, w, M = data.draw(operator_cases(dtype))
        X = integer_valued(data.draw, lead + (M.shape[0],), dtype)
        op = make_operator(kind, as_xp(xp, w), args)
        assert op.shape == M.shape
        assert_array(op.rmatmul(as_xp(xp, X)), xp, (X @ M).astype(dtype))

    @pytest.mark.xp_backends("numpy", "array_api_strict", "torch")
    @given(
        case=operator_cases(np.float32), x_dtype=st.sampled_from([np.float64, np.complex128]), data=st.data()
    )
    def test_a_float32_operator_times_a_wider_x_is_computed_in_the_promoted_dtype(
        self, xp: Any, case: Any, x_dtype: Any, data: Any
    ) -> None:
        # The operator is cast to X's dtype, both ways round: a factor dropped, swapped or left
        # uncast, or p and q exchanged, in that cast fails here (PyTorch multiplies only equal
        # dtypes, so an uncast factor raises there; elsewhere swapped pieces give wrong values).
        kind, args, w, dense = case
        op = CONSTRUCTORS[kind](as_xp(xp, w), *args)
        assert to_numpy(op.toarray()).dtype == np.float32
        n, D = dense.shape
        promoted = np.result_type(np.float32, x_dtype)
        matrix = to_numpy(op.toarray()).astype(promoted)
        np.testing.assert_array_equal(matrix, dense.astype(promoted))

        X = _draw_integers(data, (3, n), x_dtype)
        same(op.rmatmul(as_xp(xp, X)), X @ matrix)
        Y = _draw_integers(data, (D, 2), x_dtype)
        same(op @ as_xp(xp, Y), matrix @ Y)
        y = _draw_integers(data, (D,), x_dtype)
        same(op @ as_xp(xp, y), matrix @ y)
        assert to_numpy(op.toarray()).dtype == np.float32  # the operator itself is not changed

    def test_dask_rows_are_applied_chunk_by_chunk_lazily(self) -> None:
        da = pytest.importorskip("dask.array")
        rng = np.random.default_rng(3)
        w = rng.standard_normal(dual_lphm_l(12, 8, 3, 2, 2))
        X = rng.standard_normal((10, 12))
        Xd = da.from_array(X, chunks=(3, 12))
        op = dual_lphm_operator(w, 12, 8, 3, 2, 2)
        out = op.rmatmul(Xd)
        assert isinstance(out, da.Array)
        assert out.chunks == ((3, 3, 3, 1), (8,))  # one output chunk per input chunk
        np.testing.assert_allclose(out.compute(scheduler="sync"), X @ op.toarray(), rtol=1e-12)
        # Columns split into chunks are joined per row chunk, never across rows.
        Xc = da.from_array(X, chunks=(5, 4))
        np.testing.assert_allclose(op.rmatmul(Xc).compute(scheduler="sync"), X @ op.toarray(), rtol=1e-12)
        fused = dual_lphm_fusion([Xd[:, :5], Xd[:, 5:]], w, p=3, q=2, r=2, n=8)
        assert isinstance(fused, da.Array)
        np.testing.assert_allclose(fused.compute(scheduler="sync"), X @ op.toarray(), rtol=1e-12)
        for cls in (duplicated_padding_operator, duplicated_diagonal_padding_operator):
            pop = cls(np.arange(1.0, 17.0), 12, 8, 3, 2)
            np.testing.assert_allclose(pop.rmatmul(Xd).compute(scheduler="sync"), X @ pop.toarray())

    @pytest.mark.parametrize("shape", [(ROWS,), (3, ROWS), (2, 3, ROWS)])
    def test_dask_x_of_any_batch_shape_keeps_it(self, shape: tuple[int, ...]) -> None:
        # 1-D X refused, the width of a 3-D X read from the wrong axis, or output chunks that lose
        # or gain dimensions for 1-D and 3-D X all fail here.
        da = pytest.importorskip("dask.array")
        op = _lphm()
        Xn = np.arange(float(np.prod(shape))).reshape(shape)
        X = da.from_array(Xn, chunks=(1,) * (len(shape) - 1) + (2,))  # the last axis in 2 chunks
        out = op.rmatmul(X)
        assert isinstance(out, da.Array)
        assert out.shape == shape[:-1] + (COLS,)
        result = out.compute(scheduler="sync")
        assert result.shape == shape[:-1] + (COLS,)
        np.testing.assert_allclose(result, Xn @ op.toarray(), rtol=1e-12)

    @pytest.mark.parametrize(("x_dtype", "op_dtype", "expected"), DASK_DTYPES)
    def test_dask_result_declares_the_dtype_its_chunks_have(
        self, x_dtype: Any, op_dtype: Any, expected: Any
    ) -> None:
        # A promotion of X's and op's dtypes that loses one side, every floating dtype sent to
        # float64 (or complex cast to float64), or the operator cast to float64 whatever the
        # operands: the declared dtype, or the chunks', is then not the NumPy path's.
        da = pytest.importorskip("dask.array")
        op = _lphm(op_dtype)
        Xn = (np.arange(3 * ROWS).reshape(3, ROWS) % 5).astype(x_dtype)
        if np.issubdtype(x_dtype, np.complexfloating):
            Xn = Xn * (1 + 1j)
        X = da.from_array(Xn, chunks=(2, ROWS))
        out = op.rmatmul(X)
        assert out.dtype == np.dtype(expected)
        result = out.compute(scheduler="sync")
        assert result.dtype == np.dtype(expected)
        direct = Xn @ op
        assert direct.dtype == result.dtype  # the NumPy path agrees
        np.testing.assert_allclose(result, direct, rtol=1e-6)

    def test_dask_integer_x_with_an_integer_operator_gives_float64(self) -> None:
        # With no floating operand the result is the default floating dtype, as on the NumPy path:
        # keeping the integer dtype, or declaring dtype None, fails here. An integer operator is
        # only built from the class directly (the constructors make floats).
        da = pytest.importorskip("dask.array")
        op = DuplicatedPaddingOperator(np, np.arange(1, 5).reshape(2, 2), 2, 3)
        Xn = np.arange(12).reshape(3, 4)
        out = op.rmatmul(da.from_array(Xn, chunks=(2, 4)))
        assert out.dtype == np.float64
        result = out.compute(scheduler="sync")
        assert result.dtype == np.float64
        np.testing.assert_array_equal(result, Xn @ op)
        assert (Xn @ op).dtype == np.float64

    def test_dask_int64_x_with_a_float32_operator_stays_float32(self) -> None:
        # Was a bug: the Dask path promoted with np.result_type (int64 + float32 -> float64) where the
        # NumPy path promotes integers to the floating operand's dtype (float32), as SPEC's Numerics say.
        da = pytest.importorskip("dask.array")
        op = duplicated_diagonal_padding_operator(np.arange(1.0, 5.0, dtype=np.float32), 4, 4, 2)
        Xn = np.arange(8).reshape(2, 4)
        assert (Xn @ op).dtype == np.float32
        assert op.rmatmul(da.from_array(Xn)).dtype == np.float32


class TestTransposeAndConjugate:
    """``op.T``, ``op.H`` and ``op.conj()`` (and ``toarray()`` of each)."""

    @given(data=st.data(), dtype=st.sampled_from(DTYPES))
    def test_transpose_conjugate_and_toarray(self, xp: Any, data: Any, dtype: Any) -> None:
        kind, args, w, M = data.draw(operator_cases(dtype))
        op = make_operator(kind, as_xp(xp, w), args)
        assert_array(op.toarray(), xp, M)
        assert_array(op.T.toarray(), xp, np.ascontiguousarray(M.T))
        assert_array(op.H.toarray(), xp, np.ascontiguousarray(M.conj().T))
        # and applied, not only materialised
        Y = integer_valued(data.draw, (3, M.shape[1]), dtype)
        assert_array(op.T.rmatmul(as_xp(xp, Y)), xp, (Y @ M.T).astype(dtype))
        assert_array(op.H.rmatmul(as_xp(xp, Y)), xp, (Y @ M.conj().T).astype(dtype))
        assert op.T.shape == op.H.shape == M.shape[::-1]
        assert op.T.T.shape == M.shape

    @given(data=st.data(), dtype=st.sampled_from([np.float64, np.complex128]))
    def test_dot_test_forward_and_adjoint_belong_together(self, data: Any, dtype: Any) -> None:
        # <u, M v> == <M^H u, v> on random (non-integer) vectors, to rounding.
        kind, args, w, M = data.draw(operator_cases(dtype))
        rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
        x = rng.standard_normal(M.shape[0]).astype(dtype)
        y = rng.standard_normal(M.shape[1]).astype(dtype)
        if np.dtype(dtype).kind == "c":
            x, y = x + 1j * rng.standard_normal(x.shape), y + 1j * rng.standard_normal(y.shape)
        op = make_operator(kind, w, args)
        lhs = np.vdot(x, op @ y)  # <u, M v>
        rhs = np.vdot(op.H @ x, y)  # <M^H u, v>
        scale = np.linalg.norm(x) * np.linalg.norm(y) * max(1.0, np.abs(M).max())
        assert abs(lhs - rhs) <= 1e-10 * scale

    def test_conj_of_a_real_operator_is_itself(self) -> None:
        # The docstring promises ``self`` for real dtypes: always building a conjugated copy fails here.
        op = _lphm(np.float32)
        assert op.conj() is op
        cop = _lphm(np.complex128)
        assert cop.conj() is not cop
        np.testing.assert_array_equal(cop.conj().toarray(), cop.toarray().conj())
        np.testing.assert_array_equal(cop.H.toarray(), cop.toarray().conj().T)


class TestAslinearoperator:
    def test_drops_into_scipy_solvers(self) -> None:
        from scipy.sparse.linalg import LinearOperator, lsqr

        rng = np.random.default_rng(2)
        w = rng.standard_normal(duplicated_padding_l(6, 6, 2, 2)) + 2.0
        op = duplicated_diagonal_padding_operator(w, 6, 6, 2, 2)  # invertible when W is
        L = op.aslinearoperator()
        assert isinstance(L, LinearOperator) and L.shape == (6, 6)
        b = rng.standard_normal(6)
        x = lsqr(L, b, atol=1e-14, btol=1e-14)[0]
        np.testing.assert_allclose(op.toarray() @ x, b, atol=1e-8)
        np.testing.assert_allclose(L.rmatvec(b), op.toarray().T @ b)
        np.testing.assert_allclose(L.matmat(np.eye(6)), op.toarray())

    @pytest.mark.parametrize("kind", KINDS)
    def test_applies_the_conjugate_transpose(self, kind: str) -> None:
        # rmatmat must be op.H @ Y: through op itself, through op.T, or with the conjugate dropped,
        # it fails on complex w and Y.
        args = {"padding": (4, 6, 2, 3), "diagonal": (4, 6, 2, 3), "lphm": (4, 6, 2, 3, 2)}[kind]
        l = dual_lphm_l(*args) if kind == "lphm" else duplicated_padding_l(*args)
        rng = np.random.default_rng(7)
        w = rng.standard_normal(l) + 1j * rng.standard_normal(l)
        op = CONSTRUCTORS[kind](w, *args)
        dense = op.toarray()
        L = op.aslinearoperator()
        Y = rng.standard_normal((4, 3)) + 1j * rng.standard_normal((4, 3))
        np.testing.assert_allclose(L.rmatmat(Y), dense.conj().T @ Y, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(L.H.matmat(Y), dense.conj().T @ Y, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(L.rmatvec(Y[:, 0]), dense.conj().T @ Y[:, 0], rtol=1e-12, atol=1e-12)
        Z = rng.standard_normal((6, 2)) + 1j * rng.standard_normal((6, 2))
        np.testing.assert_allclose(L.matmat(Z), dense @ Z, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(L.matvec(Z[:, 0]), dense @ Z[:, 0], rtol=1e-12, atol=1e-12)

    @pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
    def test_keeps_the_dtype_and_applies_nothing(self, dtype: Any) -> None:
        # Given no dtype, SciPy infers one by applying the operator to a vector of zeros, which for a
        # large operator is an allocation the memory guard refuses; with the dtype given, building
        # the LinearOperator computes nothing.
        op = duplicated_padding_operator(np.ones(1, dtype=dtype), 10**6, 10**6, 10**6)
        with refimpl.memory_limit(1024):
            L = op.aslinearoperator()
        assert L.shape == (10**6, 10**6)
        assert L.dtype == np.dtype(dtype)

    def test_matmat_and_rmatmat_take_zero_columns(self) -> None:
        # Without its own matmat and rmatmat, the LinearOperator falls back to SciPy's
        # column-by-column loop, which cannot stack zero columns.
        op = _lphm(np.complex128)
        M = op.toarray()
        L = op.aslinearoperator()
        assert L.matmat(np.zeros((COLS, 0))).shape == (ROWS, 0)
        assert L.rmatmat(np.zeros((ROWS, 0))).shape == (COLS, 0)
        Y = np.arange(2.0 * ROWS).reshape(ROWS, 2) * (1 + 2j)
        np.testing.assert_allclose(L.rmatmat(Y), M.conj().T @ Y)
        X = np.arange(2.0 * COLS).reshape(COLS, 2)
        np.testing.assert_allclose(L.matmat(X), M @ X)


class TestRepr:
    @pytest.mark.parametrize("dtype", [np.float32, np.complex128])
    def test_names_class_shape_dtype_and_namespace(self, dtype: Any) -> None:
        # Both sides of the shape, in order: a repr of the wrong object, n x n, or a missing
        # dimension fails here.
        op = _lphm(dtype)
        text = repr(op)
        assert re.search(r"\bDualLphmOperator\b", text), text
        assert re.search(rf"\b{ROWS} x {COLS}\b", text), text
        assert re.search(np.dtype(dtype).name, text), text
        assert re.search("numpy", text), text
        pop = duplicated_padding_operator(np.ones(6), 2, 12, 2, 2)
        assert re.search(r"\bDuplicatedPaddingOperator\b.*\b2 x 12\b", repr(pop)), repr(pop)
