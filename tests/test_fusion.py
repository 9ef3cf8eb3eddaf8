"""The concatenation fusions (SPEC section 4): one class per function.

Their ``l`` is in ``test_shapes.py``, their memory guards in ``test_memory.py``, what bad arguments
raise in ``test_errors.py``. The literal references here share no code with ``refimpl``: the loops
of ``tests/_support.py``, and ``np.kron`` of ``P Q^T`` and ``S T^T`` from a row-major cut of ``w``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, Literal
from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import refimpl
from refimpl import concatenation_fusion, dual_lphm, dual_lphm_fusion, dual_lphm_fusion_l
from refimpl.operators import _row_blocks
from refimpl.operators._row_blocks import runs

from ._support import as_xp, assert_array, loop_dual_lphm, loop_fusion, to_numpy
from .strategies import DTYPES, fusion_configs, fusion_inputs, vectors

Method = Literal["structured", "dense"]


def _lphm_args(cfg: dict[str, Any]) -> dict[str, Any]:
    return {"p": cfg["p"], "q": cfg["q"], "r": cfg["r"], "n": cfg["n"]}


# -- literal references, independent of refimpl ---------------------------------------------------


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


_LAYOUTS = ("C", "F", "strided", "broadcast", "batch transposed")


def _layout(A: np.ndarray, how: str) -> np.ndarray:
    """``A`` in another memory layout; "broadcast" repeats its first row (a zero-stride view)."""
    if how == "F":
        return np.asfortranarray(A)
    if how == "strided":  # every other column of a wider array
        wide = np.zeros(A.shape[:-1] + (2 * A.shape[-1],), dtype=A.dtype)
        wide[..., ::2] = A
        return wide[..., ::2]
    if how == "broadcast" and A.shape[-2] > 0:
        return np.broadcast_to(A[..., :1, :], A.shape)
    if how == "batch transposed" and A.ndim > 2:  # the batch axes in reverse order in memory
        axes = tuple(range(A.ndim - 2))[::-1] + (A.ndim - 2, A.ndim - 1)
        return np.ascontiguousarray(A.transpose(axes)).transpose(axes)
    return A


@contextlib.contextmanager
def _rows_per_block(rows: int, joined: bool) -> Iterator[None]:
    """Blocks of ``rows`` rows (all rows where the library computes them at once, JAX); the
    inputs joined as one run (``joined``), or cut into runs at the edges of groups however
    small they are. The remembered plans are forgotten on the way in and out."""

    def block_rows(M: int, per_row: int, size: int, whole: bool, limit: Any, block_bytes: int) -> int:
        return max(1, M) if whole else max(1, min(M, rows))

    _row_blocks._plan.cache_clear()
    try:
        with (
            mock.patch.object(_row_blocks, "_block_rows", block_rows),
            mock.patch.object(_row_blocks, "SMALL_BYTES", 2**62 if joined else 0),
        ):
            yield
    finally:
        _row_blocks._plan.cache_clear()


def _dask_with_a_list_or_dask_w(fusion: str, as_w: str) -> None:
    """Float32 Dask inputs with ``w`` given as a list or as a Dask array (of float32)."""
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
    w_given = w.tolist() if as_w == "list" else da.from_array(w.astype(np.float32), chunks=3)
    if fusion == "dual_lphm":
        out = refimpl.dual_lphm_fusion(lazy, w_given, p=2, q=1, r=1)
    else:
        out = refimpl.concatenation_fusion(lazy, w_given)
    assert isinstance(out, da.Array) and out.dtype == np.float32
    got = out.compute()
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


class TestDualLphmFusion:
    @given(data=st.data(), cfg=fusion_configs(), dtype=st.sampled_from(DTYPES))
    def test_matches_loops(self, xp: Any, data: Any, cfg: dict[str, Any], dtype: Any) -> None:
        N, n = sum(cfg["dims"]), cfg["width"]
        l = dual_lphm_fusion_l(cfg["dims"], cfg["n"], cfg["p"], cfg["q"], cfg["r"])
        w = data.draw(vectors(l, dtype))
        inputs = data.draw(fusion_inputs(cfg, dtype))
        W = loop_dual_lphm(w, N, n, cfg["p"], cfg["q"], cfg["r"])
        out = dual_lphm_fusion([as_xp(xp, A) for A in inputs], as_xp(xp, w), **_lphm_args(cfg))
        assert_array(out, xp, loop_fusion(inputs, W))

    @given(data=st.data(), cfg=fusion_configs())
    def test_is_the_sum_over_the_row_blocks_of_W(self, xp: Any, data: Any, cfg: dict[str, Any]) -> None:
        # concat(A_1..A_k) @ W == sum_i A_i @ W_i, W_i the n_i rows of W that meet A_i.
        N, n = sum(cfg["dims"]), cfg["width"]
        w = data.draw(vectors(dual_lphm_fusion_l(cfg["dims"], cfg["n"], cfg["p"], cfg["q"], cfg["r"])))
        inputs = data.draw(fusion_inputs(cfg))
        W = dual_lphm(w, N, n, cfg["p"], cfg["q"], cfg["r"])
        offsets = np.cumsum([0] + cfg["dims"])
        expected = sum(A @ W[a:b] for A, a, b in zip(inputs, offsets[:-1], offsets[1:]))
        out = dual_lphm_fusion([as_xp(xp, A) for A in inputs], as_xp(xp, w), **_lphm_args(cfg))
        np.testing.assert_array_equal(to_numpy(out), expected)

    @given(data=st.data(), cfg=fusion_configs(), dtype=st.sampled_from(DTYPES))
    def test_structured_method_equals_the_dense_one(
        self, xp: Any, data: Any, cfg: dict[str, Any], dtype: Any
    ) -> None:
        l = dual_lphm_fusion_l(cfg["dims"], cfg["n"], cfg["p"], cfg["q"], cfg["r"])
        w = as_xp(xp, data.draw(vectors(l, dtype)))
        inputs = [as_xp(xp, A) for A in data.draw(fusion_inputs(cfg, dtype))]
        kw = {"p": cfg["p"], "q": cfg["q"], "r": cfg["r"], "n": cfg["n"]}
        dense = dual_lphm_fusion(inputs, w, method="dense", **kw)
        assert_array(dual_lphm_fusion(inputs, w, **kw), xp, to_numpy(dense))

    @given(data=st.data(), cfg=fusion_configs(), rows=st.integers(1, 3), joined=st.booleans())
    def test_blocks_of_rows_match_loops(
        self, xp: Any, data: Any, cfg: dict[str, Any], rows: int, joined: bool
    ) -> None:
        # The rows go in blocks of 1, 2 or 3, the inputs joined as one run or cut into runs: a
        # block's rows written to the wrong place of the output, the last short block dropped or
        # run past, a run of inputs joined with the wrong rows, runs put side by side in the
        # wrong order, all show. Every backend; exact (integer values).
        N, n = sum(cfg["dims"]), cfg["width"]
        w = data.draw(vectors(dual_lphm_fusion_l(cfg["dims"], cfg["n"], cfg["p"], cfg["q"], cfg["r"])))
        inputs = data.draw(fusion_inputs(cfg))
        W = loop_dual_lphm(w, N, n, cfg["p"], cfg["q"], cfg["r"])
        with _rows_per_block(rows, joined):
            out = dual_lphm_fusion([as_xp(xp, A) for A in inputs], as_xp(xp, w), **_lphm_args(cfg))
        assert_array(out, xp, loop_fusion(inputs, W))

    @given(
        data=st.data(),
        cfg=fusion_configs(),
        rows=st.integers(1, 3),
        joined=st.booleans(),
        layouts=st.lists(st.sampled_from(_LAYOUTS), min_size=3, max_size=3),
    )
    def test_every_memory_layout_of_the_inputs(
        self, data: Any, cfg: dict[str, Any], rows: int, joined: bool, layouts: list[str]
    ) -> None:
        # Fortran order, strided columns, a broadcast row, a transposed batch: each input is read
        # where it lies (a view) or copied whole, never misread. NumPy keeps the layouts given.
        N, n = sum(cfg["dims"]), cfg["width"]
        w = data.draw(vectors(dual_lphm_fusion_l(cfg["dims"], cfg["n"], cfg["p"], cfg["q"], cfg["r"])))
        inputs = [_layout(A, how) for A, how in zip(data.draw(fusion_inputs(cfg)), layouts)]
        W = loop_dual_lphm(w, N, n, cfg["p"], cfg["q"], cfg["r"])
        with _rows_per_block(rows, joined):
            out = dual_lphm_fusion(inputs, w, **_lphm_args(cfg))
        np.testing.assert_array_equal(out, loop_fusion([np.array(A) for A in inputs], W))

    @pytest.mark.parametrize(
        ("widths", "s", "expected"),
        [
            ([4], 4, [[0]]),
            ([4, 2, 2], 4, [[0], [1, 2]]),  # the second and third share a group of 4 columns
            ([2, 2, 4], 4, [[0, 1], [2]]),
            ([3, 5], 4, [[0, 1]]),  # a group across the border: one run
            ([1, 1, 1, 1], 1, [[0], [1], [2], [3]]),
            ([2, 6, 4], 4, [[0, 1], [2]]),
            ([8, 8], 2, [[0], [1]]),
        ],
    )
    def test_runs_cut_the_inputs_at_the_edges_of_groups(
        self, widths: list[int], s: int, expected: list[list[int]]
    ) -> None:
        assert runs(widths, s) == expected

    @pytest.mark.parametrize("dims", [[4, 2, 2, 4], [4, 8]])
    @pytest.mark.parametrize("r", [1, 3])
    @pytest.mark.parametrize("rows", [1, 2, 100])
    @pytest.mark.parametrize("joined", [False, True])
    @pytest.mark.parametrize("order", ["factored", "blocks"])
    def test_every_path_through_the_blocks_of_rows(
        self, order: str, joined: bool, rows: int, r: int, dims: list[int]
    ) -> None:
        # Widths 4, 2, 2, 4 (or 4, 8) in groups of s = 4 (p = 3): three runs, the middle one two
        # inputs joined (or two runs), or all joined as one; blocks of 1 or 2 of the 5 rows, or
        # one block; r = 1 (the outer product) or 3. Each path in each order gives the loop's
        # result, exactly. Two calls in a row with two w: a block left unwritten would hold the
        # first call's values.
        rng = np.random.default_rng(r)
        N, n, p, q = 12, 6, 3, 2
        inputs = [rng.integers(-3, 4, size=(5, d)).astype(np.float64) for d in dims]
        names = [f"inputs[{i}]" for i in range(len(dims))]
        with _rows_per_block(rows, joined):
            for _ in range(2):
                w = rng.integers(-3, 4, size=dual_lphm_fusion_l(dims, n, p, q, r)).astype(np.float64)
                expected = np.concatenate(inputs, axis=1) @ loop_dual_lphm(w, N, n, p, q, r)
                op = refimpl.dual_lphm_fusion_operator(dims, w, p=p, q=q, r=r, n=n)
                got = _row_blocks.rmatmul_segments(op, inputs, names, order)
                np.testing.assert_array_equal(got, expected)
                del got

    def test_a_library_that_cannot_write_in_place_takes_one_block(self) -> None:
        # JAX's arrays cannot be assigned to: its rows go as one block, however small the blocks
        # are made. Shown with NumPy inputs and the namespace taken for JAX's.
        w = np.arange(1.0, dual_lphm_fusion_l([4], 6, 2, 2, 2) + 1)
        A = np.ones((5, 4))
        with (
            mock.patch.object(_row_blocks, "BLOCK_BYTES", 8),
            mock.patch.object(_row_blocks.array_api_compat, "is_jax_namespace", lambda xp: True),
            mock.patch.object(_row_blocks, "_block", wraps=_row_blocks._block) as block,
        ):
            out = refimpl.dual_lphm_fusion([A], w, p=2, q=2, r=2, n=6)
        assert block.call_count == 1
        np.testing.assert_array_equal(out, A @ loop_dual_lphm(w, 4, 6, 2, 2, 2))

    @pytest.mark.parametrize(("M", "rows", "blocks"), [(5, 2, 3), (6, 2, 3), (5, 5, 1), (1, 3, 1)])
    def test_each_block_is_computed_once(self, M: int, rows: int, blocks: int) -> None:
        # ceil(M / rows) blocks, each input read once: blocks that overlap would give the same
        # values at a multiple of the cost.
        w = np.arange(1.0, dual_lphm_fusion_l([4], 6, 2, 2, 2) + 1)
        A = np.ones((M, 4))
        with (
            _rows_per_block(rows, True),
            mock.patch.object(_row_blocks, "_block", wraps=_row_blocks._block) as block,
        ):
            refimpl.dual_lphm_fusion([A], w, p=2, q=2, r=2, n=6)
        assert block.call_count == blocks

    @pytest.mark.parametrize(
        ("M", "size", "limit", "expected"),
        [
            (512, 8, None, 512),  # issue 21's first row: all 512 rows in 3 MiB
            (4096, 8, None, 682),  # 4 MiB // (768 * 8 bytes) = 682 rows
            (4096, 4, None, 1365),  # float32
            (4096, 16, None, 341),  # complex128
            (10, 8, None, 10),  # never more rows than there are
            (0, 8, None, 1),  # at least one
            (4096, 8, 6144 * 3 + 7, 3),  # the memory limit, when it is the smaller
            (4096, 8, 100, 1),  # one row however small the limit: its guard decides
        ],
    )
    def test_blocks_of_rows_hold_about_block_bytes_of_intermediates(
        self, M: int, size: int, limit: int | None, expected: int
    ) -> None:
        # 768 values a row (p = q = 64, r = 4 in the factored order: 2 * r*p + r*q) and blocks
        # of 4 MiB. The block size shows only in time and peak memory, so it is pinned here.
        assert _row_blocks._block_rows(M, 768, size, False, limit, 2**22) == expected
        assert _row_blocks._block_rows(M, 768, size, True, limit, 2**22) == max(1, M)  # JAX: one block

    @pytest.mark.parametrize(
        ("order", "widths", "in_place", "expected"),
        [
            ("factored", (2048, 2048), True, 2 * 4 * 64 + 4 * 64),  # two runs side by side, then r*q
            ("factored", (4096,), True, 4 * 64 + 4 * 64),  # one run: no side-by-side copy
            ("factored", (2047, 2049), True, 2047 + 2049 + 4 * 64 + 4 * 64),  # one joined run
            ("factored", (4096,), False, 4 * 64 + 4 * 64 + 4096),  # and the output's block
            ("blocks", (2048, 2048), True, 2 * 64 * 64),
            ("blocks", (4096,), False, 64 * 64 + 4096),
        ],
    )
    def test_a_row_of_a_block_holds_what_each_order_allocates(
        self, order: str, widths: tuple[int, ...], in_place: bool, expected: int
    ) -> None:
        # p = q = 64, s = t = 64, r = 4. The count is what the guard and the block size see.
        groups = runs(widths, 64)
        got = _row_blocks._intermediates_per_row((64, 64, 4, 64, 64), order, widths, groups, in_place)
        assert got == expected

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
    def test_is_literal(self, method: Method, case: tuple[Any, ...], in_dtype: Any, w_dtype: Any) -> None:
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

    @given(
        data=st.data(),
        cfg=fusion_configs(),
        in_dtype=st.sampled_from(DTYPES),
        w_dtype=st.sampled_from(DTYPES),
    )
    def test_result_dtype_is_the_promotion_of_inputs_and_w(
        self, xp: Any, data: Any, cfg: dict[str, Any], in_dtype: Any, w_dtype: Any
    ) -> None:
        l = dual_lphm_fusion_l(cfg["dims"], cfg["n"], cfg["p"], cfg["q"], cfg["r"])
        w = data.draw(vectors(l, w_dtype))
        inputs = data.draw(fusion_inputs(cfg, in_dtype))
        out = dual_lphm_fusion([as_xp(xp, A) for A in inputs], as_xp(xp, w), **_lphm_args(cfg))
        assert to_numpy(out).dtype == np.result_type(in_dtype, w_dtype)

    def test_integer_inputs_are_promoted_to_the_default_float(self, xp: Any) -> None:
        inputs = [xp.ones((2, 2), dtype=xp.int64), xp.ones((2, 2), dtype=xp.int64)]
        out = dual_lphm_fusion(inputs, xp.ones(7, dtype=xp.int64), p=2, q=1, r=1)
        assert out.dtype == xp.__array_namespace_info__().default_dtypes()["real floating"]
        np.testing.assert_array_equal(to_numpy(out), np.full((2, 2), 4.0))

    def test_python_lists_use_the_backend(self) -> None:
        out = dual_lphm_fusion([[[1.0, 1.0]], [[1.0, 1.0]]], [1.0] * 7, p=2, q=1, r=1)
        assert isinstance(out, np.ndarray)
        np.testing.assert_array_equal(out, [[4.0, 4.0]])

    @given(data=st.data(), cfg=fusion_configs(), dtype=st.sampled_from([np.float32, np.float64]))
    def test_a_list_w_takes_the_precision_of_the_inputs(
        self, xp: Any, data: Any, cfg: dict[str, Any], dtype: Any
    ) -> None:
        l = dual_lphm_fusion_l(cfg["dims"], cfg["n"], cfg["p"], cfg["q"], cfg["r"])
        w = data.draw(vectors(l))
        inputs = [as_xp(xp, A) for A in data.draw(fusion_inputs(cfg, dtype))]
        as_list = dual_lphm_fusion(inputs, w.tolist(), **_lphm_args(cfg))
        as_array = dual_lphm_fusion(inputs, as_xp(xp, w.astype(dtype)), **_lphm_args(cfg))
        assert_array(as_list, xp, to_numpy(as_array))  # same dtype and values

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
    def test_dask_inputs_give_the_literal_fusion(
        self, method: Method, case: tuple[Any, ...], in_dtypes: tuple[Any, ...], w_dtype: Any
    ) -> None:
        # Row-chunked Dask inputs and a NumPy w: the lazy result declares the dtype its chunks have,
        # and the values are the literal fusion. A wrong implementation probes the chunks' dtype
        # with dtype None (float32 became float64), or skips, inverts or misdirects the cast of the
        # inputs to the promoted dtype.
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

    @pytest.mark.parametrize("as_w", ["list", "dask"])
    def test_dask_inputs_take_a_list_or_dask_w(self, as_w: str) -> None:
        # A Dask w left uncomputed, or w dropped (None), fails here.
        _dask_with_a_list_or_dask_w("dual_lphm", as_w)


class TestConcatenationFusion:
    @given(data=st.data(), cfg=fusion_configs(), dtype=st.sampled_from(DTYPES))
    def test_matches_loops(self, xp: Any, data: Any, cfg: dict[str, Any], dtype: Any) -> None:
        N, n = sum(cfg["dims"]), cfg["width"]
        w = data.draw(vectors(N * n, dtype))
        inputs = data.draw(fusion_inputs(cfg, dtype))
        out = concatenation_fusion([as_xp(xp, A) for A in inputs], as_xp(xp, w), n=cfg["n"])
        assert_array(out, xp, loop_fusion(inputs, w.reshape(N, n)))

    def test_a_complex_list_makes_the_result_complex_of_the_inputs_precision(self, xp: Any) -> None:
        A = xp.ones((1, 2), dtype=xp.float32)
        out = concatenation_fusion([A], [1j, 0.0, 0.0, 1.0], n=2)
        assert_array(out, xp, np.array([[1j, 1.0]], dtype=np.complex64))

    @pytest.mark.parametrize(
        "in_dtypes", [(np.float64,), (np.float32,), (np.int64, np.float32), (np.complex64,)]
    )
    def test_dask_inputs_give_the_literal_fusion(self, in_dtypes: tuple[Any, ...]) -> None:
        da = pytest.importorskip("dask.array")
        rng = np.random.default_rng(2)
        dims, n = (2, 3), 4
        inputs = [
            _cast(rng.standard_normal((7, d)), in_dtypes[i % len(in_dtypes)]) for i, d in enumerate(dims)
        ]
        w = rng.standard_normal(sum(dims) * n).astype(np.float32)
        out = refimpl.concatenation_fusion(
            [da.from_array(A, chunks=(3, A.shape[-1])) for A in inputs], w, n=n
        )
        dtype = _promoted(*(A.dtype for A in inputs), w.dtype)
        assert isinstance(out, da.Array) and out.dtype == dtype
        got = out.compute()
        assert got.dtype == dtype
        X = np.concatenate([A.astype(np.complex128) for A in inputs], axis=-1)
        want = X @ w.astype(np.float64).reshape(sum(dims), n)
        np.testing.assert_allclose(got, want if np.iscomplexobj(got) else want.real, rtol=1e-4, atol=1e-4)

    @pytest.mark.parametrize("as_w", ["list", "dask"])
    def test_dask_inputs_take_a_list_or_dask_w(self, as_w: str) -> None:
        _dask_with_a_list_or_dask_w("concatenation", as_w)


class TestDualLphmParameterizedConcatenationFusion:
    def test_is_a_shell_over_the_function(self) -> None:
        Fusion = refimpl.dual_lphm_parameterized_concatenation_fusion
        fusion = Fusion(r=2, p=3, q=2, n=4, dims=[1, 5])
        assert fusion.calculate_n() == 4
        assert fusion.calculate_l() == dual_lphm_fusion_l([1, 5], 4, 3, 2, 2) == 2 * (3 + 2 + 6 // 3 + 4 // 2)
        rng = np.random.default_rng(0)
        inputs = [rng.standard_normal((3, 1)), rng.standard_normal((3, 5))]
        w = rng.standard_normal(fusion.calculate_l())
        expected = dual_lphm_fusion(inputs, w, p=3, q=2, r=2, n=4)
        np.testing.assert_array_equal(fusion(inputs, w), expected)
        np.testing.assert_array_equal(fusion.forward(inputs, w, device="cpu"), expected)
        assert Fusion(r=1, p=2, dims=[3, 3]).calculate_n() == 3  # n defaults to the common width
        assert Fusion(r=1, p=2).calculate_l(dims=[2, 2]) == 1 * (2 + 2 + 2 + 1)
