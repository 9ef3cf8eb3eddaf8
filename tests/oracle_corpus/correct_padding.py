"""Correct duplicated padding and duplicated diagonal padding, in varied styles."""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
import torch

from tests.oracle_corpus import candidate


def _as_float(w):
    """``w`` flattened to (l,), integers and bools promoted to float64 (a copy, never a view)."""
    w = np.array(w).reshape(-1)
    if not np.issubdtype(w.dtype, np.inexact):
        w = w.astype(np.float64)
    return w


def _torch_float(w):
    t = torch.as_tensor(np.asarray(w)).reshape(-1)
    if not (t.dtype.is_floating_point or t.dtype.is_complex):
        t = t.to(torch.float64)
    return t


# ----------------------------------------------------------------- duplicated padding


@candidate("duplicated_padding")
def padding_loops(w, n, D, p, q=None):
    q = p if q is None else q
    w = _as_float(w)
    s, t = n // p, D // q
    out = np.empty((n, D), dtype=w.dtype)
    for i in range(n):
        for j in range(D):
            out[i, j] = w[(i % s) * t + j % t]
    return out


@candidate("duplicated_padding")
def padding_kron_ones(w, n, D, p, q):
    w = _as_float(w)
    return np.kron(np.ones((p, q), dtype=w.dtype), w.reshape(n // p, D // q))


@candidate("duplicated_padding")
def padding_tile(w, n, D, p, q=None):
    q = p if q is None else q
    return np.tile(_as_float(w).reshape(n // p, D // q), (p, q))


@candidate("duplicated_padding")
def padding_tile_transposed_twice(w, n, D, p, q=None):
    q = p if q is None else q
    W = _as_float(w).reshape(n // p, D // q)
    return np.ascontiguousarray(np.tile(W.T, (q, p)).T)


@candidate("duplicated_padding")
def padding_block(w, n, D, p, q=None):
    q = p if q is None else q
    W = _as_float(w).reshape(n // p, D // q)
    return np.block([[W for _ in range(q)] for _ in range(p)])


@candidate("duplicated_padding")
def padding_broadcast(w, n, D, p, q=None):
    q = p if q is None else q
    s, t = n // p, D // q
    W = _as_float(w).reshape(1, s, 1, t)
    return np.broadcast_to(W, (p, s, q, t)).reshape(n, D)


@candidate("duplicated_padding")
def padding_fancy_index(w, n, D, p, q=None):
    q = p if q is None else q
    W = _as_float(w).reshape(n // p, D // q)
    return W[np.arange(n)[:, None] % W.shape[0], np.arange(D)[None, :] % W.shape[1]]


@candidate("duplicated_padding")
def padding_torch_repeat(w, n, D, p, q=None):
    q = p if q is None else q
    return _torch_float(w).reshape(n // p, D // q).repeat(p, q)


@candidate("duplicated_padding")
def padding_torch_einsum(w, n, D, p, q=None):
    q = p if q is None else q
    W = _torch_float(w).reshape(n // p, D // q)
    ones = torch.ones((p, q), dtype=W.dtype)
    return torch.einsum("ij,ab->iajb", ones, W).reshape(n, D)


@candidate("duplicated_padding")
class PaddingRowVector:
    """tinybig style: constructed with the grid; ``forward`` insists on ``w`` of shape (1, l)."""

    def __init__(self, p, q=None, **kwargs):
        self.p, self.q = p, (p if q is None else q)

    def calculate_l(self, n, D):
        return (n // self.p) * (D // self.q)

    def forward(self, n, D, w, device="cpu", *args, **kwargs):
        assert w.ndim == 2 and w.shape[0] == 1 and w.shape[1] == self.calculate_l(n, D)
        W = _as_float(w).reshape(n // self.p, D // self.q)
        return np.concatenate([np.concatenate([W] * self.q, axis=1)] * self.p, axis=0)

    __call__ = forward


# ---------------------------------------------------------- duplicated diagonal padding


@candidate("duplicated_diagonal_padding")
def diagonal_loops(w, n, D, p, q=None):
    q = p if q is None else q
    w = _as_float(w)
    s, t = n // p, D // q
    out = np.zeros((n, D), dtype=w.dtype)
    for i in range(n):
        for j in range(D):
            if i // s == j // t:
                out[i, j] = w[(i % s) * t + j % t]
    return out


@candidate("duplicated_diagonal_padding")
def diagonal_slices(w, n, D, p, q=None):
    q = p if q is None else q
    s, t = n // p, D // q
    W = _as_float(w).reshape(s, t)
    out = np.zeros((n, D), dtype=W.dtype)
    for b in range(min(p, q)):
        out[b * s : (b + 1) * s, b * t : (b + 1) * t] = W
    return out


@candidate("duplicated_diagonal_padding")
def diagonal_where(w, n, D, p, q=None):
    q = p if q is None else q
    s, t = n // p, D // q
    W = _as_float(w).reshape(s, t)
    i, j = np.ogrid[:n, :D]
    return np.where(i // s == j // t, np.tile(W, (p, q)), W.dtype.type(0))


@candidate("duplicated_diagonal_padding")
def diagonal_scipy_kron(w, n, D, p, q=None):
    q = p if q is None else q
    W = sp.coo_array(_as_float(w).reshape(n // p, D // q))
    return sp.kron(sp.eye_array(p, q, dtype=W.dtype), W, format="csr")


@candidate("duplicated_diagonal_padding")
def diagonal_hand_coo(w, n, D, p, q):
    w = _as_float(w)
    s, t = n // p, D // q
    a, b = np.divmod(np.arange(s * t), t)
    blocks = np.arange(min(p, q))
    rows = (blocks[:, None] * s + a[None, :]).ravel()
    cols = (blocks[:, None] * t + b[None, :]).ravel()
    data = np.tile(w, min(p, q))
    return sp.coo_array((data, (rows, cols)), shape=(n, D))


@candidate("duplicated_diagonal_padding")
def diagonal_bsr(w, n, D, p, q=None):
    q = p if q is None else q
    s, t = n // p, D // q
    k = min(p, q)
    W = _as_float(w).reshape(s, t)
    data = np.broadcast_to(W, (k, s, t)).copy()
    indptr = np.concatenate([np.arange(k + 1), np.full(p - k, k)])
    return sp.bsr_array((data, np.arange(k), indptr), shape=(n, D), blocksize=(s, t))


@candidate("duplicated_diagonal_padding")
def diagonal_csr_matrix(w, n, D, p, q=None):
    q = p if q is None else q
    w = _as_float(w)
    s, t = n // p, D // q
    indices, data, indptr = [], [], [0]
    for i in range(n):
        block = i // s
        if block < q:
            indices.extend(range(block * t, (block + 1) * t))
            data.extend(w[(i % s) * t : (i % s + 1) * t])
        indptr.append(len(indices))
    return sp.csr_matrix(
        (np.array(data, dtype=w.dtype), np.array(indices, dtype=np.int64), indptr), shape=(n, D)
    )


@candidate("duplicated_diagonal_padding")
def diagonal_torch_coo(w, n, D, p, q=None):
    q = p if q is None else q
    v = _torch_float(w)
    s, t = n // p, D // q
    k = min(p, q)
    a = torch.arange(s * t)
    blocks = torch.arange(k)[:, None]
    rows = (blocks * s + a // t).reshape(-1)
    cols = (blocks * t + a % t).reshape(-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.sparse_coo_tensor(torch.stack([rows, cols]), v.repeat(k), (n, D)).coalesce()


@candidate("duplicated_diagonal_padding")
def diagonal_torch_csr(w, n, D, p, q=None):
    q = p if q is None else q
    v = _torch_float(w)
    s, t = n // p, D // q
    k = min(p, q)
    counts = torch.tensor([t if i // s < k else 0 for i in range(n)], dtype=torch.int64)
    crow = torch.cat([torch.zeros(1, dtype=torch.int64), torch.cumsum(counts, 0)])
    col = torch.cat([torch.arange(b * t, (b + 1) * t) for b in range(k) for _ in range(s)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.sparse_csr_tensor(crow, col, v.repeat(k), (n, D))


@candidate("duplicated_diagonal_padding")
def diagonal_torch_dense(w, n, D, p, q=None):
    q = p if q is None else q
    W = _torch_float(w).reshape(n // p, D // q)
    return torch.block_diag(
        *[W] * min(p, q), torch.zeros((n - min(p, q) * W.shape[0], D - min(p, q) * W.shape[1]), dtype=W.dtype)
    )


@candidate("duplicated_diagonal_padding")
class DiagonalReconciliation:
    """tinybig style with a sparse format; ``forward`` insists on ``w`` of shape (1, l)."""

    def __init__(self, p, q=None, format="csr", **kwargs):
        self.p, self.q, self.format = p, (p if q is None else q), format

    def calculate_l(self, n, D):
        return (n // self.p) * (D // self.q)

    def forward(self, n, D, w, device="cpu", *args, **kwargs):
        assert w.ndim == 2 and w.shape[0] == 1 and w.shape[1] == self.calculate_l(n, D)
        W = _as_float(w).reshape(n // self.p, D // self.q)
        k = min(self.p, self.q)
        out = sp.coo_array(sp.block_diag([sp.csr_array(W)] * k, format="coo"))
        return sp.coo_array((out.data, (out.row, out.col)), shape=(n, D)).asformat(self.format)

    __call__ = forward
