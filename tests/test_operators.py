"""The structured operators agree with the literal definitions, and the memory guard fires."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import refimpl
from refimpl import (
    DualLphmOperator,
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
    fusion_configs,
    fusion_inputs,
    integer_valued,
    lphm_configs,
    padding_configs,
    vectors,
)

KINDS = ("padding", "diagonal", "lphm")
batch_shapes = st.sampled_from([(), (0,), (1,), (3,), (2, 2)])


@st.composite
def operator_cases(draw: Any, dtype: Any = np.float64) -> tuple[str, tuple[int, ...], np.ndarray, np.ndarray]:
    """An operator kind, its configuration, its parameter vector and its dense matrix by the loops."""
    kind = draw(st.sampled_from(KINDS))
    if kind == "lphm":
        c = draw(lphm_configs())
        args = (c["n"], c["D"], c["p"], c["q"], c["r"])
        w = draw(vectors(dual_lphm_l(*args), dtype))
        return kind, args, w, loop_dual_lphm(w, *args)
    c = draw(padding_configs())
    args = (c["n"], c["D"], c["p"], c["q"])
    w = draw(vectors(duplicated_padding_l(*args), dtype))
    return kind, args, w, loop_padding(w, *args, diagonal=kind == "diagonal")


def make_operator(kind: str, w: Any, args: tuple[int, ...]) -> refimpl.StructuredOperator:
    return {
        "padding": duplicated_padding_operator,
        "diagonal": duplicated_diagonal_padding_operator,
        "lphm": dual_lphm_operator,
    }[kind](w, *args)


# Integer-valued data: every sum and product below is exact in float32 and float64, so the
# structured results must equal the loop-level definition exactly, whatever the summation order.


@given(data=st.data(), dtype=st.sampled_from(DTYPES), lead=batch_shapes)
def test_x_at_op_equals_x_at_the_matrix(xp: Any, data: Any, dtype: Any, lead: tuple[int, ...]) -> None:
    kind, args, w, M = data.draw(operator_cases(dtype))
    X = integer_valued(data.draw, lead + (M.shape[0],), dtype)
    op = make_operator(kind, as_xp(xp, w), args)
    assert op.shape == M.shape
    assert_array(op.rmatmul(as_xp(xp, X)), xp, (X @ M).astype(dtype))


@given(data=st.data(), dtype=st.sampled_from(DTYPES), lead=batch_shapes, k=st.integers(1, 3))
def test_op_at_y_equals_the_matrix_at_y(
    xp: Any, data: Any, dtype: Any, lead: tuple[int, ...], k: int
) -> None:
    kind, args, w, M = data.draw(operator_cases(dtype))
    Y = integer_valued(data.draw, lead + (M.shape[1], k), dtype)
    op = make_operator(kind, as_xp(xp, w), args)
    assert_array(op.matmul(as_xp(xp, Y)), xp, (M @ Y).astype(dtype))
    y = Y.reshape(-1, M.shape[1], k)[:1, :, 0].reshape(-1) if Y.size else np.zeros(M.shape[1], dtype)
    assert_array(op.matmul(as_xp(xp, y)), xp, (M @ y).astype(dtype))  # a vector: shape (n,)


@given(data=st.data(), dtype=st.sampled_from(DTYPES))
def test_transpose_conjugate_and_toarray(xp: Any, data: Any, dtype: Any) -> None:
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
def test_dot_test_forward_and_adjoint_belong_together(data: Any, dtype: Any) -> None:
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


@given(data=st.data(), m=st.integers(0, 5))
def test_every_contraction_order_gives_the_same_result(xp: Any, data: Any, m: int) -> None:
    c = data.draw(lphm_configs())
    args = (c["n"], c["D"], c["p"], c["q"], c["r"])
    w = data.draw(vectors(dual_lphm_l(*args)))
    X = integer_valued(data.draw, (m, c["n"]), np.float64)
    op = dual_lphm_operator(as_xp(xp, w), *args)
    expected = X @ loop_dual_lphm(w, *args)
    for order in DualLphmOperator.ORDERS:
        assert_array(op._apply(as_xp(xp, X), order), xp, expected)


@given(data=st.data(), order=st.sampled_from(DualLphmOperator.ORDERS))
def test_contraction_orders_agree_to_rounding_on_real_data(data: Any, order: str) -> None:
    c = data.draw(lphm_configs())
    args = (c["n"], c["D"], c["p"], c["q"], c["r"])
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    w = rng.standard_normal(dual_lphm_l(*args))
    X = rng.standard_normal((4, c["n"]))
    op = dual_lphm_operator(w, *args)
    exact = X @ loop_dual_lphm(w, *args)
    bound = 64 * np.finfo(np.float64).eps * (np.abs(X) @ np.abs(loop_dual_lphm(w, *args))).max(initial=1.0)
    assert np.max(np.abs(op._apply(X, order) - exact), initial=0.0) <= bound


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
def test_z_p_qt_takes_the_association_with_fewer_multiply_adds(p: int, q: int, r: int, cheaper: str) -> None:
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


def test_the_benchmark_configuration_uses_the_factored_order() -> None:
    op = dual_lphm_operator(np.ones(4 * (64 + 64 + 64 + 64)), 4096, 4096, 64, 64, 4)
    costs = op.contraction_costs(512)
    assert op.contraction_order(512) == "factored"
    assert costs["factored"] * 30 < costs["dense"]
    # Tiny factors of high rank: forming S T^T (1 x 1) beats contracting through rank 16.
    small = dual_lphm_operator(np.ones(16 * (8 + 8 + 1 + 1)), 8, 8, 8, 8, 16)
    assert small.contraction_order(100) != "factored"


@given(data=st.data(), cfg=fusion_configs(), dtype=st.sampled_from(DTYPES))
def test_structured_fusion_equals_the_literal_one(
    xp: Any, data: Any, cfg: dict[str, Any], dtype: Any
) -> None:
    l = dual_lphm_fusion_l(cfg["dims"], cfg["n"], cfg["p"], cfg["q"], cfg["r"])
    w = as_xp(xp, data.draw(vectors(l, dtype)))
    inputs = [as_xp(xp, A) for A in data.draw(fusion_inputs(cfg, dtype))]
    kw = {"p": cfg["p"], "q": cfg["q"], "r": cfg["r"], "n": cfg["n"]}
    dense = dual_lphm_fusion(inputs, w, method="dense", **kw)
    assert_array(dual_lphm_fusion(inputs, w, **kw), xp, to_numpy(dense))


def test_fusion_operator_is_the_fusion_weight() -> None:
    rng = np.random.default_rng(1)
    w = rng.standard_normal(dual_lphm_fusion_l([2, 4], 3, 3, 1, 2))
    op = refimpl.dual_lphm_fusion_operator([2, 4], w, p=3, q=1, r=2, n=3)
    np.testing.assert_array_equal(op.toarray(), refimpl.dual_lphm(w, 6, 3, 3, 1, 2))


def test_tosparse_gives_the_loop_matrix_in_every_format() -> None:
    w = np.arange(1.0, 7.0)
    op = duplicated_diagonal_padding_operator(w, 6, 6, 3, 2)
    expected = loop_padding(w, 6, 6, 3, 2, diagonal=True)
    for fmt in refimpl.SPARSE_FORMATS:
        sparse = op.tosparse(fmt)
        assert fmt == "dense" or sparse.format == fmt
        np.testing.assert_array_equal(to_numpy(sparse), expected)
    np.testing.assert_array_equal(to_numpy(op.T.tosparse("csr")), expected.T)


def test_operators_keep_the_device_of_their_pieces() -> None:
    xps = pytest.importorskip("array_api_strict")
    device = xps.Device("device1")
    X = xps.ones((2, 4), device=device)
    for op in (
        dual_lphm_operator(xps.ones(8, device=device), 4, 4, 2, 2, 1),
        duplicated_padding_operator(xps.ones(4, device=device), 4, 4, 2),
        duplicated_diagonal_padding_operator(xps.ones(4, device=device), 4, 4, 2),
    ):
        assert op.rmatmul(X).device == device
        assert op.matmul(xps.ones((4, 3), device=device)).device == device
    fused = dual_lphm_fusion([X], xps.ones(8, device=device), p=2, r=1)
    assert fused.device == device
    with pytest.raises(refimpl.RefimplError, match="one device"):
        dual_lphm_operator(xps.ones(8, device=device), 4, 4, 2, 2, 1).rmatmul(xps.ones((2, 4)))


@pytest.mark.parametrize("library", ["numpy", "torch"])
def test_an_operator_holds_views_of_w_and_copies_nothing(library: str) -> None:
    # Building an operator from a floating w costs no copy: its pieces are views of w, so (as with
    # SciPy's aslinearoperator of an array) a later in-place change of w shows in the operator.
    # A copy of a w already in the computing dtype (an astype to the same dtype) fails here.
    if library == "torch":
        torch = pytest.importorskip("torch")
        w = torch.arange(1.0, 9.0, dtype=torch.float64)
        before = w.clone().numpy()
    else:
        w = np.arange(1.0, 9.0)
        before = w.copy()
    ops = [dual_lphm_operator(w, 4, 4, 2, 2, 1)]
    ops += [
        make(w[:4], 4, 4, 2, 2)
        for make in (duplicated_padding_operator, duplicated_diagonal_padding_operator)
    ]
    dense_before = [to_numpy(op.toarray()) for op in ops]
    w[:] = w * 2  # in place
    for op, dense in zip(ops, dense_before):
        # Each of P, Q, S, T doubles: kron(P Q^T, S T^T) is 16 times what it was; W is twice.
        factor = 16 if isinstance(op, DualLphmOperator) else 2
        np.testing.assert_array_equal(to_numpy(op.toarray()), factor * dense)
    np.testing.assert_array_equal(to_numpy(w), 2 * before)


def test_matmul_operator_syntax_defers_to_the_operator() -> None:
    w = np.arange(1.0, 9.0)
    op = dual_lphm_operator(w, 4, 4, 2, 2, 1)
    X = np.arange(8.0).reshape(2, 4)
    np.testing.assert_array_equal(X @ op, X @ op.toarray())
    np.testing.assert_array_equal(op @ X.T, op.toarray() @ X.T)


def test_aslinearoperator_drops_into_scipy_solvers() -> None:
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


def test_aslinearoperator_without_sparse_module_is_a_type_error() -> None:
    xps = pytest.importorskip("array_api_strict")
    op = dual_lphm_operator(xps.ones(8), 4, 4, 2, 2, 1)
    with pytest.raises(TypeError, match="apply the operator directly"):
        op.aslinearoperator()


def test_x_of_the_wrong_width_or_library() -> None:
    op = dual_lphm_operator(np.ones(8), 4, 4, 2, 2, 1)
    with pytest.raises(refimpl.RefimplError, match=r"shape \(\.\.\., 4\), got shape \(2, 3\)"):
        op.rmatmul(np.ones((2, 3)))
    with pytest.raises(refimpl.RefimplError, match=r"\(\.\.\., 4, k\)"):
        op.matmul(np.ones((3, 2)))
    xps = pytest.importorskip("array_api_strict")
    with pytest.raises(TypeError, match="one array library"):
        op.rmatmul(xps.ones((2, 4)))


# -- the memory guard ------------------------------------------------------------------------


def test_guard_fires_with_the_size_in_the_message() -> None:
    with refimpl.memory_limit(1024):
        with pytest.raises(
            refimpl.MemoryLimitError,
            match=r"dense 64 x 64 float64 matrix of 32\.0 KiB, over the memory limit of 1\.0 KiB",
        ):
            refimpl.dual_lphm(np.ones(4 * 32), 64, 64, 8, 8, 4)
        with pytest.raises(MemoryError, match="duplicated_padding_operator"):
            refimpl.duplicated_padding(np.ones(64), 64, 64, 8)
        with pytest.raises(MemoryError, match="sparse format"):
            refimpl.duplicated_diagonal_padding(np.ones(64), 64, 64, 8, format="dense")
        op = dual_lphm_operator(np.ones(4 * 32), 64, 64, 8, 8, 4)
        with pytest.raises(refimpl.MemoryLimitError, match=r"toarray\(\)"):
            op.toarray()
        inputs = [np.ones((2, 64))]
        with pytest.raises(refimpl.MemoryLimitError, match="method='structured'"):
            dual_lphm_fusion(inputs, np.ones(4 * 32), p=8, r=4, method="dense")
        # The structured path never materialises W, so the guard leaves it alone.
        out = dual_lphm_fusion(inputs, np.ones(4 * 32), p=8, r=4)
        assert out.shape == (2, 64)
    # A sparse result counts its stored entries and indices (8.5 KiB here), not n*D (32 KiB).
    with refimpl.memory_limit(16 * 1024):
        with pytest.raises(refimpl.MemoryLimitError, match="dense 64 x 64"):
            refimpl.duplicated_diagonal_padding(np.ones(64), 64, 64, 8, format="dense")
        assert refimpl.duplicated_diagonal_padding(np.ones(64), 64, 64, 8).nnz == 8 * 64


def test_guard_counts_the_itemsize_of_the_dtype(xp: Any) -> None:
    w = xp.ones(64, dtype=xp.float32)
    with refimpl.memory_limit(64 * 64 * 4):  # exactly the float32 matrix
        assert refimpl.duplicated_padding(w, 64, 64, 8).shape == (64, 64)
    with refimpl.memory_limit(64 * 64 * 4 - 1):
        with pytest.raises(refimpl.MemoryLimitError, match="16.0 KiB"):
            refimpl.duplicated_padding(w, 64, 64, 8)


def test_guard_limit_can_be_raised_switched_off_and_restored() -> None:
    before = refimpl.get_memory_limit()
    with refimpl.memory_limit(None):
        assert refimpl.get_memory_limit() is None
        with refimpl.memory_limit(10):
            assert refimpl.get_memory_limit() == 10
    assert refimpl.get_memory_limit() == before
    refimpl.set_memory_limit(123)
    try:
        assert refimpl.get_memory_limit() == 123
    finally:
        refimpl.set_memory_limit(before)
    with pytest.raises(refimpl.RefimplError, match="positive number of bytes, got 0"):
        refimpl.set_memory_limit(0)
    with pytest.raises(TypeError, match="got 1.5"):
        refimpl.set_memory_limit(1.5)  # type: ignore[arg-type]


# -- Dask ------------------------------------------------------------------------------------


def test_dask_rows_are_applied_chunk_by_chunk_lazily() -> None:
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


def test_dask_fusion_with_a_torch_w_is_a_type_error() -> None:
    da = pytest.importorskip("dask.array")
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="NumPy"):
        dual_lphm_fusion([da.ones((4, 4), chunks=2)], torch.ones(8), p=2, r=1)
