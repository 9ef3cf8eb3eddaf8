"""Wrong duplicated padding and duplicated diagonal padding: planted mistakes, one each."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from tests.oracle_corpus import candidate


def _as_float(w):
    w = np.array(w).reshape(-1)
    return w if np.issubdtype(w.dtype, np.inexact) else w.astype(np.float64)


def _grid(n, D, p, q):
    i, j = np.ogrid[:n, :D]
    return i, j, n // p, D // q


def _place(W, i, j, s, t, inside):
    """Entries ``W[i mod s, j mod t]`` where ``inside``, exact zeros elsewhere (selection, no product)."""
    return np.where(inside, W[i % s, j % t], W.dtype.type(0))


# ----------------------------------------------------------------- duplicated padding


@candidate("duplicated_padding", mistake="W reshaped column-major", diagnoses="column_major_reshape")
def padding_column_major(w, n, D, p, q=None):
    q = p if q is None else q
    return np.tile(_as_float(w).reshape((n // p, D // q), order="F"), (p, q))


@candidate("duplicated_padding", mistake="grid read as (q, p): s = n/q, t = D/p", diagnoses="p_q_exchanged")
def padding_p_q_exchanged(w, n, D, p, q=None):
    q = p if q is None else q
    return np.tile(_as_float(w).reshape(n // q, D // p), (q, p))


@candidate(
    "duplicated_padding", mistake="kron(eye(p, q), W): the diagonal padding", diagnoses="identity_for_ones"
)
def padding_identity(w, n, D, p, q=None):
    q = p if q is None else q
    i, j, s, t = _grid(n, D, p, q)
    return _place(_as_float(w).reshape(s, t), i, j, s, t, i // s == j // t)


@candidate("duplicated_padding", mistake="kron(W, ones(p, q))", diagnoses="kron_operands_swapped")
def padding_kron_swapped(w, n, D, p, q=None):
    q = p if q is None else q
    return np.kron(_as_float(w).reshape(n // p, D // q), np.ones((p, q)))


@candidate(
    "duplicated_padding",
    mistake="outer(ones(p, q), W) reshaped to (n, D)",
    diagnoses="kron_as_reshaped_outer",
)
def padding_outer(w, n, D, p, q=None):
    q = p if q is None else q
    w = _as_float(w)
    return np.outer(np.ones(p * q, dtype=w.dtype), w).reshape(n, D)


@candidate("duplicated_padding", mistake="returns the transpose", diagnoses="output_transposed")
def padding_transposed(w, n, D, p, q=None):
    q = p if q is None else q
    return np.tile(_as_float(w).reshape(n // p, D // q), (p, q)).T


@candidate("duplicated_padding", mistake="transposed only when n == D", diagnoses="output_transposed")
def padding_transposed_square(w, n, D, p, q=None):
    q = p if q is None else q
    out = np.tile(_as_float(w).reshape(n // p, D // q), (p, q))
    return out.T.copy() if n == D else out


@candidate("duplicated_padding", mistake="always float64")
def padding_always_float64(w, n, D, p, q=None):
    q = p if q is None else q
    return np.tile(np.asarray(w, dtype=np.float64).reshape(n // p, D // q), (p, q))


@candidate("duplicated_padding", mistake="always float32")
def padding_always_float32(w, n, D, p, q=None):
    q = p if q is None else q
    return np.tile(np.asarray(w, dtype=np.float32).reshape(n // p, D // q), (p, q))


@candidate(
    "duplicated_padding",
    mistake="integer w kept integer (SPEC: promoted to float64)",
    options={"dtypes": ("float64", "int64")},
)
def padding_no_promotion(w, n, D, p, q=None):
    q = p if q is None else q
    return np.tile(np.asarray(w).reshape(n // p, D // q), (p, q))


@candidate("duplicated_padding", mistake="column index shifted by one: W[i mod s, (j + 1) mod t]")
def padding_shifted_column(w, n, D, p, q=None):
    q = p if q is None else q
    i, j, s, t = _grid(n, D, p, q)
    return _as_float(w).reshape(s, t)[i % s, (j + 1) % t]


@candidate("duplicated_padding", mistake="q defaults to 1 instead of p")
def padding_q_default_one(w, n, D, p, q=1):
    return np.tile(_as_float(w).reshape(n // p, D // q), (p, q))


@candidate(
    "duplicated_padding",
    mistake="column-major only when the output has more than 64 entries",
    diagnoses="column_major_reshape",
)
def padding_column_major_large(w, n, D, p, q=None):
    q = p if q is None else q
    order = "F" if n * D > 64 else "C"
    return np.tile(_as_float(w).reshape((n // p, D // q), order=order), (p, q))


@candidate("duplicated_padding", mistake="rejects w of shape (1, l)")
def padding_rejects_row(w, n, D, p, q=None):
    q = p if q is None else q
    if len(w) != (n // p) * (D // q):
        raise ValueError(f"w has length {len(w)}")
    return np.tile(_as_float(w).reshape(n // p, D // q), (p, q))


@candidate(
    "duplicated_padding",
    mistake="non-finite entries replaced by finite ones (nan_to_num)",
    options={"nonfinite": True},
)
def padding_nan_to_num(w, n, D, p, q=None):
    q = p if q is None else q
    return np.tile(np.nan_to_num(_as_float(w)).reshape(n // p, D // q), (p, q))


@candidate("duplicated_padding", mistake="raises NotImplementedError when p == 1")
def padding_raises_p1(w, n, D, p, q=None):
    q = p if q is None else q
    if p == 1:
        raise NotImplementedError("p == 1 is not supported")
    return np.tile(_as_float(w).reshape(n // p, D // q), (p, q))


@candidate("duplicated_padding", mistake="rows of W repeated p times in place (np.repeat) instead of tiled")
def padding_repeat_rows(w, n, D, p, q=None):
    q = p if q is None else q
    W = _as_float(w).reshape(n // p, D // q)
    return np.tile(np.repeat(W, p, axis=0), (1, q))


# ---------------------------------------------------------- duplicated diagonal padding


@candidate(
    "duplicated_diagonal_padding",
    mistake="np.kron(eye(p, q), W): 0 * inf gives nan off the blocks",
    diagnoses="zero_times_w",
    options={"nonfinite": True},
)
def diagonal_zero_times_w(w, n, D, p, q=None):
    q = p if q is None else q
    w = _as_float(w)
    return np.kron(np.eye(p, q, dtype=w.dtype), w.reshape(n // p, D // q))


@candidate(
    "duplicated_diagonal_padding", mistake="ones in place of the identity", diagnoses="ones_for_identity"
)
def diagonal_ones(w, n, D, p, q=None):
    q = p if q is None else q
    return np.tile(_as_float(w).reshape(n // p, D // q), (p, q))


@candidate(
    "duplicated_diagonal_padding",
    mistake="W reshaped as (t, s) and transposed",
    diagnoses="column_major_reshape",
)
def diagonal_column_major(w, n, D, p, q=None):
    q = p if q is None else q
    i, j, s, t = _grid(n, D, p, q)
    return _place(_as_float(w).reshape(t, s).T, i, j, s, t, i // s == j // t)


@candidate(
    "duplicated_diagonal_padding",
    mistake="kron(W, eye(p, q)), placed by selection",
    diagnoses="kron_operands_swapped",
)
def diagonal_kron_swapped(w, n, D, p, q=None):
    q = p if q is None else q
    i, j, s, t = _grid(n, D, p, q)
    W = _as_float(w).reshape(s, t)
    return np.where(i % p == j % q, W[i // p, j // q], W.dtype.type(0))


@candidate(
    "duplicated_diagonal_padding",
    mistake="outer(eye(p, q), W) reshaped to (n, D), by selection",
    diagnoses="kron_as_reshaped_outer",
)
def diagonal_outer(w, n, D, p, q=None):
    q = p if q is None else q
    w = _as_float(w)
    eye = np.eye(p, q).reshape(-1, 1) != 0
    return np.where(eye, w[None, :], w.dtype.type(0)).reshape(n, D)


@candidate("duplicated_diagonal_padding", mistake="grid read as (q, p)", diagnoses="p_q_exchanged")
def diagonal_p_q_exchanged(w, n, D, p, q=None):
    q = p if q is None else q
    i, j, s, t = _grid(n, D, q, p)
    return _place(_as_float(w).reshape(s, t), i, j, s, t, i // s == j // t)


@candidate("duplicated_diagonal_padding", mistake="returns the transpose", diagnoses="output_transposed")
def diagonal_transposed(w, n, D, p, q=None):
    q = p if q is None else q
    i, j, s, t = _grid(n, D, p, q)
    return _place(_as_float(w).reshape(s, t), i, j, s, t, i // s == j // t).T


@candidate("duplicated_diagonal_padding", mistake="sparse result storing all n*D entries (explicit zeros)")
def diagonal_explicit_zeros(w, n, D, p, q=None):
    q = p if q is None else q
    i, j, s, t = _grid(n, D, p, q)
    dense = _place(_as_float(w).reshape(s, t), i, j, s, t, i // s == j // t)
    return sp.csr_array((dense.ravel(), np.tile(np.arange(D), n), np.arange(0, n * D + 1, D)), shape=(n, D))


@candidate(
    "duplicated_diagonal_padding",
    mistake="sparse result storing the block right of the diagonal as explicit zeros",
)
def diagonal_extra_block(w, n, D, p, q=None):
    q = p if q is None else q
    i, j, s, t = _grid(n, D, p, q)
    dense = _place(_as_float(w).reshape(s, t), i, j, s, t, i // s == j // t)
    keep = (i // s == j // t) | (j // t == i // s + 1)
    rows, cols = np.nonzero(np.broadcast_to(keep, (n, D)))
    return sp.coo_array((dense[rows, cols], (rows, cols)), shape=(n, D))


@candidate("duplicated_diagonal_padding", mistake="block test i // s <= j // t (upper block triangle filled)")
def diagonal_block_test_le(w, n, D, p, q=None):
    q = p if q is None else q
    i, j, s, t = _grid(n, D, p, q)
    return _place(_as_float(w).reshape(s, t), i, j, s, t, i // s <= j // t)


@candidate("duplicated_diagonal_padding", mistake="the last diagonal block missing when p != q")
def diagonal_missing_block(w, n, D, p, q=None):
    q = p if q is None else q
    s, t = n // p, D // q
    W = _as_float(w).reshape(s, t)
    out = np.zeros((n, D), dtype=W.dtype)
    for b in range(min(p, q) - (p != q)):
        out[b * s : (b + 1) * s, b * t : (b + 1) * t] = W
    return out


@candidate(
    "duplicated_diagonal_padding", mistake="block test i // t == j // s (s and t exchanged in the test)"
)
def diagonal_block_test_st(w, n, D, p, q=None):
    q = p if q is None else q
    i, j, s, t = _grid(n, D, p, q)
    return _place(_as_float(w).reshape(s, t), i, j, s, t, i // t == j // s)


@candidate("duplicated_diagonal_padding", mistake="always float64")
def diagonal_always_float64(w, n, D, p, q=None):
    q = p if q is None else q
    i, j, s, t = _grid(n, D, p, q)
    return _place(np.asarray(w, dtype=np.float64).reshape(s, t), i, j, s, t, i // s == j // t)


@candidate(
    "duplicated_diagonal_padding", mistake="COO built without a shape: empty trailing rows or columns dropped"
)
def diagonal_shape_inferred(w, n, D, p, q=None):
    q = p if q is None else q
    w = _as_float(w)
    s, t = n // p, D // q
    a, b = np.divmod(np.arange(s * t), t)
    rows = np.concatenate([k * s + a for k in range(min(p, q))])
    cols = np.concatenate([k * t + b for k in range(min(p, q))])
    return sp.coo_array((np.tile(w, min(p, q)), (rows, cols)))


@candidate("duplicated_diagonal_padding", mistake="q defaults to 1 instead of p")
def diagonal_q_default_one(w, n, D, p, q=1):
    i, j, s, t = _grid(n, D, p, q)
    return _place(_as_float(w).reshape(s, t), i, j, s, t, i // s == j // t)


@candidate(
    "duplicated_diagonal_padding",
    mistake="sparse COO from a dense np.kron(eye, W): stores the nan that 0 * inf makes",
    diagnoses="zero_times_w",
    options={"nonfinite": True},
)
def diagonal_sparse_from_kron(w, n, D, p, q=None):
    q = p if q is None else q
    w = _as_float(w)
    return sp.coo_array(np.kron(np.eye(p, q, dtype=w.dtype), w.reshape(n // p, D // q)))
