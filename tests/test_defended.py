"""The gaps a mutation run of the core left open: each test here fails on a mutant that survived.

Eight groups, one section each: a row-vector ``w`` everywhere, devices of the dense diagonal
padding and of the diagonal operator, ``op @ <list>``, mixing libraries in ``op @ Y``, ``op @ 5``,
an operator cast to ``X``'s dtype, ``tosparse()``'s default and ``rmatmat``, and error messages
that name the expected and the actual value. The comment over each test says which change to the
package it catches.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import refimpl
from refimpl import (
    RefimplError,
    concatenation_fusion,
    concatenation_fusion_l,
    dual_lphm,
    dual_lphm_fusion,
    dual_lphm_fusion_l,
    dual_lphm_fusion_operator,
    dual_lphm_l,
    dual_lphm_operator,
    duplicated_diagonal_padding,
    duplicated_diagonal_padding_operator,
    duplicated_padding,
    duplicated_padding_l,
    duplicated_padding_operator,
)

from ._support import as_xp, loop_dual_lphm, loop_padding, to_numpy
from .strategies import fusion_configs, fusion_inputs, integer_valued, lphm_configs, padding_configs, vectors

KINDS = ("padding", "diagonal", "lphm")
CONSTRUCTORS: dict[str, Callable[..., refimpl.StructuredOperator]] = {
    "padding": duplicated_padding_operator,
    "diagonal": duplicated_diagonal_padding_operator,
    "lphm": dual_lphm_operator,
}


@st.composite
def operator_cases(draw: Any, dtype: Any = np.float64) -> tuple[str, tuple[int, ...], np.ndarray, np.ndarray]:
    """An operator kind, its arguments, its ``w`` (small integers) and its dense matrix by the loops."""
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


def same(actual: Any, expected: Any) -> None:
    """Equal shapes, dtypes and entries (both converted to NumPy)."""
    a, e = to_numpy(actual), to_numpy(expected)
    assert a.dtype == e.dtype, (a.dtype, e.dtype)
    assert a.shape == e.shape, (a.shape, e.shape)
    np.testing.assert_array_equal(a, e)


# -- 1. a row-vector w, shape (1, l), is the vector w --------------------------------------
# Killed mutants: check_parameter_vector returning the (1, l) array unreshaped, or refusing
# shape (1, l) (its row branch broken).


def _row(xp: ModuleType, w: Any) -> Any:
    return xp.reshape(w, (1, w.shape[0]))


@pytest.mark.xp_backends("numpy", "array_api_strict", "torch")
@given(data=st.data())
def test_a_row_w_gives_what_the_vector_w_gives_for_the_matrices_and_operators(
    xp: ModuleType, data: Any
) -> None:
    c = data.draw(padding_configs(), label="padding")
    args = (c["n"], c["D"], c["p"], c["q"])
    w = as_xp(xp, data.draw(vectors(duplicated_padding_l(*args))))
    same(duplicated_padding(_row(xp, w), *args), duplicated_padding(w, *args))
    dense = duplicated_diagonal_padding(w, *args, format="dense")
    same(duplicated_diagonal_padding(_row(xp, w), *args, format="dense"), dense)
    if xp.__name__.endswith("numpy"):
        same(duplicated_diagonal_padding(_row(xp, w), *args), dense)
    for make in (duplicated_padding_operator, duplicated_diagonal_padding_operator):
        same(make(_row(xp, w), *args).toarray(), make(w, *args).toarray())

    c = data.draw(lphm_configs(), label="lphm")
    args = (c["n"], c["D"], c["p"], c["q"], c["r"])
    w = as_xp(xp, data.draw(vectors(dual_lphm_l(*args))))
    expected = dual_lphm(w, *args)
    same(dual_lphm(_row(xp, w), *args), expected)
    same(dual_lphm_operator(_row(xp, w), *args).toarray(), expected)


@pytest.mark.xp_backends("numpy", "array_api_strict", "torch")
@given(data=st.data())
def test_a_row_w_gives_what_the_vector_w_gives_for_the_fusions(xp: ModuleType, data: Any) -> None:
    cfg = data.draw(fusion_configs())
    inputs = [as_xp(xp, a) for a in data.draw(fusion_inputs(cfg))]
    dims, n, p, q, r = cfg["dims"], cfg["n"], cfg["p"], cfg["q"], cfg["r"]
    w = as_xp(xp, data.draw(vectors(dual_lphm_fusion_l(dims, n, p, q, r))))
    for method in ("structured", "dense"):
        expected = dual_lphm_fusion(inputs, w, p=p, q=q, r=r, n=n, method=method)
        same(dual_lphm_fusion(inputs, _row(xp, w), p=p, q=q, r=r, n=n, method=method), expected)
    same(
        dual_lphm_fusion_operator(dims, _row(xp, w), p=p, q=q, r=r, n=n).toarray(),
        dual_lphm_fusion_operator(dims, w, p=p, q=q, r=r, n=n).toarray(),
    )
    w = as_xp(xp, data.draw(vectors(concatenation_fusion_l(dims, n))))
    same(concatenation_fusion(inputs, _row(xp, w), n=n), concatenation_fusion(inputs, w, n=n))


# -- 2. devices: the dense diagonal padding and the diagonal operator with p != q ----------
# Killed mutants: `device=` dropped from the dense branch's eye or zeros, or from the zeros
# the diagonal operator appends when p < q.


@pytest.mark.parametrize(("n", "D", "p", "q"), [(4, 9, 2, 3), (6, 4, 3, 2), (2, 6, 1, 3), (4, 4, 2, 2)])
def test_the_dense_diagonal_padding_and_its_operator_stay_on_the_device_of_w(
    n: int, D: int, p: int, q: int
) -> None:
    xps = pytest.importorskip("array_api_strict")
    device = xps.Device("device1")
    w_np = np.arange(1.0, duplicated_padding_l(n, D, p, q) + 1.0)
    expected = loop_padding(w_np, n, D, p, q, diagonal=True)
    w = xps.asarray(w_np, device=device)

    psi = duplicated_diagonal_padding(w, n, D, p, q, format="dense")
    assert psi.device == device
    same(psi, expected)

    op = duplicated_diagonal_padding_operator(w, n, D, p, q)
    X_np = np.arange(1.0, 3.0 * n + 1.0).reshape(3, n)
    out = op.rmatmul(xps.asarray(X_np, device=device))
    assert out.device == device
    same(out, X_np @ expected)
    Y_np = np.arange(1.0, 2.0 * D + 1.0).reshape(D, 2)
    out = op @ xps.asarray(Y_np, device=device)  # op.T has p and q swapped: both branches run
    assert out.device == device
    same(out, expected @ Y_np)
    dense = op.toarray()
    assert dense.device == device
    same(dense, expected)


def test_a_traced_jax_array_has_no_device_yet_and_joins_the_others() -> None:
    # Killed: a device of None (a JAX array traced by jax.vjp) counted as a device of its own,
    # so that refimpl refused every fusion under JAX autodiff ("devices [None, cpu]").
    jax = pytest.importorskip("jax", reason="JAX is not installed (pip install jax)")
    jnp = jax.numpy
    jax.config.update("jax_enable_x64", True)
    w_np = np.arange(1.0, dual_lphm_fusion_l([2, 2], 4, 2, 2, 1) + 1.0)
    X_np = np.arange(1.0, 7.0).reshape(3, 2)
    expected = np.concatenate([X_np, X_np + 1.0], axis=1) @ loop_dual_lphm(w_np, 4, 4, 2, 2, 1)

    def fusion(w: Any) -> Any:
        return dual_lphm_fusion([jnp.asarray(X_np), jnp.asarray(X_np + 1.0)], w, p=2, q=2, r=1, n=4)

    out, _ = jax.vjp(fusion, jnp.asarray(w_np))
    same(out, expected)


def test_inputs_that_are_all_traced_have_no_device_and_still_compute() -> None:
    # Killed: with every array traced (no device known at all), the device taken from an empty
    # list of devices (IndexError) instead of None.
    jax = pytest.importorskip("jax", reason="JAX is not installed (pip install jax)")
    jax.config.update("jax_enable_x64", True)
    w_np = np.arange(1.0, dual_lphm_l(4, 4, 2, 2, 1) + 1.0)
    out, _ = jax.vjp(lambda w: dual_lphm(w, 4, 4, 2, 2, 1), jax.numpy.asarray(w_np))
    same(out, loop_dual_lphm(w_np, 4, 4, 2, 2, 1))


# -- 3. op @ <Python list>, and the nesting depth that tells a vector from a matrix --------
# Killed mutants: in _depth (the empty-list stop, the first element, the count) and in
# matmul's list branch (a list vector taken for a matrix and back).


@given(case=operator_cases(), k=st.integers(1, 3), b=st.integers(1, 2))
def test_op_at_a_list_is_op_at_the_array(case: Any, k: int, b: int) -> None:
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
def test_op_at_a_list_of_one_column_or_one_entry(kind: str) -> None:
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
def test_op_at_a_buffer_is_op_at_the_array(kind: str) -> None:
    # A memoryview is a Sequence with an ndim and no array namespace: it is converted like a list,
    # and its ndim, not the depth of its first element, tells a vector from a matrix (the [0] of a
    # 2-D memoryview raises NotImplementedError). Kills matmul mutants 21, 25 and 26, which asked
    # for the depth of anything whose "ndim" they could not see.
    args = {"padding": (4, 4, 2, 2), "diagonal": (4, 4, 2, 2), "lphm": (4, 4, 2, 2, 1)}[kind]
    l = dual_lphm_l(*args) if kind == "lphm" else duplicated_padding_l(*args)
    op = CONSTRUCTORS[kind](np.arange(1.0, l + 1.0), *args)
    dense = op.toarray()
    Y = np.arange(8.0).reshape(4, 2)
    same(op @ memoryview(Y), dense @ Y)
    same(op @ memoryview(np.arange(8.0).reshape(2, 4, 1)), dense @ np.arange(8.0).reshape(2, 4, 1))
    same(op @ memoryview(np.arange(4.0)), dense @ np.arange(4.0))
    same(op.rmatmul(memoryview(Y.T.copy())), Y.T @ dense)


@pytest.mark.parametrize("kind", KINDS)
def test_op_at_an_empty_list_is_a_refimpl_error_naming_the_shapes(kind: str) -> None:
    args = {"padding": (4, 6, 2, 3), "diagonal": (4, 6, 2, 3), "lphm": (4, 6, 2, 3, 1)}[kind]
    l = dual_lphm_l(*args) if kind == "lphm" else duplicated_padding_l(*args)
    op = CONSTRUCTORS[kind](np.ones(l), *args)
    with pytest.raises(RefimplError) as info:
        op @ []
    assert_names(str(info.value), "6", "(0,)")


# -- 4. mixing libraries: a TypeError that names both, in both directions ------------------
# Killed mutants: matmul taking Y's namespace from the operator, or converting Y with the
# operator's asarray (which succeeds silently or fails with AttributeError).


def _other_library(name: str) -> ModuleType:
    if name == "torch":
        pytest.importorskip("torch")
        import array_api_compat.torch as xp

        return xp
    return pytest.importorskip(name)


@pytest.mark.parametrize("other", ["array_api_strict", "torch"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_numpy_operator_and_an_array_of_another_library(kind: str, other: str) -> None:
    xq = _other_library(other)
    args = {"padding": (4, 6, 2, 3), "diagonal": (4, 6, 2, 3), "lphm": (4, 6, 2, 3, 1)}[kind]
    l = dual_lphm_l(*args) if kind == "lphm" else duplicated_padding_l(*args)
    op = CONSTRUCTORS[kind](np.arange(1.0, l + 1.0), *args)
    for call in (
        lambda: op @ xq.ones((6, 2), dtype=xq.float64),
        lambda: op @ xq.ones((3, 6, 2), dtype=xq.float64),
        lambda: op @ xq.ones(6, dtype=xq.float64),
        lambda: op.matmul(xq.ones((6, 2), dtype=xq.float64)),
        lambda: op.rmatmul(xq.ones((2, 4), dtype=xq.float64)),
    ):
        with pytest.raises(TypeError) as info:
            call()
        assert_all_named(str(info.value), "numpy", other)


@pytest.mark.parametrize("kind", KINDS)
def test_an_array_api_strict_operator_and_a_numpy_array(kind: str) -> None:
    xps = pytest.importorskip("array_api_strict")
    args = {"padding": (4, 6, 2, 3), "diagonal": (4, 6, 2, 3), "lphm": (4, 6, 2, 3, 1)}[kind]
    l = dual_lphm_l(*args) if kind == "lphm" else duplicated_padding_l(*args)
    op = CONSTRUCTORS[kind](xps.ones(l), *args)
    for call in (
        lambda: op @ np.ones((6, 2)),
        lambda: op @ np.ones(6),
        lambda: op.rmatmul(np.ones((2, 4))),
        lambda: np.ones((2, 4)) @ op,  # NumPy defers to op.__rmatmul__
    ):
        with pytest.raises(TypeError) as info:
            call()
        assert_all_named(str(info.value), "array_api_strict", "numpy")


# -- 5. op @ 5 is a TypeError -----------------------------------------------------------------
# Killed mutants: the type check of matmul or _rmatmul weakened, so that a scalar reaches the
# shape check and raises RefimplError.


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("scalar", [5, 5.0, 5j, None])
def test_op_times_a_scalar_is_a_type_error_naming_the_type(kind: str, scalar: Any) -> None:
    op = _op(kind)  # 6 x 10
    calls: list[tuple[Callable[[], Any], str]] = [
        (lambda: op @ scalar, "10"),
        (lambda: op.matmul(scalar), "10"),
        (lambda: op.rmatmul(scalar), "6"),
        (lambda: scalar @ op, "6"),
    ]
    for call, width in calls:
        with pytest.raises(TypeError) as info:
            call()
        assert not isinstance(info.value, RefimplError)
        assert_names(str(info.value), width, type(scalar).__name__)


@pytest.mark.parametrize("kind", KINDS)
def test_op_times_a_0d_array_is_a_shape_error(kind: str) -> None:
    # A NumPy scalar is an array of shape (): a wrong shape, not a wrong type.
    op = _op(kind)
    for call, width in ((lambda: op @ np.float64(5.0), "10"), (lambda: op.rmatmul(np.asarray(5.0)), "6")):
        with pytest.raises(RefimplError) as info:
            call()
        assert_names(str(info.value), width, "()")


# -- 6. the operator cast to X's dtype ---------------------------------------------------------
# Killed mutants: every change to the _astype of both operator classes (a factor dropped,
# swapped or left uncast, p and q exchanged) and _cast's test. PyTorch multiplies only equal
# dtypes, so an uncast factor fails there; elsewhere swapped pieces give wrong values.


@pytest.mark.xp_backends("numpy", "array_api_strict", "torch")
@given(case=operator_cases(np.float32), x_dtype=st.sampled_from([np.float64, np.complex128]), data=st.data())
def test_a_float32_operator_times_a_wider_x_is_computed_in_the_promoted_dtype(
    xp: ModuleType, case: Any, x_dtype: Any, data: Any
) -> None:
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


def _draw_integers(data: Any, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    return data.draw(st.composite(lambda draw: integer_valued(draw, shape, dtype))())


@pytest.mark.xp_backends("numpy", "array_api_strict", "torch")
def test_a_float32_lphm_operator_cast_in_every_contraction_order(xp: ModuleType) -> None:
    # p != q, s != t, r > 1, distinct entries: a factor swapped for another in _astype shows.
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


# -- 7. tosparse()'s default format; aslinearoperator().rmatmat is op.H @ Y -----------------
# Killed mutants: the default format changed; rmatmat through op, op.T or a dropped
# conjugate.


def test_tosparse_defaults_to_csr() -> None:
    op = duplicated_diagonal_padding_operator(np.arange(1.0, 7.0), 4, 9, 2, 3)
    sp = op.tosparse()
    assert sp.format == "csr"
    same(sp.toarray(), loop_padding(np.arange(1.0, 7.0), 4, 9, 2, 3, diagonal=True))


@pytest.mark.parametrize("kind", KINDS)
def test_aslinearoperator_applies_the_conjugate_transpose(kind: str) -> None:
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


# -- 8. error messages name the expected and the actual value --------------------------------
# The facts are checked, in the order SPEC gives them (expected, then received), never the
# wording. The numbers of each configuration are chosen distinct, so that each one found is
# the one meant.


def assert_names(message: str, *facts: str) -> None:
    """Each fact appears in ``message`` as a whole token, in this order."""
    position = 0
    for fact in facts:
        pattern = r"(?<![0-9A-Za-z_.])" + re.escape(fact) + r"(?![0-9A-Za-z_])"
        found = re.compile(pattern).search(message, position)
        assert found, f"{fact!r} not named (after position {position}) in: {message}"
        position = found.end()


def assert_all_named(message: str, *facts: str) -> None:
    """Each fact appears in ``message`` as a whole token, in any order."""
    for fact in facts:
        assert_names(message, fact)


def _op(kind: str) -> refimpl.StructuredOperator:
    args = {"padding": (6, 10, 3, 5), "diagonal": (6, 10, 3, 5), "lphm": (6, 10, 3, 5, 2)}[kind]
    l = dual_lphm_l(*args) if kind == "lphm" else duplicated_padding_l(*args)
    return CONSTRUCTORS[kind](np.ones(l), *args)


# (name, call, exception, facts in order). Padding (n, D, p, q) = (6, 10, 3, 5): s = t = 2, l = 4.
# Dual-LPHM with r = 2: l = 2*(3 + 5 + 2 + 2) = 24. Fusion dims [4, 8], n = 9: N = 12, and with
# p = q = 3, r = 1: l = 3 + 3 + 12/3 + 9/3 = 13; the plain fusion's l = N*n = 108.
ERRORS: list[tuple[str, Callable[[], Any], type[Exception], tuple[str, ...]]] = [
    # wrong length or shape of w
    ("duplicated_padding w", lambda: duplicated_padding(np.ones(7), 6, 10, 3, 5), RefimplError, ("4", "7")),
    (
        "duplicated_padding w 2-D",
        lambda: duplicated_padding(np.ones((7, 7)), 6, 10, 3, 5),
        RefimplError,
        ("(4,)", "(1, 4)", "(7, 7)"),
    ),
    (
        "duplicated_padding w row",
        lambda: duplicated_padding(np.ones((1, 7)), 6, 10, 3, 5),
        RefimplError,
        ("4", "7"),
    ),
    (
        "duplicated_diagonal_padding w",
        lambda: duplicated_diagonal_padding(np.ones(7), 6, 10, 3, 5),
        RefimplError,
        ("4", "7"),
    ),
    (
        "duplicated_padding_operator w",
        lambda: duplicated_padding_operator(np.ones(7), 6, 10, 3, 5),
        RefimplError,
        ("4", "7"),
    ),
    (
        "duplicated_diagonal_padding_operator w",
        lambda: duplicated_diagonal_padding_operator(np.ones(7), 6, 10, 3, 5),
        RefimplError,
        ("4", "7"),
    ),
    ("dual_lphm w", lambda: dual_lphm(np.ones(25), 6, 10, 3, 5, 2), RefimplError, ("24", "25")),
    (
        "dual_lphm_operator w",
        lambda: dual_lphm_operator(np.ones(25), 6, 10, 3, 5, 2),
        RefimplError,
        ("24", "25"),
    ),
    (
        "dual_lphm_fusion w",
        lambda: dual_lphm_fusion([np.ones((2, 4)), np.ones((2, 8))], np.ones(14), p=3, q=3, r=1, n=9),
        RefimplError,
        ("13", "14"),
    ),
    (
        "dual_lphm_fusion_operator w",
        lambda: dual_lphm_fusion_operator([4, 8], np.ones(14), p=3, q=3, r=1, n=9),
        RefimplError,
        ("13", "14"),
    ),
    (
        "concatenation_fusion w",
        lambda: concatenation_fusion([np.ones((2, 4)), np.ones((2, 8))], np.ones(107), n=9),
        RefimplError,
        ("108", "107"),
    ),
    (
        "rule of the padding",
        lambda: duplicated_padding(np.ones(7), 6, 10, 3, 5),
        RefimplError,
        ("4", "6", "10", "3", "5", "7"),
    ),
    (
        "rule of the lphm",
        lambda: dual_lphm(np.ones(25), 6, 10, 3, 5, 2),
        RefimplError,
        ("24", "6", "10", "3", "5", "2", "25"),
    ),
    (
        "rule of the fusion",
        lambda: concatenation_fusion([np.ones((2, 4)), np.ones((2, 8))], np.ones(107), n=9),
        RefimplError,
        ("108", "12", "9", "107"),
    ),
    # indivisible dimensions
    ("duplicated_padding_l n/p", lambda: duplicated_padding_l(10, 4, 3), RefimplError, ("n=10", "p=3")),
    (
        "duplicated_padding D/q",
        lambda: duplicated_padding(np.ones(4), 6, 10, 3, 4),
        RefimplError,
        ("D=10", "q=4"),
    ),
    (
        "duplicated_diagonal_padding D/q",
        lambda: duplicated_diagonal_padding(np.ones(4), 6, 10, 3, 4),
        RefimplError,
        ("D=10", "q=4"),
    ),
    ("dual_lphm_l n/p", lambda: dual_lphm_l(7, 10, 3, 5, 2), RefimplError, ("n=7", "p=3")),
    ("dual_lphm D/q", lambda: dual_lphm(np.ones(4), 6, 10, 3, 4, 2), RefimplError, ("D=10", "q=4")),
    (
        "dual_lphm_fusion_l N/p",
        lambda: dual_lphm_fusion_l([4, 7], 9, 5, 3, 1),
        RefimplError,
        ("N=11", "[4, 7]", "p=5"),
    ),
    (
        "dual_lphm_fusion n/q",
        lambda: dual_lphm_fusion([np.ones((2, 4)), np.ones((2, 8))], np.ones(4), p=3, q=4, r=1, n=9),
        RefimplError,
        ("n=9", "q=4"),
    ),
    (
        "dual_lphm_fusion_operator N/p",
        lambda: dual_lphm_fusion_operator([4, 7], np.ones(4), p=5, r=1, n=9),
        RefimplError,
        ("N=11", "[4, 7]", "p=5"),
    ),
    (
        "concatenation_fusion_l unequal widths",
        lambda: concatenation_fusion_l([4, 7]),
        RefimplError,
        ("[4, 7]",),
    ),
    # not positive
    ("duplicated_padding_l p<=0", lambda: duplicated_padding_l(6, 10, -3), RefimplError, ("p=-3",)),
    ("dual_lphm_l r<=0", lambda: dual_lphm_l(6, 10, 3, 5, 0), RefimplError, ("r=0",)),
    (
        "concatenation_fusion_l dims[1]<=0",
        lambda: concatenation_fusion_l([4, 0]),
        RefimplError,
        ("dims[1]=0",),
    ),
    # bad format, bad method
    (
        "duplicated_diagonal_padding format",
        lambda: duplicated_diagonal_padding(np.ones(4), 6, 10, 3, 5, format="dia"),
        RefimplError,
        ("csr", "csc", "coo", "bsr", "dense", "'dia'"),
    ),
    (
        "duplicated_diagonal_padding format type",
        lambda: duplicated_diagonal_padding(np.ones(4), 6, 10, 3, 5, format=3),
        TypeError,
        ("csr", "dense", "3"),
    ),
    ("tosparse format", lambda: _op("diagonal").tosparse("dia"), RefimplError, ("csr", "dense", "'dia'")),
    (
        "sparse format of array_api_strict",
        lambda: duplicated_diagonal_padding(
            pytest.importorskip("array_api_strict").ones(4), 6, 10, 3, 5, format="csc"
        ),
        TypeError,
        ("'csc'", "array_api_strict", "'dense'"),
    ),
    (
        "dual_lphm_fusion method",
        lambda: dual_lphm_fusion([np.ones((2, 4))], np.ones(4), p=2, r=1, method="fast"),
        RefimplError,
        ("'structured'", "'dense'", "'fast'"),
    ),
    (
        "dual_lphm_fusion method type",
        lambda: dual_lphm_fusion([np.ones((2, 4))], np.ones(4), p=2, r=1, method=3),
        TypeError,
        ("'structured'", "'dense'", "3"),
    ),
    # wrong types
    (
        "duplicated_padding_l float n",
        lambda: duplicated_padding_l(2.5, 10, 1),
        TypeError,
        ("n", "2.5", "float"),
    ),
    (
        "duplicated_padding bool p",
        lambda: duplicated_padding(np.ones(4), 6, 10, True),
        TypeError,
        ("p", "True"),
    ),
    ("dual_lphm str r", lambda: dual_lphm(np.ones(4), 6, 10, 3, 5, "2"), TypeError, ("r", "'2'", "str")),
    ("dual_lphm_fusion_l dims", lambda: dual_lphm_fusion_l("48", 9, 3, 3, 1), TypeError, ("str",)),
    (
        "dual_lphm_fusion_l dims 2-D",
        lambda: dual_lphm_fusion_l(np.ones((2, 3), dtype=int), 9, 3, 3, 1),
        TypeError,
        ("(2, 3)",),
    ),
    (
        "concatenation_fusion inputs",
        lambda: concatenation_fusion(np.ones((2, 4)), np.ones(16)),
        TypeError,
        ("ndarray",),
    ),
    (
        "concatenation_fusion inputs[1] shape",
        lambda: concatenation_fusion([np.ones((2, 4)), np.ones(8)], np.ones(16), n=4),
        RefimplError,
        ("inputs[1]", "(8,)"),
    ),
    (
        "dual_lphm_fusion leading shapes",
        lambda: dual_lphm_fusion([np.ones((2, 4)), np.ones((3, 8))], np.ones(4), p=3, r=1, n=9),
        RefimplError,
        ("(2, 4)", "(3, 8)"),
    ),
    (
        "duplicated_padding w dtype",
        lambda: duplicated_padding(np.array(["a"] * 4), 6, 10, 3, 5),
        TypeError,
        ("<U1",),
    ),
    # the operators' products
    *[
        (
            f"{kind} X @ op width",
            lambda kind=kind: _op(kind).rmatmul(np.ones((2, 7))),
            RefimplError,
            ("6", "(2, 7)"),
        )
        for kind in KINDS
    ],
    *[
        (f"{kind} op @ y length", lambda kind=kind: _op(kind) @ np.ones(7), RefimplError, ("(10,)", "(7,)"))
        for kind in KINDS
    ],
    *[
        (f"{kind} op @ Y rows", lambda kind=kind: _op(kind) @ np.ones((7, 2)), RefimplError, ("10", "(7, 2)"))
        for kind in KINDS
    ],
    *[
        (f"{kind} X @ op type", lambda kind=kind: _op(kind).rmatmul("abcdef"), TypeError, ("6", "str"))
        for kind in KINDS
    ],
    *[
        (f"{kind} op @ Y type", lambda kind=kind: _op(kind).matmul({1: 2}), TypeError, ("10", "dict"))
        for kind in KINDS
    ],
]


@pytest.mark.parametrize(
    ("call", "exception", "facts"), [case[1:] for case in ERRORS], ids=[case[0] for case in ERRORS]
)
def test_error_messages_name_the_expected_and_the_actual_value(
    call: Callable[[], Any], exception: type[Exception], facts: tuple[str, ...]
) -> None:
    with pytest.raises(exception) as info:
        call()
    assert_names(str(info.value), *facts)


def test_a_device_mismatch_names_both_devices() -> None:
    xps = pytest.importorskip("array_api_strict")
    device = xps.Device("device1")
    op = dual_lphm_operator(xps.ones(24, device=device), 6, 10, 3, 5, 2)
    with pytest.raises(RefimplError) as info:
        op.rmatmul(xps.ones((2, 6)))
    message = str(info.value)
    assert "device1" in message and "CPU_DEVICE" in message, message
