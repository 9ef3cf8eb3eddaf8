"""Correct candidates for the clauses of a check: PyTorch code written the usual ways.

The functions here take and return PyTorch tensors throughout (none converts to NumPy), as a
PyTorch user writes them, so a check finds their array library itself. Those of "Why" bullet 1
keep an integer ``w`` integer (``W.repeat``, blocks in ``torch.zeros(..., dtype=w.dtype)``,
``P @ Q.T``): correct on every clause a default check judges, which does not include integer
``w``. The tinybig-style classes (bullet 2) are ``torch.nn.Module`` layers that insist on ``w``
of shape ``(1, l)`` and compute with ``torch.kron``; they promote an integer ``w`` to PyTorch's
default floating dtype. The last two (bullet 6) promote integer ``w`` and are judged with
integer ``w``.
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from tests.oracle_corpus import candidate


def _torch_floating(w: torch.Tensor) -> torch.Tensor:
    """``w`` as it is when floating or complex, else in PyTorch's default floating dtype."""
    if w.is_floating_point() or w.is_complex():
        return w
    return w.to(torch.get_default_dtype())


# ------------------------------------------------- bullet 1: PyTorch written the usual ways


@candidate("duplicated_padding")
def padding_torch_native_repeat(
    w: torch.Tensor, n: int, D: int, p: int, q: int | None = None
) -> torch.Tensor:
    """Bullet 1: ``W.repeat(p, q)`` on a tensor ``w``; integer ``w`` stays integer."""
    q = p if q is None else q
    return w.reshape(n // p, D // q).repeat(p, q)


@candidate("duplicated_diagonal_padding")
def diagonal_torch_native_blocks(
    w: torch.Tensor, n: int, D: int, p: int, q: int | None = None
) -> torch.Tensor:
    """Bullet 1: blocks assigned into ``torch.zeros(n, D, dtype=w.dtype)``; integer ``w`` stays integer."""
    q = p if q is None else q
    s, t = n // p, D // q
    W = w.reshape(s, t)
    out = torch.zeros(n, D, dtype=w.dtype, device=w.device)
    for b in range(min(p, q)):
        out[b * s : (b + 1) * s, b * t : (b + 1) * t] = W
    return out


@candidate("dual_lphm")
def lphm_torch_native_factors(w: torch.Tensor, n: int, D: int, p: int, q: int | None, r: int) -> torch.Tensor:
    """Bullet 1: ``P @ Q.T`` and ``S @ T.T`` on factors cut with ``torch.split``; integer ``w`` stays integer."""
    q = p if q is None else q
    s, t = n // p, D // q
    P, Q, S, T = torch.split(w.reshape(-1), [p * r, q * r, s * r, t * r])
    return torch.kron(P.reshape(p, r) @ Q.reshape(q, r).T, S.reshape(s, r) @ T.reshape(t, r).T)


@candidate("dual_lphm_fusion", options={"grad": True})
def fusion_torch_autograd(inputs, w, *, p, q=None, r, n=None):
    """Bullet 1: written for autograd (no in-place writes, no NumPy), the weight never built.

    ``out[..., b*t + d] = sum_{a, c} X[..., a*s + c] (P Q^T)[a, b] (S T^T)[c, d]`` in one einsum;
    the dtype is the promotion of every input's and ``w``'s.
    """
    dtype = functools.reduce(torch.promote_types, [a.dtype for a in inputs], w.dtype)
    X = torch.cat([a.to(dtype) for a in inputs], dim=-1)
    q = p if q is None else q
    n = inputs[0].shape[-1] if n is None else n
    N = X.shape[-1]
    s, t = N // p, n // q
    P, Q, S, T = (
        f.reshape(-1, r) for f in torch.split(w.reshape(-1).to(dtype), [p * r, q * r, s * r, t * r])
    )
    blocks = X.reshape(*X.shape[:-1], p, s)
    out = torch.einsum("...ac,ab,cd->...bd", blocks, P @ Q.T, S @ T.T)
    return out.reshape(*X.shape[:-1], n)


# -------------------------------------------------- bullet 2: tinybig-style PyTorch layers


@candidate("dual_lphm")
class LphmTorchReconciliation(torch.nn.Module):
    """Bullet 2: tinybig-style Dual-LPHM layer; ``forward(n, D, w)`` asserts ``w`` of shape (1, l)."""

    def __init__(self, p, q=None, r=2, **kwargs):
        super().__init__()
        self.p, self.q, self.r = p, (p if q is None else q), r

    def calculate_l(self, n, D):
        return self.r * (self.p + self.q + n // self.p + D // self.q)

    def forward(self, n, D, w, device="cpu", *args, **kwargs):
        assert w.ndim == 2 and w.shape[0] == 1 and w.shape[1] == self.calculate_l(n, D)
        p, q, r = self.p, self.q, self.r
        s, t = n // p, D // q
        P, Q, S, T = torch.split(_torch_floating(w).reshape(-1), [p * r, q * r, s * r, t * r])
        A = torch.matmul(P.reshape(p, r), Q.reshape(q, r).t())
        B = torch.matmul(S.reshape(s, r), T.reshape(t, r).t())
        return torch.kron(A, B)


@candidate("duplicated_diagonal_padding")
class DiagonalTorchReconciliation(torch.nn.Module):
    """Bullet 2: tinybig-style duplicated diagonal padding; the block mask is a ``torch.kron`` of
    booleans, and ``W`` is selected into it (never multiplied by 0, so ``inf`` stays ``inf``)."""

    def __init__(self, p, q=None, **kwargs):
        super().__init__()
        self.p, self.q = p, (p if q is None else q)

    def calculate_l(self, n, D):
        return (n // self.p) * (D // self.q)

    def forward(self, n, D, w, device="cpu", *args, **kwargs):
        assert w.ndim == 2 and w.shape[0] == 1 and w.shape[1] == self.calculate_l(n, D)
        s, t = n // self.p, D // self.q
        W = _torch_floating(w).reshape(s, t)
        eye = torch.eye(self.p, self.q, dtype=torch.bool, device=W.device)
        mask = torch.kron(eye, torch.ones(s, t, dtype=torch.bool, device=W.device))
        return torch.where(mask, W.repeat(self.p, self.q), torch.zeros((), dtype=W.dtype, device=W.device))


# ------------------------------------------------ bullet 6: integer w promoted, judged when asked


@candidate("dual_lphm", options={"dtypes": ("float64", "int64")})
def lphm_promotes_integer_w(w, n, D, p, q, r):
    """Bullet 6: NumPy, an integer ``w`` promoted to float64 before anything is computed."""
    q = p if q is None else q
    w = np.asarray(w).reshape(-1)
    if not np.issubdtype(w.dtype, np.inexact):
        w = w.astype(np.float64)
    s, t = n // p, D // q
    P, Q, S, T = np.split(w, np.cumsum([p * r, q * r, s * r]))
    return np.kron(P.reshape(p, r) @ Q.reshape(q, r).T, S.reshape(s, r) @ T.reshape(t, r).T)


@candidate("duplicated_padding", options={"dtypes": ("float64", "int64")})
def padding_torch_promotes_integer_w(
    w: torch.Tensor, n: int, D: int, p: int, q: int | None = None
) -> torch.Tensor:
    """Bullet 6: PyTorch, an integer ``w`` promoted to PyTorch's default floating dtype, then repeated."""
    q = p if q is None else q
    return _torch_floating(w).reshape(n // p, D // q).repeat(p, q)
