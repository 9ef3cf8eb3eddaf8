"""Correct dual_lphm, in varied styles and summation orders."""

from __future__ import annotations

import numpy as np
import torch

from tests.oracle_corpus import candidate


def _as_float(w):
    w = np.asarray(w).reshape(-1)
    return w if np.issubdtype(w.dtype, np.inexact) else w.astype(np.float64)


def _factors(w, n, D, p, q, r):
    """P, Q, S, T read row-major from the four segments of ``w``."""
    s, t = n // p, D // q
    sizes = np.cumsum([p * r, q * r, s * r])
    P, Q, S, T = np.split(_as_float(w), sizes)
    return P.reshape(p, r), Q.reshape(q, r), S.reshape(s, r), T.reshape(t, r)


@candidate("dual_lphm")
def lphm_loops(w, n, D, p, q, r):
    P, Q, S, T = _factors(w, n, D, p, q, r)
    s, t = n // p, D // q
    out = np.empty((n, D), dtype=P.dtype)
    for i in range(n):
        for j in range(D):
            a = P.dtype.type(0)
            b = P.dtype.type(0)
            for k in range(r):
                a += P[i // s, k] * Q[j // t, k]
                b += S[i % s, k] * T[j % t, k]
            out[i, j] = a * b
    return out


@candidate("dual_lphm")
def lphm_kron(w, n, D, p, q, r):
    P, Q, S, T = _factors(w, n, D, p, q, r)
    return np.kron(P @ Q.T, S @ T.T)


@candidate("dual_lphm")
def lphm_einsum(w, n, D, p, q, r):
    P, Q, S, T = _factors(w, n, D, p, q, r)
    A = np.einsum("ak,bk->ab", P, Q)
    B = np.einsum("ck,dk->cd", S, T)
    return np.einsum("ab,cd->acbd", A, B).reshape(n, D)


@candidate("dual_lphm")
def lphm_broadcast(w, n, D, p, q, r):
    P, Q, S, T = _factors(w, n, D, p, q, r)
    A = (P[:, None, :] * Q[None, :, :]).sum(axis=-1)
    B = (S[:, None, :] * T[None, :, :]).sum(axis=-1)
    return (A[:, None, :, None] * B[None, :, None, :]).reshape(n, D)


@candidate("dual_lphm")
def lphm_reversed_sum(w, n, D, p, q, r):
    """Rank terms summed from the last to the first."""
    P, Q, S, T = _factors(w, n, D, p, q, r)
    A = np.zeros((p, q), dtype=P.dtype)
    B = np.zeros((n // p, D // q), dtype=P.dtype)
    for k in reversed(range(r)):
        A = A + np.outer(P[:, k], Q[:, k])
        B = B + np.outer(S[:, k], T[:, k])
    return np.kron(A, B)


@candidate("dual_lphm")
def lphm_cumulative(w, n, D, p, q, r):
    """Rank terms summed by a running (cumulative) sum, the last partial sum kept."""
    P, Q, S, T = _factors(w, n, D, p, q, r)
    A = np.cumsum(P[:, None, :] * Q[None, :, :], axis=-1)[..., -1]
    B = np.cumsum(S[:, None, :] * T[None, :, :], axis=-1)[..., -1]
    return np.kron(A, B)


@candidate("dual_lphm")
def lphm_pairwise(w, n, D, p, q, r):
    """Rank terms summed pairwise (a tree), blocks placed by index arithmetic."""
    P, Q, S, T = _factors(w, n, D, p, q, r)

    def tree(terms):
        while len(terms) > 1:
            terms = [
                terms[i] + terms[i + 1] if i + 1 < len(terms) else terms[i] for i in range(0, len(terms), 2)
            ]
        return terms[0]

    A = tree([np.outer(P[:, k], Q[:, k]) for k in range(r)])
    B = tree([np.outer(S[:, k], T[:, k]) for k in range(r)])
    i, j = np.ogrid[:n, :D]
    s, t = B.shape
    return A[i // s, j // t] * B[i % s, j % t]


@candidate("dual_lphm")
def lphm_blocks(w, n, D, p, q, r):
    P, Q, S, T = _factors(w, n, D, p, q, r)
    A, B = P @ Q.T, S @ T.T
    s, t = B.shape
    out = np.empty((n, D), dtype=B.dtype)
    for a in range(p):
        for b in range(q):
            out[a * s : (a + 1) * s, b * t : (b + 1) * t] = A[a, b] * B
    return out


@candidate("dual_lphm")
def lphm_torch(w, n, D, p, q, r):
    v = torch.as_tensor(np.asarray(w)).reshape(-1)
    if not v.dtype.is_floating_point:
        v = v.to(torch.float64)
    s, t = n // p, D // q
    P, Q, S, T = torch.split(v, [p * r, q * r, s * r, t * r])
    return torch.kron(P.reshape(p, r) @ Q.reshape(q, r).T, S.reshape(s, r) @ T.reshape(t, r).T)


@candidate("dual_lphm")
def lphm_torch_float32_accumulate(w, n, D, p, q, r):
    """PyTorch, products accumulated one rank term at a time with addcmul."""
    v = torch.as_tensor(np.asarray(w)).reshape(-1)
    if not v.dtype.is_floating_point:
        v = v.to(torch.float64)
    s, t = n // p, D // q
    P, Q, S, T = (x.reshape(-1, r) for x in torch.split(v, [p * r, q * r, s * r, t * r]))
    A = torch.zeros((p, q), dtype=v.dtype)
    B = torch.zeros((s, t), dtype=v.dtype)
    for k in range(r):
        A = torch.addcmul(A, P[:, k : k + 1], Q[:, k][None, :])
        B = torch.addcmul(B, S[:, k : k + 1], T[:, k][None, :])
    return (A[:, None, :, None] * B[None, :, None, :]).reshape(n, D)


@candidate("dual_lphm")
class LphmReconciliation:
    """tinybig style: constructed with p, q, r; ``forward(n, D, w)`` insists on ``w`` of shape (1, l)."""

    def __init__(self, p, q=None, r=2, **kwargs):
        self.p, self.q, self.r = p, (p if q is None else q), r

    def calculate_l(self, n, D):
        return self.r * (self.p + self.q + n // self.p + D // self.q)

    def forward(self, n, D, w, device="cpu", *args, **kwargs):
        assert w.ndim == 2 and w.shape == (1, self.calculate_l(n, D))
        P, Q, S, T = _factors(w, n, D, self.p, self.q, self.r)
        return np.kron(np.matmul(P, Q.T), np.matmul(S, T.T))

    __call__ = forward
