"""The operators as SciPy and PyLops users know them: the adjoint (dot) test on every operator and
backend, SciPy's ``LinearOperator`` protocol and solvers, PyLops' ``aslinearoperator``, the lazy
algebra (``c * op``, ``op1 + op2``, ``op1 @ op2``), ``np.asarray(op)``, lists that are weak, and a
Dask ``w``.

Integer-valued data makes every product exact, so the algebra's results equal the dense ones
exactly; the adjoint test uses the same data and a rounding bound (exact in float64 and complex128,
to rounding in float32).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
import scipy.sparse.linalg as spla
from hypothesis import given
from hypothesis import strategies as st

import refimpl
from refimpl.operators.algebra import ProductOperator, ScaledOperator, SumOperator

from ._support import as_xp, assert_array, to_numpy
from .strategies import DTYPES, integer_valued
from .test_operators import CONSTRUCTORS, KINDS, make_operator, operator_cases

COMPOSITES = ("scaled", "sum", "product")


def composite(name: str, op: Any, M: np.ndarray) -> tuple[Any, np.ndarray]:
    """An operator of the algebra built from ``op``, and its dense matrix from ``M``."""
    c = 2 - 1j if np.iscomplexobj(M) else 3
    if name == "scaled":
        return c * op, c * M
    if name == "sum":
        return op + op * -2, M - 2 * M
    return op @ op.H, M @ M.conj().T  # "product"


@st.composite
def any_operator(draw: Any, xp: Any, dtype: Any) -> tuple[Any, np.ndarray]:
    """One of the structured operators or one of the algebra's, in ``xp``, and its dense matrix."""
    kind, args, w, M = draw(operator_cases(dtype))
    op = make_operator(kind, as_xp(xp, w), args)
    name = draw(st.sampled_from(("plain",) + COMPOSITES))
    return (op, M) if name == "plain" else composite(name, op, M)


class TestAdjoint:
    @given(data=st.data(), dtype=st.sampled_from(DTYPES))
    def test_dot_test_y_op_x_equals_op_h_y_x(self, xp: Any, data: Any, dtype: Any) -> None:
        # PyLops' dottest on every operator and backend: y^H (op x) == (op^H y)^H x to rounding.
        # An adjoint that drops the conjugate, swaps p and q, or misplaces a block fails here.
        op, M = data.draw(any_operator(xp, dtype))
        x = integer_valued(data.draw, (M.shape[1],), dtype)
        y = integer_valued(data.draw, (M.shape[0],), dtype)
        forward = to_numpy(op.matvec(as_xp(xp, x)))
        backward = to_numpy(op.rmatvec(as_xp(xp, y)))
        assert forward.dtype == backward.dtype == np.dtype(dtype)
        lhs, rhs = np.vdot(y, forward), np.vdot(backward, x)
        eps = np.finfo(dtype).eps
        bound = 4 * (sum(M.shape) + 1) * eps * (np.abs(y) @ np.abs(M) @ np.abs(x))
        assert abs(lhs - rhs) <= bound, (lhs, rhs, bound)


class TestScipyProtocol:
    @pytest.mark.parametrize("kind", KINDS)
    def test_lsqr_and_svds_take_the_operator_and_agree_with_the_dense_matrix(self, kind: str) -> None:
        rng = np.random.default_rng(7)
        args = (6, 8, 3, 2, 2) if kind == "lphm" else (6, 8, 3, 2)
        l = refimpl.dual_lphm_l(*args) if kind == "lphm" else refimpl.duplicated_padding_l(*args)
        op = CONSTRUCTORS[kind](rng.standard_normal(l), *args)
        M = to_numpy(op.toarray())
        b = rng.standard_normal(6)
        tight = {"atol": 1e-14, "btol": 1e-14}
        np.testing.assert_allclose(spla.lsqr(op, b, **tight)[0], spla.lsqr(M, b, **tight)[0], atol=1e-10)
        s_op = spla.svds(op, k=2, random_state=0, return_singular_vectors=False)
        np.testing.assert_allclose(s_op, spla.svds(M, k=2, random_state=0, return_singular_vectors=False))
        np.testing.assert_allclose(np.sort(s_op), np.linalg.svd(M, compute_uv=False)[1::-1])

    @pytest.mark.parametrize("kind", KINDS)
    def test_aslinearoperator_of_scipy_and_pylops_apply_the_operator(self, kind: str) -> None:
        args = (4, 6, 2, 3, 1) if kind == "lphm" else (4, 6, 2, 3)
        l = refimpl.dual_lphm_l(*args) if kind == "lphm" else refimpl.duplicated_padding_l(*args)
        op = CONSTRUCTORS[kind](np.arange(1.0, l + 1.0) * (1 + 2j), *args)
        M, x, y = to_numpy(op.toarray()), np.arange(1.0, 7.0), np.arange(2.0, 6.0)
        linear = spla.aslinearoperator(op)
        assert linear.shape == (4, 6) and linear.dtype == np.complex128
        np.testing.assert_array_equal(linear.matvec(x), M @ x)
        np.testing.assert_array_equal(linear.rmatvec(y), M.conj().T @ y)
        np.testing.assert_array_equal(linear.rmatmat(y[:, None]), M.conj().T @ y[:, None])
        pylops = pytest.importorskip("pylops")
        wrapped = pylops.aslinearoperator(op)
        np.testing.assert_array_equal(wrapped @ x, M @ x)
        np.testing.assert_array_equal(wrapped.H @ y, M.conj().T @ y)

    @given(case=operator_cases(np.complex128), k=st.integers(0, 3))
    def test_matvec_rmatvec_matmat_rmatmat_dot_and_adjoint(self, case: Any, k: int) -> None:
        kind, args, w, M = case
        op = make_operator(kind, w, args)
        n, D = M.shape
        x, y = np.arange(1.0, D + 1.0) * 1j, np.arange(2.0, n + 2.0)
        X, Y = np.arange(D * k * 1.0).reshape(D, k), np.arange(n * k * 1.0).reshape(n, k)
        assert op.ndim == 2
        np.testing.assert_array_equal(op.matvec(x), M @ x)
        np.testing.assert_array_equal(op.matvec(x[:, None]), (M @ x)[:, None])
        np.testing.assert_array_equal(op.rmatvec(y), M.conj().T @ y)
        np.testing.assert_array_equal(op.rmatvec(y.tolist()), M.conj().T @ y)
        np.testing.assert_array_equal(op.matmat(X), M @ X)
        np.testing.assert_array_equal(op.rmatmat(Y), M.conj().T @ Y)
        np.testing.assert_array_equal(op._matvec(x), M @ x)  # the names PyLops calls
        np.testing.assert_array_equal(op._rmatmat(Y), M.conj().T @ Y)
        np.testing.assert_array_equal(op.dot(x), M @ x)
        np.testing.assert_array_equal(op.dot(X), M @ X)
        np.testing.assert_array_equal(op.dot(2).toarray(), 2 * M)
        np.testing.assert_array_equal(op.adjoint().toarray(), M.conj().T)

    @pytest.mark.parametrize(
        ("method", "operand", "expected"),
        [
            (
                "matvec",
                np.ones(5),
                r"op\.matvec\(x\) needs a vector of shape \(6,\) or \(6, 1\), got shape \(5,\)",
            ),
            (
                "matvec",
                np.ones((6, 2)),
                r"op\.matvec\(x\) needs a vector of shape \(6,\) or \(6, 1\), got shape \(6, 2\)",
            ),
            ("matvec", [[1.0, 2.0]] * 6, r"shape \(6,\) or \(6, 1\), got shape \(6, 2\)"),
            (
                "rmatvec",
                np.ones(6),
                r"op\.rmatvec\(y\) needs a vector of shape \(4,\) or \(4, 1\), got shape \(6,\)",
            ),
            ("matmat", np.ones(6), r"op\.matmat\(X\) needs a matrix of shape \(6, k\), got shape \(6,\)"),
            (
                "matmat",
                np.ones((4, 2)),
                r"op\.matmat\(X\) needs a matrix of shape \(6, k\), got shape \(4, 2\)",
            ),
            (
                "rmatmat",
                np.ones((6, 1)),
                r"op\.rmatmat\(Y\) needs a matrix of shape \(4, k\), got shape \(6, 1\)",
            ),
            ("matvec", 3.0, r"got shape \(\)"),
        ],
    )
    def test_a_wrong_shape_names_the_expected_and_the_given_one(
        self, method: str, operand: Any, expected: str
    ) -> None:
        op = refimpl.dual_lphm_operator(np.ones(refimpl.dual_lphm_l(4, 6, 2, 3, 1)), 4, 6, 2, 3, 1)
        with pytest.raises(
            refimpl.RefimplError, match=f"^{expected}$" if expected.startswith("op") else expected
        ):
            getattr(op, method)(operand)

    def test_np_asarray_refuses_and_names_toarray(self) -> None:
        op = refimpl.dual_lphm_operator(np.ones(8), 4, 4, 2, 2, 1)
        message = (
            "np.asarray(op) does not materialise a DualLphmOperator: call op.toarray() for the dense "
            "matrix (under the memory guard), or apply the operator (X @ op, op @ Y)"
        )
        with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
            np.asarray(op)
        with pytest.raises(TypeError, match=r"^np\.asarray\(op\) does not materialise a ScaledOperator: "):
            np.array(2 * op, dtype=np.float64)


class TestAlgebra:
    @given(data=st.data(), dtype=st.sampled_from(DTYPES), name=st.sampled_from(COMPOSITES))
    def test_applied_transposed_and_materialised_as_the_dense_matrix(
        self, xp: Any, data: Any, dtype: Any, name: str
    ) -> None:
        kind, args, w, M = data.draw(operator_cases(dtype))
        op, dense = composite(name, make_operator(kind, as_xp(xp, w), args), M)
        X = integer_valued(data.draw, (2, dense.shape[0]), dtype)
        Y = integer_valued(data.draw, (dense.shape[0], 3), dtype)
        assert op.shape == dense.shape
        # Exact while every partial sum is an integer the dtype holds (below 2**24 in float32: a
        # product op @ op.H of large draws goes past it); else to the dtype's rounding of the
        # largest sum of magnitudes.
        for got, want, magnitudes in (
            (op.rmatmul(as_xp(xp, X)), X @ dense, abs(X) @ abs(dense)),
            (op.H.matmul(as_xp(xp, Y)), dense.conj().T @ Y, abs(dense.T) @ abs(Y)),
        ):
            largest = float(magnitudes.max(initial=0))
            exact = largest < 2.0 ** (np.finfo(dtype).nmant + 1)
            rtol = 8 * float(np.finfo(dtype).eps) * largest / max(1.0, float(abs(want).max(initial=0)))
            assert_array(got, xp, want.astype(dtype), exact=exact, rtol=rtol)
        assert_array(op.T.toarray(), xp, np.ascontiguousarray(dense.T).astype(dtype))
        assert_array(op.conj().toarray(), xp, dense.conj().astype(dtype))

    def test_the_conjugate_of_each_composite_is_the_conjugate_matrix(self) -> None:
        # Complex factors: a part of a sum or product left unconjugated shows in the entries.
        rng = np.random.default_rng(4)
        w = rng.integers(-3, 4, 6) + 1j * rng.integers(-3, 4, 6)
        op = refimpl.dual_lphm_operator(w, 2, 2, 1, 1, 1)
        for name in COMPOSITES:
            composed, M = composite(name, op, to_numpy(op.toarray()))
            np.testing.assert_array_equal(to_numpy(composed.conj().toarray()), M.conj())

    def test_the_issue_s_expressions_agree_with_the_dense_results(self) -> None:
        rng = np.random.default_rng(3)
        op1 = refimpl.dual_lphm_operator(
            rng.integers(-3, 4, refimpl.dual_lphm_l(6, 4, 3, 2, 2)) * 1.0, 6, 4, 3, 2, 2
        )
        op2 = refimpl.duplicated_diagonal_padding_operator(rng.integers(-3, 4, 4) * 1.0, 4, 8, 2, 4)
        A, B = to_numpy(op1.toarray()), to_numpy(op2.toarray())
        X, Y = rng.integers(-3, 4, (5, 6)) * 1.0, rng.integers(-3, 4, (6, 2)) * 1.0
        np.testing.assert_array_equal(X @ (2 * op1 + op1), X @ (3 * A))
        np.testing.assert_array_equal(X @ (op1 @ op2), X @ A @ B)
        np.testing.assert_array_equal(op1.H @ Y, A.T @ Y)
        np.testing.assert_array_equal(X @ (op1 - op1 * 0.5), X @ (0.5 * A))
        np.testing.assert_array_equal(X @ -op1, -(X @ A))

    def test_a_multiple_keeps_the_dtype_and_a_complex_one_makes_it_complex(self) -> None:
        op = refimpl.dual_lphm_operator(np.ones(8, np.float32), 4, 4, 2, 2, 1)
        assert (2 * op).dtype == np.float32
        assert (op * np.float64(2.5)).dtype == np.float32  # a number is weak, as a Python scalar
        scaled = 1j * op
        assert scaled.dtype == np.complex64
        np.testing.assert_array_equal(scaled.toarray(), 1j * np.ones((4, 4), np.float32))
        np.testing.assert_array_equal(scaled.H.toarray(), -1j * np.ones((4, 4), np.float32))
        assert (2 * (3 * op)).c == 6 and type((2 * (3 * op)).A) is refimpl.DualLphmOperator
        wide = refimpl.dual_lphm_operator(np.ones(8), 4, 4, 2, 2, 1)
        assert (op + wide).dtype == (op @ wide).dtype == np.float64

    def test_composites_keep_the_structure_of_their_parts(self) -> None:
        op = refimpl.dual_lphm_operator(np.arange(1.0, 9.0), 4, 4, 2, 2, 1)
        assert isinstance(2 * op, ScaledOperator) and isinstance(op + op, SumOperator)
        assert isinstance(op @ op, ProductOperator) and isinstance((op @ op).T.A, refimpl.DualLphmOperator)

    @pytest.mark.parametrize(
        ("expression", "error", "expected"),
        [
            (
                lambda a, b: a + b.T @ b,
                refimpl.RefimplError,
                r"op1 \+ op2 needs operators of one shape, got \(4, 6\) and \(6, 6\)",
            ),
            (
                lambda a, b: a @ a,
                refimpl.RefimplError,
                r"op1 @ op2 needs op2 of shape \(6, \.\.\.\) for op1 of shape \(4, 6\), got shape \(4, 6\)",
            ),
            (lambda a, b: a + 1.0, TypeError, r"op1 \+ op2 needs two operators, got float"),
            (lambda a, b: a - [1.0], TypeError, r"op1 - op2 needs two operators, got list"),
            (
                lambda a, b: a * np.ones(3),
                TypeError,
                r"an operator is scaled by a number \(int, float, complex\), got ndarray",
            ),
            (
                lambda a, b: True * a,
                TypeError,
                r"an operator is scaled by a number \(int, float, complex\), got bool",
            ),
        ],
    )
    def test_bad_operands_name_what_was_expected(self, expression: Any, error: Any, expected: str) -> None:
        a = refimpl.dual_lphm_operator(np.ones(refimpl.dual_lphm_l(4, 6, 2, 3, 1)), 4, 6, 2, 3, 1)
        b = refimpl.dual_lphm_operator(np.ones(refimpl.dual_lphm_l(4, 6, 2, 3, 1)), 4, 6, 2, 3, 1)
        with pytest.raises(error, match=f"^{expected}$"):
            expression(a, b)

    def test_operators_of_two_libraries_are_refused(self) -> None:
        torch = pytest.importorskip("torch")
        a = refimpl.dual_lphm_operator(np.ones(8), 4, 4, 2, 2, 1)
        b = refimpl.dual_lphm_operator(torch.ones(8, dtype=torch.float64), 4, 4, 2, 2, 1)
        for what, expression in (("+", lambda: a + b), ("@", lambda: a @ b)):
            expected = (
                f"op1 {what} op2 needs operators of one library and device, got {a.xp.__name__} (cpu) "
                f"and {b.xp.__name__} (cpu)"
            )
            with pytest.raises(TypeError, match=f"^{re.escape(expected)}$"):
                expression()

    def test_operators_of_one_library_on_two_devices_are_refused(self) -> None:
        # A second device of one library (two GPUs) is what this is for; the device an operator
        # reports is what is compared, so a copy that reports another device stands in for it.
        a = refimpl.dual_lphm_operator(np.ones(8), 4, 4, 2, 2, 1)
        b = refimpl.dual_lphm_operator(np.ones(8), 4, 4, 2, 2, 1)
        b.device = "elsewhere"
        with pytest.raises(TypeError, match=r"one library and device, got .* \(cpu\) and .* \(elsewhere\)$"):
            a + b

    def test_the_intermediate_of_a_product_is_under_the_memory_guard(self) -> None:
        # X @ (A @ B) forms X @ A (m x 64) though the result is m x 1: the guard measures it.
        A = refimpl.duplicated_padding_operator(np.ones(64), 1, 64, 1, 1)
        B = refimpl.duplicated_padding_operator(np.ones(64), 64, 1, 1, 1)
        X = np.ones((10, 1))
        np.testing.assert_array_equal(X @ (A @ B), np.full((10, 1), 64.0))
        expected = (
            r"^X @ \(op1 @ op2\) would allocate X @ op1 of shape \(10, 64\) \(float64\) of 5\.0 KiB, over the "
            r"memory limit of 5\.0 KiB; apply the operator to fewer rows at a time, or raise the limit"
        )
        with refimpl.memory_limit(10 * 64 * 8 - 1), pytest.raises(refimpl.MemoryLimitError, match=expected):
            X @ (A @ B)

    @pytest.mark.xp_backends("numpy", "array_api_strict", "torch")
    def test_composites_are_cast_to_a_wider_x_and_keep_the_device(self, xp: Any) -> None:
        # A float32 composite times a float64 X is computed in float64: the composite is cast, part
        # by part (its _astype), exactly as its parts would be. PyTorch and array_api_strict
        # multiply only equal dtypes, so a part left uncast raises there.
        w = np.arange(1.0, 9.0, dtype=np.float32)
        op = refimpl.dual_lphm_operator(as_xp(xp, w), 4, 4, 2, 2, 1)
        M = to_numpy(op.toarray()).astype(np.float64)
        X = np.arange(8.0).reshape(2, 4)
        for composite_op, dense in ((3 * op, 3 * M), (op + op.T, M + M.T), (op @ op.T, M @ M.T)):
            assert composite_op.dtype == op.dtype and composite_op.device == op.device is not None
            assert_array(composite_op.rmatmul(as_xp(xp, X)), xp, X @ dense)

    def test_a_sum_or_product_takes_the_promoted_dtype_whichever_side_is_wider(self) -> None:
        narrow = refimpl.dual_lphm_operator(np.ones(8, np.float32), 4, 4, 2, 2, 1)
        wide = refimpl.dual_lphm_operator(np.ones(8), 4, 4, 2, 2, 1)
        for a, b in ((narrow, wide), (wide, narrow)):
            assert (a + b).dtype == (a @ b).dtype == np.float64


class TestListsAreWeak:
    def test_the_issue_s_three_products_keep_the_operator_s_float32(self) -> None:
        op = refimpl.dual_lphm_operator(np.ones(8, np.float32), 4, 4, 2, 2, 1)
        assert (op @ ([[1.0, 2.0]] * 4)).dtype == np.float32
        assert (op @ ([1.0] * 4)).dtype == np.float32
        assert op.rmatmul([[1.0] * 4] * 2).dtype == np.float32
        assert (op @ ([[1j, 2.0]] * 4)).dtype == np.complex64  # a complex list makes it complex
        np.testing.assert_array_equal(op @ ([[1.0, 2.0]] * 4), np.full((4, 2), [4.0, 8.0], np.float32))


class TestDaskOperands:
    def test_op_at_a_dask_y_stays_dask_and_lazy(self) -> None:
        # op @ Y for a Dask Y (columns chunked) goes through Dask's own namespace, chunk by chunk;
        # taking Y for a list (converting it with the operator's namespace) mixes two libraries.
        da = pytest.importorskip("dask.array")
        op = refimpl.duplicated_diagonal_padding_operator(np.arange(1.0, 7.0), 4, 9, 2, 3)
        Y = np.arange(27.0).reshape(9, 3)
        out = op @ da.from_array(Y, chunks=(9, 1))
        assert type(out).__module__.startswith("dask") and out.shape == (4, 3)
        np.testing.assert_array_equal(out.compute(), to_numpy(op.toarray()) @ Y)


class TestDaskW:
    @pytest.mark.parametrize(
        "build",
        [
            lambda w: refimpl.duplicated_diagonal_padding(w, 6, 6, 2, 3, format="dense"),
            lambda w: refimpl.duplicated_padding(w, 6, 6, 2, 3),
            lambda w: refimpl.duplicated_padding_operator(w, 6, 6, 2, 3),
            lambda w: refimpl.duplicated_diagonal_padding_operator(w, 6, 6, 2, 3),
        ],
    )
    def test_a_dask_w_is_refused_with_the_way_out(self, build: Any) -> None:
        da = pytest.importorskip("dask.array")
        with pytest.raises(
            TypeError, match=r"got a Dask array of shape \(6,\); w has only l=6 entries: pass w\.compute\(\)"
        ):
            build(da.from_array(np.arange(1.0, 7.0)))
        # the way out works: the computed w is a NumPy w
        computed = build(da.from_array(np.arange(1.0, 7.0)).compute())
        np.testing.assert_array_equal(to_numpy(computed), to_numpy(build(np.arange(1.0, 7.0))))

    def test_a_dask_w_of_dual_lphm_is_refused(self) -> None:
        da = pytest.importorskip("dask.array")
        for build in (refimpl.dual_lphm, refimpl.dual_lphm_operator):
            with pytest.raises(TypeError, match=r"w has only l=8 entries: pass w\.compute\(\)"):
                build(da.ones(8), 4, 4, 2, 2, 1)
