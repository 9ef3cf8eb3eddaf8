"""Wrong candidates that show only on one clause's inputs, and outputs that are no array.

Each is right on ordinary inputs (C-ordered float64 or float32 arrays of one dtype, a few rows,
finite values, a fresh call) and wrong on the inputs of one clause of SPEC: a memory layout
(strided ``w``, Fortran-ordered inputs), zero rows, mixed dtypes across ``w`` and the inputs, an
instance or a result used again after later calls, one call in fifty, non-finite inputs, integer
``w``; or its output is not an array at all. Those wrong only on a clause a default check does
not judge (non-finite inputs, integer ``w``) carry the option that turns the clause on. Each
candidate's docstring names the "Why" bullet of the issue "The oracle's verdict, clause by
clause" it covers.
"""

from __future__ import annotations

import itertools
import json
from fractions import Fraction

import numpy as np
import scipy.sparse as sp
import torch

from tests.oracle_corpus import candidate


def _as_float(w):
    w = np.asarray(w).reshape(-1)
    return w if np.issubdtype(w.dtype, np.inexact) else w.astype(np.float64)


def _dtype(*arrays):
    """SPEC's promotion: the floating dtypes present, combined; float64 when there are none."""
    floats = [a.dtype for a in arrays if np.issubdtype(a.dtype, np.inexact)]
    return np.result_type(*floats) if floats else np.dtype(np.float64)


def _prepare(inputs, w):
    """Inputs and flat ``w`` in their promoted dtype, each keeping its memory layout."""
    arrays = [np.asarray(a) for a in inputs]
    w = np.asarray(w).reshape(-1)
    dtype = _dtype(w, *arrays)
    return [a.astype(dtype, copy=False) for a in arrays], w.astype(dtype, copy=False)


def _lphm(w, n, D, p, q, r):
    s, t = n // p, D // q
    P, Q, S, T = np.split(w, np.cumsum([p * r, q * r, s * r]))
    return np.kron(P.reshape(p, r) @ Q.reshape(q, r).T, S.reshape(s, r) @ T.reshape(t, r).T)


# ------------------------------------------------ bullet 2: a tinybig-style layer, layout mistakes


@candidate(
    "dual_lphm",
    mistake="tinybig-style PyTorch layer: Q and T read as (r, q), (r, t), and a flattened outer product "
    "in place of torch.kron",
    diagnoses=(
        "factor_transposed:QT+kron_as_reshaped_outer",
        "factor_transposed:Q+factor_transposed:T+kron_as_reshaped_outer",
    ),
)
class LphmTorchReconciliationMisread(torch.nn.Module):
    """Bullet 2: the correct layer of ``correct_clauses`` with a planted layout mistake."""

    def __init__(self, p, q=None, r=2, **kwargs):
        super().__init__()
        self.p, self.q, self.r = p, (p if q is None else q), r

    def calculate_l(self, n, D):
        return self.r * (self.p + self.q + n // self.p + D // self.q)

    def forward(self, n, D, w, device="cpu", *args, **kwargs):
        assert w.ndim == 2 and w.shape[0] == 1 and w.shape[1] == self.calculate_l(n, D)
        p, q, r = self.p, self.q, self.r
        s, t = n // p, D // q
        if not (w.is_floating_point() or w.is_complex()):
            w = w.to(torch.get_default_dtype())
        P, Q, S, T = torch.split(w.reshape(-1), [p * r, q * r, s * r, t * r])
        A = torch.matmul(P.reshape(p, r), Q.reshape(r, q))
        B = torch.matmul(S.reshape(s, r), T.reshape(r, t))
        return torch.outer(A.reshape(-1), B.reshape(-1)).reshape(n, D)


# ------------------------------------------- bullet 3: README's formula typed in PyTorch


@candidate(
    "duplicated_diagonal_padding",
    mistake="torch.kron(torch.eye(p, q), W): 0 * inf gives nan off the diagonal blocks",
    diagnoses="zero_times_w",
    options={"nonfinite": True},
)
def diagonal_torch_kron_eye(w, n, D, p, q=None):
    """Bullet 3: a newcomer's PyTorch version of README's ``kron(eye(p, q), reshape(w, (s, t)))``."""
    q = p if q is None else q
    W = w.reshape(n // p, D // q)
    return torch.kron(torch.eye(p, q), W)


# ------------------------------------------------------- bullet 4: memory layout of w or inputs


@candidate(
    "duplicated_padding",
    mistake="np.frombuffer(w, dtype=w.dtype): raises on a strided (non-contiguous) w",
)
def padding_frombuffer(w, n, D, p, q=None):
    """Bullet 4: reads ``w``'s memory directly, assuming it is contiguous."""
    q = p if q is None else q
    flat = np.frombuffer(w, dtype=w.dtype)
    if not np.issubdtype(flat.dtype, np.inexact):
        flat = flat.astype(np.float64)
    return np.tile(flat.reshape(n // p, D // q), (p, q))


@candidate(
    "duplicated_diagonal_padding",
    mistake="np.ndarray(buffer=w): raises on a strided (non-contiguous) w",
)
def diagonal_ndarray_buffer(w, n, D, p, q=None):
    """Bullet 4: ``W`` as an ndarray over ``w``'s buffer, assuming it is contiguous."""
    q = p if q is None else q
    s, t = n // p, D // q
    W = np.ndarray((s, t), dtype=w.dtype, buffer=w)
    if not np.issubdtype(W.dtype, np.inexact):
        W = W.astype(np.float64)
    out = np.zeros((n, D), dtype=W.dtype)
    for b in range(min(p, q)):
        out[b * s : (b + 1) * s, b * t : (b + 1) * t] = W
    return out


@candidate(
    "dual_lphm_fusion",
    mistake='inputs flattened with ravel(order="K") into rows: a Fortran-ordered input is read column by column',
)
def fusion_ravel_k(inputs, w, *, p, q=None, r, n=None):
    """Bullet 4: each input cut into rows from its memory order, right only for C-ordered inputs."""
    arrays, w = _prepare(inputs, w)
    q = p if q is None else q
    n = arrays[0].shape[-1] if n is None else n
    lead = arrays[0].shape[:-1]
    rows = [a.ravel(order="K").reshape(-1, a.shape[-1]) for a in arrays]
    X = np.concatenate(rows, axis=-1)
    return (X @ _lphm(w, X.shape[-1], n, p, q, r)).reshape(lead + (n,))


# ---------------------------------------------------------------- bullet 4: mixed dtypes


@candidate(
    "dual_lphm_fusion",
    mistake="w cast to the inputs' dtype: float32 inputs with a float64 w give float32",
)
def fusion_dtype_of_inputs(inputs, w, *, p, q=None, r, n=None):
    """Bullet 4: the output dtype taken from the inputs alone."""
    X = np.concatenate([np.asarray(a) for a in inputs], axis=-1)
    w = np.asarray(w).reshape(-1).astype(X.dtype)
    q = p if q is None else q
    n = np.asarray(inputs[0]).shape[-1] if n is None else n
    return X @ _lphm(w, X.shape[-1], n, p, q, r)


@candidate(
    "concatenation_fusion",
    mistake="inputs cast to w's dtype: float64 inputs with a float32 w give float32",
)
def concat_dtype_of_w(inputs, w, *, n=None):
    """Bullet 4: the output dtype taken from ``w`` alone."""
    w = _as_float(w)
    X = np.concatenate([np.asarray(a) for a in inputs], axis=-1).astype(w.dtype)
    n = np.asarray(inputs[0]).shape[-1] if n is None else n
    return X @ w.reshape(X.shape[-1], n)


# ----------------------------------------------- bullet 4: instances and results used again


@candidate(
    "dual_lphm_fusion",
    mistake="tinybig-style layer that builds its weight on the first forward and keeps it: "
    "called again with a new w, it uses the first w",
)
class LphmFusionCachedWeight:
    """Bullet 4: a layer caching its matrix on the first ``forward``, whatever ``w`` comes next."""

    def __init__(self, r, p, q=None, n=None, dims=None, **kwargs):
        self.r, self.p, self.q, self.dims = r, p, (p if q is None else q), list(dims)
        self.n = self.dims[0] if n is None else n
        self.weight = None

    def calculate_l(self):
        return self.r * (self.p + self.q + sum(self.dims) // self.p + self.n // self.q)

    def forward(self, x, w, device="cpu", *args, **kwargs):
        assert w.ndim == 2 and w.shape == (1, self.calculate_l())
        arrays, w = _prepare(x, w)
        if self.weight is None:
            self.weight = _lphm(w, sum(self.dims), self.n, self.p, self.q, self.r)
        X = np.concatenate(arrays, axis=-1)
        return X @ self.weight.astype(X.dtype, copy=False)

    __call__ = forward


@candidate(
    "dual_lphm",
    mistake="tinybig-style layer that caches its matrix per (n, D): called again with a new w, "
    "it returns the first w's matrix",
)
class LphmCachedMatrix:
    """Bullet 4: a layer whose cache is keyed on the shape, not on ``w``."""

    def __init__(self, p, q=None, r=2, **kwargs):
        self.p, self.q, self.r = p, (p if q is None else q), r
        self.cache = {}

    def calculate_l(self, n, D):
        return self.r * (self.p + self.q + n // self.p + D // self.q)

    def forward(self, n, D, w, device="cpu", *args, **kwargs):
        assert w.ndim == 2 and w.shape == (1, self.calculate_l(n, D))
        w = _as_float(w)
        key = (n, D, w.dtype.str)
        if key not in self.cache:
            self.cache[key] = _lphm(w, n, D, self.p, self.q, self.r)
        return self.cache[key].copy()

    __call__ = forward


_workspace = {"buffer": bytearray()}


@candidate(
    "dual_lphm",
    mistake="returns a view of one module-level workspace: a later call overwrites an earlier result",
)
def lphm_shared_workspace(w, n, D, p, q, r):
    """Bullet 4: the output written into a preallocated module-level buffer, returned every call."""
    q = p if q is None else q
    w = _as_float(w)
    s, t = n // p, D // q
    P, Q, S, T = np.split(w, np.cumsum([p * r, q * r, s * r]))
    A = P.reshape(p, r) @ Q.reshape(q, r).T
    B = S.reshape(s, r) @ T.reshape(t, r).T
    need = n * D * w.itemsize
    if len(_workspace["buffer"]) < need:
        _workspace["buffer"] = bytearray(max(need, 2 * len(_workspace["buffer"])))
    out = np.frombuffer(_workspace["buffer"], dtype=w.dtype, count=n * D).reshape(n, D)
    np.multiply(A[:, None, :, None], B[None, :, None, :], out=out.reshape(p, s, q, t))
    return out


# ------------------------------------------------------------------ bullet 4: zero rows


@candidate(
    "concatenation_fusion",
    mistake="np.stack of the per-row results: raises on zero rows (m = 0)",
)
def concat_stack_rows(inputs, w, *, n=None):
    """Bullet 4: one row at a time, the rows stacked back."""
    arrays, w = _prepare(inputs, w)
    n = arrays[0].shape[-1] if n is None else n
    X = np.concatenate(arrays, axis=-1)
    W = w.reshape(X.shape[-1], n)
    out = np.stack([row @ W for row in X.reshape(-1, X.shape[-1])])
    return out.reshape(X.shape[:-1] + (n,))


@candidate(
    "dual_lphm_fusion",
    mistake="X rescaled by max(|X|) and the result scaled back: the max of zero rows raises (m = 0)",
)
def fusion_rescaled_by_max(inputs, w, *, p, q=None, r, n=None):
    """Bullet 4: the inputs scaled into [-1, 1] by a power of two (exact), the result scaled back."""
    arrays, w = _prepare(inputs, w)
    q = p if q is None else q
    n = arrays[0].shape[-1] if n is None else n
    X = np.concatenate(arrays, axis=-1)
    largest = np.max(np.abs(X))
    exponent = int(np.frexp(largest)[1]) if np.isfinite(largest) and largest > 0 else 0
    W = _lphm(w, X.shape[-1], n, p, q, r)
    return np.ldexp(np.ldexp(X, -exponent) @ W, exponent)


# ------------------------------------------------------------ bullet 4: one call in fifty

_calls = itertools.count(1)


@candidate(
    "duplicated_diagonal_padding",
    mistake="non-deterministic: a class-level call counter adds 1 to entry (0, D - 1) on every fiftieth "
    "non-empty call",
)
class DiagonalFlakyLayer:
    """Bullet 4: a tinybig-style layer, wrong on one call in fifty (counted across instances)."""

    def __init__(self, p, q=None, **kwargs):
        self.p, self.q = p, (p if q is None else q)

    def calculate_l(self, n, D):
        return (n // self.p) * (D // self.q)

    def forward(self, n, D, w, device="cpu", *args, **kwargs):
        assert w.ndim == 2 and w.shape == (1, self.calculate_l(n, D))
        s, t = n // self.p, D // self.q
        W = _as_float(w).reshape(s, t)
        out = np.zeros((n, D), dtype=W.dtype)
        for b in range(min(self.p, self.q)):
            out[b * s : (b + 1) * s, b * t : (b + 1) * t] = W
        if out.size and next(_calls) % 50 == 0:
            out[0, D - 1] += 1
        return out

    __call__ = forward


# --------------------------------------------- bullet 4: 0 * inf skipped by a sparse product


@candidate(
    "concatenation_fusion",
    mistake="X @ W with X as a SciPy sparse array: an exact zero of X times an inf or nan of w is "
    "skipped (0 instead of nan)",
    options={"nonfinite": True},
)
def concat_sparse_inputs(inputs, w, *, n=None):
    """Bullet 4: the joined inputs stored sparse to skip their zeros, which drops ``0 * inf``."""
    arrays, w = _prepare(inputs, w)
    n = arrays[0].shape[-1] if n is None else n
    X = np.concatenate(arrays, axis=-1)
    N = X.shape[-1]
    out = sp.csr_array(X.reshape(-1, N)) @ w.reshape(N, n)
    return np.asarray(out).reshape(X.shape[:-1] + (n,))


# -------------------------------------------------------- bullet 5: outputs that are no array


@candidate("concatenation_fusion", mistake="returns None: the result is computed, never returned")
def concat_forgets_return(inputs, w, *, n=None):
    """Bullet 5: ``None``."""
    arrays, w = _prepare(inputs, w)
    n = arrays[0].shape[-1] if n is None else n
    X = np.concatenate(arrays, axis=-1)
    out = X @ w.reshape(X.shape[-1], n)
    out.setflags(write=False)


@candidate("duplicated_padding", mistake="returns a JSON string of the matrix, not an array")
def padding_json(w, n, D, p, q=None):
    """Bullet 5: a string."""
    q = p if q is None else q
    return json.dumps(np.tile(_as_float(w).reshape(n // p, D // q), (p, q)).tolist())


@candidate("dual_lphm", mistake="exact arithmetic with fractions.Fraction: returns an object array")
def lphm_fractions(w, n, D, p, q, r):
    """Bullet 5: an object array (of exact ``Fraction`` values)."""
    q = p if q is None else q
    s, t = n // p, D // q
    v = [Fraction(float(x)) for x in _as_float(w)]
    P, Q = v[: p * r], v[p * r : (p + q) * r]
    S, T = v[(p + q) * r : (p + q + s) * r], v[(p + q + s) * r :]
    out = np.empty((n, D), dtype=object)
    for i in range(n):
        for j in range(D):
            a = sum(P[(i // s) * r + k] * Q[(j // t) * r + k] for k in range(r))
            b = sum(S[(i % s) * r + k] * T[(j % t) * r + k] for k in range(r))
            out[i, j] = a * b
    return out


# ------------------------------------------------- bullet 6: integer w judged when asked


@candidate(
    "dual_lphm",
    mistake="integer w kept integer: int64 w gives an int64 output (SPEC: promoted to float64)",
    options={"dtypes": ("float64", "int64")},
)
def lphm_keeps_integer_w(w, n, D, p, q, r):
    """Bullet 6: NumPy, no promotion of an integer ``w``."""
    q = p if q is None else q
    return _lphm(np.asarray(w).reshape(-1), n, D, p, q, r)


@candidate(
    "duplicated_padding",
    mistake="PyTorch W.repeat(p, q) with integer w kept integer (SPEC: promoted to the default float)",
    options={"dtypes": ("float64", "int64")},
)
def padding_torch_keeps_integer_w(
    w: torch.Tensor, n: int, D: int, p: int, q: int | None = None
) -> torch.Tensor:
    """Bullet 6: the code of bullet 1's ``padding_torch_native_repeat``, judged with integer ``w``."""
    q = p if q is None else q
    return w.reshape(n // p, D // q).repeat(p, q)
