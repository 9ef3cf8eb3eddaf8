"""Correct dual_lphm_fusion and concatenation_fusion, in varied styles."""

from __future__ import annotations

import numpy as np
import torch

from tests.oracle_corpus import candidate


def _dtype(*arrays):
    """SPEC's promotion: the floating dtypes present, combined; float64 when there are none."""
    floats = [a.dtype for a in arrays if np.issubdtype(a.dtype, np.inexact)]
    return np.result_type(*floats) if floats else np.dtype(np.float64)


def _prepare(inputs, w):
    arrays = [np.asarray(a) for a in inputs]
    w = np.asarray(w).reshape(-1)
    dtype = _dtype(w, *arrays)
    return [a.astype(dtype, copy=False) for a in arrays], w.astype(dtype, copy=False)


def _lphm_weight(w, N, n, p, q, r):
    s, t = N // p, n // q
    P, Q, S, T = np.split(w, np.cumsum([p * r, q * r, s * r]))
    return np.kron(P.reshape(p, r) @ Q.reshape(q, r).T, S.reshape(s, r) @ T.reshape(t, r).T)


# ------------------------------------------------------------------ dual_lphm_fusion


@candidate("dual_lphm_fusion")
def fusion_materialised(inputs, w, *, p, q=None, r, n=None):
    arrays, w = _prepare(inputs, w)
    q = p if q is None else q
    n = arrays[0].shape[-1] if n is None else n
    X = np.concatenate(arrays, axis=-1)
    return X @ _lphm_weight(w, X.shape[-1], n, p, q, r)


@candidate("dual_lphm_fusion")
def fusion_factored(inputs, w, *, p, q=None, r, n=None):
    """Never builds the weight: contracts with S T^T inside each block, then with P Q^T."""
    arrays, w = _prepare(inputs, w)
    q = p if q is None else q
    n = arrays[0].shape[-1] if n is None else n
    X = np.concatenate(arrays, axis=-1)
    N = X.shape[-1]
    s, t = N // p, n // q
    P, Q, S, T = (x.reshape(-1, r) for x in np.split(w, np.cumsum([p * r, q * r, s * r])))
    Xb = X.reshape(X.shape[:-1] + (p, s))
    Y = Xb @ (S @ T.T)  # (..., m, p, t)
    Z = np.swapaxes(Y, -1, -2) @ (P @ Q.T)  # (..., m, t, q)
    return np.swapaxes(Z, -1, -2).reshape(X.shape[:-1] + (n,))


@candidate("dual_lphm_fusion")
def fusion_blockwise_inputs(inputs, w, *, p, q=None, r, n=None):
    """Sums A_i @ W[rows of input i] instead of concatenating."""
    arrays, w = _prepare(inputs, w)
    q = p if q is None else q
    n = arrays[0].shape[-1] if n is None else n
    N = sum(a.shape[-1] for a in arrays)
    W = _lphm_weight(w, N, n, p, q, r)
    out = np.zeros(arrays[0].shape[:-1] + (n,), dtype=W.dtype)
    start = 0
    for a in arrays:
        out = out + a @ W[start : start + a.shape[-1]]
        start += a.shape[-1]
    return out


@candidate("dual_lphm_fusion")
def fusion_torch(inputs, w, *, p, q=None, r, n=None):
    arrays, w = _prepare(inputs, w)
    q = p if q is None else q
    n = arrays[0].shape[-1] if n is None else n
    X = torch.cat([torch.as_tensor(a) for a in arrays], dim=-1)
    N = X.shape[-1]
    s, t = N // p, n // q
    P, Q, S, T = torch.split(torch.as_tensor(w), [p * r, q * r, s * r, t * r])
    W = torch.kron(P.reshape(p, r) @ Q.reshape(q, r).T, S.reshape(s, r) @ T.reshape(t, r).T)
    return X @ W


@candidate("dual_lphm_fusion")
def fusion_einsum(inputs, w, *, p, q=None, r, n=None):
    arrays, w = _prepare(inputs, w)
    q = p if q is None else q
    n = arrays[0].shape[-1] if n is None else n
    X = np.concatenate(arrays, axis=-1)
    N = X.shape[-1]
    s, t = N // p, n // q
    P, Q, S, T = (x.reshape(-1, r) for x in np.split(w, np.cumsum([p * r, q * r, s * r])))
    W = np.einsum("ab,cd->acbd", np.einsum("ak,bk->ab", P, Q), np.einsum("ck,dk->cd", S, T)).reshape(N, n)
    return np.einsum("...mi,ij->...mj", X, W)


@candidate("dual_lphm_fusion")
def fusion_row_loop(inputs, w, *, p, q=None, r, n=None):
    """One row at a time, with a dot product per output entry."""
    arrays, w = _prepare(inputs, w)
    q = p if q is None else q
    n = arrays[0].shape[-1] if n is None else n
    X = np.concatenate(arrays, axis=-1)
    N = X.shape[-1]
    W = _lphm_weight(w, N, n, p, q, r)
    rows = X.reshape(-1, N)
    out = np.empty((rows.shape[0], n), dtype=W.dtype)
    for i in range(rows.shape[0]):
        for j in range(n):
            out[i, j] = np.dot(rows[i], W[:, j])
    return out.reshape(X.shape[:-1] + (n,))


@candidate("dual_lphm_fusion")
class LphmFusion:
    """tinybig style: constructed with the widths; ``forward(x, w)`` with ``w`` of shape (1, l)."""

    def __init__(self, r, p, q=None, n=None, dims=None, **kwargs):
        self.r, self.p, self.q, self.dims = r, p, (p if q is None else q), list(dims)
        self.n = self.dims[0] if n is None else n

    def calculate_l(self):
        N = sum(self.dims)
        return self.r * (self.p + self.q + N // self.p + self.n // self.q)

    def forward(self, x, w, device="cpu", *args, **kwargs):
        assert w.ndim == 2 and w.shape == (1, self.calculate_l())
        arrays, w = _prepare(x, w)
        X = np.concatenate(arrays, axis=-1)
        return np.matmul(X, _lphm_weight(w, sum(self.dims), self.n, self.p, self.q, self.r))

    __call__ = forward


# -------------------------------------------------------------- concatenation_fusion


@candidate("concatenation_fusion")
def concat_matmul(inputs, w, *, n=None):
    arrays, w = _prepare(inputs, w)
    n = arrays[0].shape[-1] if n is None else n
    X = np.concatenate(arrays, axis=-1)
    return X @ w.reshape(X.shape[-1], n)


@candidate("concatenation_fusion")
def concat_blockwise(inputs, w, *, n=None):
    arrays, w = _prepare(inputs, w)
    n = arrays[0].shape[-1] if n is None else n
    W = w.reshape(-1, n)
    out, start = None, 0
    for a in arrays:
        term = a @ W[start : start + a.shape[-1]]
        out = term if out is None else out + term
        start += a.shape[-1]
    return out


@candidate("concatenation_fusion")
def concat_einsum(inputs, w, *, n=None):
    arrays, w = _prepare(inputs, w)
    n = arrays[0].shape[-1] if n is None else n
    X = np.concatenate(arrays, axis=-1)
    return np.einsum("...i,ij->...j", X, w.reshape(X.shape[-1], n))


@candidate("concatenation_fusion")
def concat_torch(inputs, w, *, n=None):
    arrays, w = _prepare(inputs, w)
    n = arrays[0].shape[-1] if n is None else n
    X = torch.cat([torch.as_tensor(a) for a in arrays], dim=-1)
    return torch.matmul(X, torch.as_tensor(w).reshape(X.shape[-1], n))


@candidate("concatenation_fusion")
def concat_loops(inputs, w, *, n=None):
    arrays, w = _prepare(inputs, w)
    n = arrays[0].shape[-1] if n is None else n
    X = np.concatenate(arrays, axis=-1)
    N = X.shape[-1]
    rows = X.reshape(-1, N)
    out = np.zeros((rows.shape[0], n), dtype=w.dtype)
    for i in range(rows.shape[0]):
        for j in range(n):
            acc = w.dtype.type(0)
            for k in range(N):
                acc += rows[i, k] * w[k * n + j]
            out[i, j] = acc
    return out.reshape(X.shape[:-1] + (n,))


@candidate("concatenation_fusion")
class ConcatFusion:
    """tinybig style: constructed with the widths; ``forward(x, w)`` with ``w`` of shape (1, l)."""

    def __init__(self, n=None, dims=None, **kwargs):
        self.dims = list(dims)
        self.n = self.dims[0] if n is None else n

    def calculate_l(self):
        return sum(self.dims) * self.n

    def forward(self, x, w, device="cpu", *args, **kwargs):
        assert w.shape == (1, self.calculate_l())
        arrays, w = _prepare(x, w)
        return np.concatenate(arrays, axis=-1) @ w.reshape(sum(self.dims), self.n)

    __call__ = forward
