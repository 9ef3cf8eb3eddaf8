"""Duplicated padding and duplicated diagonal padding (SPEC sections 1 and 2): one class per function.

Their ``l`` is in ``test_shapes.py``, their memory guard in ``test_memory.py`` (but for the one test
that runs on every backend, below), what bad arguments raise in ``test_errors.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import refimpl
from refimpl import duplicated_diagonal_padding, duplicated_padding, duplicated_padding_l

from ._support import as_xp, assert_array, loop_padding, to_numpy
from .strategies import DTYPES, integer_valued, padding_configs, vectors

SPARSE = ("csr", "csc", "coo", "bsr")


def _cfg(cfg: dict[str, int]) -> tuple[int, int, int, int]:
    return cfg["n"], cfg["D"], cfg["p"], cfg["q"]


def _stored_coordinates(psi: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row, column and value of every stored entry, whatever the format."""
    if psi.format == "bsr":
        R, C = psi.blocksize
        rows, cols, vals = [], [], []
        for block_row in range(psi.shape[0] // R):
            for k in range(psi.indptr[block_row], psi.indptr[block_row + 1]):
                bi, bj = np.meshgrid(np.arange(R), np.arange(C), indexing="ij")
                rows.append((block_row * R + bi).ravel())
                cols.append((psi.indices[k] * C + bj).ravel())
                vals.append(psi.data[k].ravel())
        if not rows:
            return np.array([], int), np.array([], int), np.array([])
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    coo = psi.tocoo()
    return coo.coords[0], coo.coords[1], coo.data


def _linearity(xp: Any, data: Any, cfg: dict[str, int], psi_of: Any) -> None:
    """``psi(a*w1 + b*w2) == a*psi(w1) + b*psi(w2)`` for ``psi_of(w_in_xp, n, D, p, q)``."""
    n, D, p, q = _cfg(cfg)
    l = duplicated_padding_l(n, D, p, q)
    w1, w2 = data.draw(vectors(l)), data.draw(vectors(l))
    a, b = data.draw(st.integers(-4, 4)), data.draw(st.integers(-4, 4))

    def psi(w: np.ndarray) -> np.ndarray:
        return to_numpy(psi_of(as_xp(xp, w), n, D, p, q))

    np.testing.assert_array_equal(psi(a * w1 + b * w2), a * psi(w1) + b * psi(w2))


class TestDuplicatedPadding:
    @given(data=st.data(), cfg=padding_configs(), dtype=st.sampled_from(DTYPES))
    def test_matches_loops(self, xp: Any, data: Any, cfg: dict[str, int], dtype: Any) -> None:
        n, D, p, q = _cfg(cfg)
        w = data.draw(vectors(duplicated_padding_l(n, D, p, q), dtype))
        expected = loop_padding(w, n, D, p, q, diagonal=False)
        assert_array(duplicated_padding(as_xp(xp, w), n, D, p, q), xp, expected)

    @given(data=st.data(), cfg=padding_configs())
    def test_is_linear_in_w(self, xp: Any, data: Any, cfg: dict[str, int]) -> None:
        _linearity(xp, data, cfg, duplicated_padding)

    @given(data=st.data(), cfg=padding_configs())
    def test_rank_of_the_kronecker_product(self, data: Any, cfg: dict[str, int]) -> None:
        # rank(kron(ones(p, q), W)) == rank(W), with rank(ones) = 1.
        n, D, p, q = _cfg(cfg)
        s, t = n // p, D // q
        W = integer_valued(data.draw, (s, t), np.float64)
        w = W.reshape(-1)
        assert np.linalg.matrix_rank(duplicated_padding(w, n, D, p, q)) == np.linalg.matrix_rank(W)

    @given(cfg=padding_configs(), data=st.data())
    def test_w_as_row_vector_is_accepted(self, xp: Any, cfg: dict[str, int], data: Any) -> None:
        n, D, p, q = _cfg(cfg)
        w = data.draw(vectors(duplicated_padding_l(n, D, p, q)))
        row = as_xp(xp, w.reshape(1, -1))
        np.testing.assert_array_equal(
            to_numpy(duplicated_padding(row, n, D, p, q)), to_numpy(duplicated_padding(w, n, D, p, q))
        )

    def test_integer_and_list_w_are_promoted_to_the_default_float(self, xp: Any) -> None:
        out = duplicated_padding(xp.asarray([1, 2, 3, 4]), 4, 4, 2)
        info = xp.__array_namespace_info__()
        assert out.dtype == info.default_dtypes()["real floating"]
        listed = duplicated_padding([1, 2, 3, 4], 4, 4, 2)  # no namespace: the NumPy backend
        assert isinstance(listed, np.ndarray) and listed.dtype == np.float64

    def test_result_does_not_alias_w(self) -> None:
        w = np.arange(4.0)
        out = duplicated_padding(w, 2, 2, 1)
        out[0, 0] = 99.0
        assert w[0] == 0.0

    def test_guard_counts_the_itemsize_of_the_dtype(self, xp: Any) -> None:
        # The memory guard on every backend: here, not in test_memory.py, whose address-space cap
        # JAX's runtime cannot start under.
        w = xp.ones(64, dtype=xp.float32)
        with refimpl.memory_limit(64 * 64 * 4):  # exactly the float32 matrix
            assert refimpl.duplicated_padding(w, 64, 64, 8).shape == (64, 64)
        with refimpl.memory_limit(64 * 64 * 4 - 1):
            with pytest.raises(refimpl.MemoryLimitError, match="16.0 KiB"):
                refimpl.duplicated_padding(w, 64, 64, 8)


class TestDuplicatedDiagonalPadding:
    @given(data=st.data(), cfg=padding_configs(), dtype=st.sampled_from(DTYPES))
    def test_dense_matches_loops(self, xp: Any, data: Any, cfg: dict[str, int], dtype: Any) -> None:
        n, D, p, q = _cfg(cfg)
        w = data.draw(vectors(duplicated_padding_l(n, D, p, q), dtype))
        expected = loop_padding(w, n, D, p, q, diagonal=True)
        assert_array(duplicated_diagonal_padding(as_xp(xp, w), n, D, p, q, format="dense"), xp, expected)

    @pytest.mark.xp_backends("numpy", "cupy")
    @given(data=st.data(), cfg=padding_configs(), dtype=st.sampled_from(DTYPES), fmt=st.sampled_from(SPARSE))
    def test_every_sparse_format_gives_the_loop_matrix(
        self, xp: Any, data: Any, cfg: dict[str, int], dtype: Any, fmt: str
    ) -> None:
        n, D, p, q = _cfg(cfg)
        w = data.draw(vectors(duplicated_padding_l(n, D, p, q), dtype))
        psi = duplicated_diagonal_padding(as_xp(xp, w), n, D, p, q, format=fmt)
        assert psi.format == fmt
        assert psi.shape == (n, D)
        assert psi.dtype == np.dtype(dtype)
        dense = to_numpy(psi)
        np.testing.assert_array_equal(dense, loop_padding(w, n, D, p, q, diagonal=True))

    @pytest.mark.parametrize("fmt", SPARSE)
    @pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
    def test_sparse_result_exact_values_and_dtype(self, fmt: str, dtype: Any) -> None:
        # Exact example in every format and dtype: W on the min(p, q) diagonal blocks, w's dtype.
        n, D, p, q = 6, 6, 3, 2  # s = 2, t = 3, two diagonal blocks
        w = (np.arange(1, 7) * (1 + 1j if np.iscomplexobj(np.empty(0, dtype)) else 1)).astype(dtype)
        W = w.reshape(2, 3)
        expected = np.zeros((n, D), dtype)
        expected[0:2, 0:3] = W
        expected[2:4, 3:6] = W
        psi = duplicated_diagonal_padding(w, n, D, p, q, format=fmt)
        assert psi.format == fmt
        assert psi.dtype == dtype
        assert psi.nnz == 12
        np.testing.assert_array_equal(psi.toarray(), expected)

    @pytest.mark.parametrize("fmt", SPARSE)
    def test_scipy_result_is_a_sparse_array_not_a_matrix(self, fmt: str) -> None:
        import scipy.sparse

        psi = duplicated_diagonal_padding(np.arange(1.0, 5.0), 4, 6, 2, 3, format=fmt)
        assert isinstance(psi, scipy.sparse.sparray)
        assert not isinstance(psi, scipy.sparse.spmatrix)

    @given(data=st.data(), cfg=padding_configs(), fmt=st.sampled_from(SPARSE))
    def test_only_the_diagonal_blocks_are_stored(self, data: Any, cfg: dict[str, int], fmt: str) -> None:
        n, D, p, q = _cfg(cfg)
        s, t = n // p, D // q
        l = s * t
        # W free of zeros: every entry of the min(p, q) diagonal blocks must be stored, nothing else.
        w = np.asarray(data.draw(st.lists(st.integers(1, 9), min_size=l, max_size=l)), dtype=np.float64)
        psi = duplicated_diagonal_padding(w, n, D, p, q, format=fmt)
        rows, cols, _ = _stored_coordinates(psi)
        assert np.all(rows // s == cols // t)
        assert np.all(rows // s < min(p, q))
        assert len(rows) == min(p, q) * s * t
        assert len(set(zip(rows.tolist(), cols.tolist()))) == len(rows)  # no duplicates

    @given(data=st.data(), cfg=padding_configs(), fmt=st.sampled_from(SPARSE + ("dense",)))
    def test_structural_zeros_stay_zero_with_inf_and_nan(
        self, data: Any, cfg: dict[str, int], fmt: str
    ) -> None:
        n, D, p, q = _cfg(cfg)
        s, t = n // p, D // q
        special = st.sampled_from(
            [np.inf, -np.inf, np.nan, 1.0, complex(np.inf, 0), complex(0, -np.inf), 0.0]
        )
        w = np.asarray(data.draw(st.lists(special, min_size=s * t, max_size=s * t)))
        dense = to_numpy(duplicated_diagonal_padding(w, n, D, p, q, format=fmt))
        i, j = np.indices((n, D))
        outside = (i // s != j // t) | (i // s >= min(p, q))
        assert np.all(dense[outside] == 0)  # exact zeros, no nan
        # Inside the blocks, exactly w's values: no 1 * (inf+0j) = inf+nanj either.
        np.testing.assert_array_equal(dense, loop_padding(w, n, D, p, q, diagonal=True))
        assert dense.dtype == w.dtype

    @given(data=st.data(), cfg=padding_configs())
    def test_dense_is_linear_in_w(self, xp: Any, data: Any, cfg: dict[str, int]) -> None:
        _linearity(
            xp,
            data,
            cfg,
            lambda w, n, D, p, q: duplicated_diagonal_padding(w, n, D, p, q, format="dense"),
        )

    @given(data=st.data(), cfg=padding_configs())
    def test_rank_of_the_kronecker_product(self, data: Any, cfg: dict[str, int]) -> None:
        # rank(kron(eye(p, q), W)) == min(p, q) * rank(W).
        n, D, p, q = _cfg(cfg)
        s, t = n // p, D // q
        W = integer_valued(data.draw, (s, t), np.float64)
        w = W.reshape(-1)
        diag = duplicated_diagonal_padding(w, n, D, p, q, format="dense")
        assert np.linalg.matrix_rank(diag) == min(p, q) * np.linalg.matrix_rank(W)

    def test_dense_result_does_not_alias_w(self) -> None:
        w = np.arange(4.0)
        out = duplicated_diagonal_padding(w, 2, 2, 1, format="dense")
        out[0, 0] = 99.0
        assert w[0] == 0.0


class TestDuplicatedPaddingReconciliation:
    def test_is_a_shell_over_the_function(self) -> None:
        w = np.arange(1.0, 7.0)
        rec = refimpl.duplicated_padding_reconciliation(p=2, q=3)
        assert rec.calculate_l(4, 9) == duplicated_padding_l(4, 9, 2, 3) == 6
        np.testing.assert_array_equal(rec(4, 9, w), duplicated_padding(w, 4, 9, 2, 3))
        np.testing.assert_array_equal(rec.forward(4, 9, w, device="cpu"), duplicated_padding(w, 4, 9, 2, 3))


class TestDuplicatedDiagonalPaddingReconciliation:
    def test_is_a_shell_over_the_function(self) -> None:
        w = np.arange(1.0, 7.0)
        diag = refimpl.duplicated_diagonal_padding_reconciliation(p=2, q=3)
        assert diag.calculate_l(4, 9) == 6
        np.testing.assert_array_equal(
            diag(4, 9, w), duplicated_diagonal_padding(w, 4, 9, 2, 3, format="dense")
        )
        sparse = refimpl.duplicated_diagonal_padding_reconciliation(p=2, q=3, format="csc")
        assert sparse(4, 9, w).format == "csc"
