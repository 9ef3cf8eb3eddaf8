"""Properties of duplicated padding and duplicated diagonal padding (SPEC sections 1 and 2)."""

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


@given(cfg=padding_configs())
def test_l_invariant(cfg: dict[str, int]) -> None:
    n, D, p, q = _cfg(cfg)
    l = duplicated_padding_l(n, D, p, q)
    assert l * p * q == n * D  # l == n*D/(p*q), exactly
    assert isinstance(l, int)


@given(p=st.integers(1, 5), s=st.integers(1, 5), t=st.integers(1, 5))
def test_q_defaults_to_p(p: int, s: int, t: int) -> None:
    assert duplicated_padding_l(p * s, p * t, p) == duplicated_padding_l(p * s, p * t, p, p) == s * t


@given(data=st.data(), cfg=padding_configs(), dtype=st.sampled_from(DTYPES))
def test_duplicated_padding_matches_loops(xp: Any, data: Any, cfg: dict[str, int], dtype: Any) -> None:
    n, D, p, q = _cfg(cfg)
    w = data.draw(vectors(duplicated_padding_l(n, D, p, q), dtype))
    expected = loop_padding(w, n, D, p, q, diagonal=False)
    assert_array(duplicated_padding(as_xp(xp, w), n, D, p, q), xp, expected)


@given(data=st.data(), cfg=padding_configs(), dtype=st.sampled_from(DTYPES))
def test_diagonal_dense_matches_loops(xp: Any, data: Any, cfg: dict[str, int], dtype: Any) -> None:
    n, D, p, q = _cfg(cfg)
    w = data.draw(vectors(duplicated_padding_l(n, D, p, q), dtype))
    expected = loop_padding(w, n, D, p, q, diagonal=True)
    assert_array(duplicated_diagonal_padding(as_xp(xp, w), n, D, p, q, format="dense"), xp, expected)


@pytest.mark.xp_backends("numpy", "cupy")
@given(data=st.data(), cfg=padding_configs(), dtype=st.sampled_from(DTYPES), fmt=st.sampled_from(SPARSE))
def test_every_sparse_format_gives_the_loop_matrix(
    xp: Any, data: Any, cfg: dict[str, int], dtype: Any, fmt: str
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
def test_scipy_result_is_a_sparse_array_not_a_matrix(fmt: str) -> None:
    import scipy.sparse

    psi = duplicated_diagonal_padding(np.arange(1.0, 5.0), 4, 6, 2, 3, format=fmt)
    assert isinstance(psi, scipy.sparse.sparray)
    assert not isinstance(psi, scipy.sparse.spmatrix)


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


@given(data=st.data(), cfg=padding_configs(), fmt=st.sampled_from(SPARSE))
def test_only_the_diagonal_blocks_are_stored(data: Any, cfg: dict[str, int], fmt: str) -> None:
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
def test_structural_zeros_stay_zero_with_inf_and_nan(data: Any, cfg: dict[str, int], fmt: str) -> None:
    n, D, p, q = _cfg(cfg)
    s, t = n // p, D // q
    special = st.sampled_from([np.inf, -np.inf, np.nan, 1.0, complex(np.inf, 0), complex(0, -np.inf), 0.0])
    w = np.asarray(data.draw(st.lists(special, min_size=s * t, max_size=s * t)))
    dense = to_numpy(duplicated_diagonal_padding(w, n, D, p, q, format=fmt))
    i, j = np.indices((n, D))
    outside = (i // s != j // t) | (i // s >= min(p, q))
    assert np.all(dense[outside] == 0)  # exact zeros, no nan
    # Inside the blocks, exactly w's values: no 1 * (inf+0j) = inf+nanj either.
    np.testing.assert_array_equal(dense, loop_padding(w, n, D, p, q, diagonal=True))
    assert dense.dtype == w.dtype


@given(data=st.data(), cfg=padding_configs(), diagonal=st.booleans())
def test_padding_is_linear_in_w(xp: Any, data: Any, cfg: dict[str, int], diagonal: bool) -> None:
    n, D, p, q = _cfg(cfg)
    l = duplicated_padding_l(n, D, p, q)
    w1, w2 = data.draw(vectors(l)), data.draw(vectors(l))
    a, b = data.draw(st.integers(-4, 4)), data.draw(st.integers(-4, 4))

    def psi(w: np.ndarray) -> np.ndarray:
        if diagonal:
            return to_numpy(duplicated_diagonal_padding(as_xp(xp, w), n, D, p, q, format="dense"))
        return to_numpy(duplicated_padding(as_xp(xp, w), n, D, p, q))

    np.testing.assert_array_equal(psi(a * w1 + b * w2), a * psi(w1) + b * psi(w2))


@given(data=st.data(), cfg=padding_configs())
def test_rank_of_the_kronecker_product(data: Any, cfg: dict[str, int]) -> None:
    # rank(kron(A, W)) == rank(A) * rank(W), with rank(ones) = 1 and rank(eye(p, q)) = min(p, q).
    n, D, p, q = _cfg(cfg)
    s, t = n // p, D // q
    W = integer_valued(data.draw, (s, t), np.float64)
    w = W.reshape(-1)
    rank_W = np.linalg.matrix_rank(W)
    assert np.linalg.matrix_rank(duplicated_padding(w, n, D, p, q)) == rank_W
    diag = duplicated_diagonal_padding(w, n, D, p, q, format="dense")
    assert np.linalg.matrix_rank(diag) == min(p, q) * rank_W


@given(cfg=padding_configs(), data=st.data())
def test_w_as_row_vector_is_accepted(xp: Any, cfg: dict[str, int], data: Any) -> None:
    n, D, p, q = _cfg(cfg)
    w = data.draw(vectors(duplicated_padding_l(n, D, p, q)))
    row = as_xp(xp, w.reshape(1, -1))
    np.testing.assert_array_equal(
        to_numpy(duplicated_padding(row, n, D, p, q)), to_numpy(duplicated_padding(w, n, D, p, q))
    )


def test_integer_and_list_w_are_promoted_to_the_default_float(xp: Any) -> None:
    out = duplicated_padding(xp.asarray([1, 2, 3, 4]), 4, 4, 2)
    info = xp.__array_namespace_info__()
    assert out.dtype == info.default_dtypes()["real floating"]
    listed = duplicated_padding([1, 2, 3, 4], 4, 4, 2)  # no namespace: the NumPy backend
    assert isinstance(listed, np.ndarray) and listed.dtype == np.float64


def test_result_does_not_alias_w() -> None:
    w = np.arange(4.0)
    for out in (duplicated_padding(w, 2, 2, 1), duplicated_diagonal_padding(w, 2, 2, 1, format="dense")):
        out[0, 0] = 99.0
        assert w[0] == 0.0


def test_classes_are_shells_over_the_functions() -> None:
    w = np.arange(1.0, 7.0)
    rec = refimpl.duplicated_padding_reconciliation(p=2, q=3)
    assert rec.calculate_l(4, 9) == duplicated_padding_l(4, 9, 2, 3) == 6
    np.testing.assert_array_equal(rec(4, 9, w), duplicated_padding(w, 4, 9, 2, 3))
    np.testing.assert_array_equal(rec.forward(4, 9, w, device="cpu"), duplicated_padding(w, 4, 9, 2, 3))
    diag = refimpl.duplicated_diagonal_padding_reconciliation(p=2, q=3)
    assert diag.calculate_l(4, 9) == 6
    np.testing.assert_array_equal(diag(4, 9, w), duplicated_diagonal_padding(w, 4, 9, 2, 3, format="dense"))
    sparse = refimpl.duplicated_diagonal_padding_reconciliation(p=2, q=3, format="csc")
    assert sparse(4, 9, w).format == "csc"
