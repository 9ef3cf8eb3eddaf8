"""A faithful implementation of the five functions, written from SPEC: the source of the mutants.

Index arithmetic is spelled out (``//``, ``%``, offsets) so that ``make_mutants`` has small edits
to make. These five are correct candidates of the corpus too.
"""

from __future__ import annotations

import numpy as np

from tests.oracle_corpus import candidate


def _floating(*arrays):
    """The floating dtypes among ``arrays`` combined; float64 when there is none (SPEC's promotion)."""
    kinds = [a.dtype for a in arrays if np.issubdtype(a.dtype, np.inexact)]
    if kinds:
        return np.result_type(*kinds)
    return np.dtype(np.float64)


@candidate("duplicated_padding")
def duplicated_padding(w, n, D, p, q=None):
    if q is None:
        q = p
    w = np.asarray(w)
    w = w.reshape(-1).astype(_floating(w))
    s = n // p
    t = D // q
    i = np.arange(n).reshape(n, 1)
    j = np.arange(D).reshape(1, D)
    return w[(i % s) * t + (j % t)]


@candidate("duplicated_diagonal_padding")
def duplicated_diagonal_padding(w, n, D, p, q=None):
    if q is None:
        q = p
    w = np.asarray(w)
    w = w.reshape(-1).astype(_floating(w))
    s = n // p
    t = D // q
    i = np.arange(n).reshape(n, 1)
    j = np.arange(D).reshape(1, D)
    index = np.broadcast_to((i % s) * t + (j % t), (n, D))
    inside = np.broadcast_to((i // s) == (j // t), (n, D))
    out = np.zeros((n, D), dtype=w.dtype)
    out[inside] = w[index[inside]]
    return out


@candidate("dual_lphm")
def dual_lphm(w, n, D, p, q, r):
    w = np.asarray(w)
    w = w.reshape(-1).astype(_floating(w))
    s = n // p
    t = D // q
    o1 = p * r
    o2 = o1 + q * r
    o3 = o2 + s * r
    P = w[0:o1].reshape(p, r)
    Q = w[o1:o2].reshape(q, r)
    S = w[o2:o3].reshape(s, r)
    T = w[o3 : o3 + t * r].reshape(t, r)
    A = P @ Q.T
    B = S @ T.T
    i = np.arange(n).reshape(n, 1)
    j = np.arange(D).reshape(1, D)
    return A[i // s, j // t] * B[i % s, j % t]


@candidate("dual_lphm_fusion")
def dual_lphm_fusion(inputs, w, *, p, q=None, r, n=None):
    arrays = [np.asarray(a) for a in inputs]
    w = np.asarray(w)
    dtype = _floating(w, *arrays)
    if q is None:
        q = p
    if n is None:
        n = arrays[0].shape[-1]
    X = np.concatenate([a.astype(dtype) for a in arrays], axis=-1)
    N = X.shape[-1]
    W = dual_lphm(w.astype(dtype), N, n, p, q, r)
    return X @ W


@candidate("concatenation_fusion")
def concatenation_fusion(inputs, w, *, n=None):
    arrays = [np.asarray(a) for a in inputs]
    w = np.asarray(w)
    dtype = _floating(w, *arrays)
    if n is None:
        n = arrays[0].shape[-1]
    X = np.concatenate([a.astype(dtype) for a in arrays], axis=-1)
    N = X.shape[-1]
    rows = np.arange(N).reshape(N, 1)
    cols = np.arange(n).reshape(1, n)
    W = w.reshape(-1).astype(dtype)[rows * n + cols]
    return X @ W
