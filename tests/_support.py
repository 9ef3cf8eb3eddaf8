"""Helpers for the tests: conversion to NumPy, strict comparisons, and loop-level references.

The ``loop_*`` functions read SPEC's entry formulas literally, one entry at a time in plain
Python, sharing no code with ``refimpl``: they are the independent definition the vectorised
code is checked against.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import array_api_compat
import numpy as np


def to_numpy(x: Any) -> np.ndarray:
    """Any array (dense or sparse, any library) as a NumPy array, without changing its dtype."""
    if hasattr(x, "toarray"):
        x = x.toarray()
    if hasattr(x, "get"):
        return x.get()
    if isinstance(x, np.ndarray):
        return x
    return np.from_dlpack(x)


#: What a capped block may map beyond what the process maps when it starts: room for the small
#: arrays of a test and a few thread stacks, far less than any size the memory guard refuses.
CAP_HEADROOM = 2**30


@contextlib.contextmanager
def address_space_cap(headroom: int = CAP_HEADROOM) -> Iterator[None]:
    """Cap this process's address space (``RLIMIT_AS``) at what it maps now plus ``headroom``.

    Inside the block an allocation larger than ``headroom`` fails at once with ``MemoryError``,
    whatever the machine has free: a test that expects the memory guard to refuse a size gets the
    same verdict on a busy machine and an idle one, and a change that switches the guard off
    fails it at once instead of allocating until the kernel kills the process. Where the
    process's mappings cannot be read (no ``/proc``, as on macOS, which does not enforce
    ``RLIMIT_AS`` either) the block runs uncapped.
    """
    try:
        import resource

        with open("/proc/self/statm") as statm:
            mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError):
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = mapped + headroom
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def namespace_name(x: Any) -> str:
    return array_api_compat.array_namespace(x).__name__


def assert_array(
    actual: Any, xp: ModuleType, expected: np.ndarray, *, exact: bool = True, rtol: float = 0.0
) -> None:
    """Check namespace, dtype and shape first, then values (exactly, or to ``rtol``).

    ``expected`` is a NumPy array in the dtype the result must have. NaNs compare equal.
    """
    assert namespace_name(actual) == xp.__name__, (namespace_name(actual), xp.__name__)
    a = to_numpy(actual)
    assert a.dtype == expected.dtype, (a.dtype, expected.dtype)
    assert a.shape == expected.shape, (a.shape, expected.shape)
    if exact:
        np.testing.assert_array_equal(a, expected)
    else:
        np.testing.assert_allclose(
            a, expected, rtol=rtol, atol=rtol * max(1.0, float(np.abs(expected).max(initial=0)))
        )


def xp_dtype(xp: ModuleType, np_dtype: Any) -> Any:
    """The dtype of namespace ``xp`` named like the NumPy dtype ``np_dtype``."""
    return getattr(xp, np.dtype(np_dtype).name)


def as_xp(xp: ModuleType, a: np.ndarray) -> Any:
    return xp.asarray(a, dtype=xp_dtype(xp, a.dtype))


# --- SPEC's entry formulas, read literally -------------------------------------------------


def loop_padding(w: np.ndarray, n: int, D: int, p: int, q: int, *, diagonal: bool) -> np.ndarray:
    s, t = n // p, D // q
    out = np.zeros((n, D), dtype=w.dtype)
    for i in range(n):
        for j in range(D):
            W_ij = w[(i % s) * t + (j % t)]  # W = reshape(w, (s, t)), row-major
            if not diagonal or (i // s == j // t and i // s < min(p, q)):
                out[i, j] = W_ij
    return out


def _factor(w: np.ndarray, start: int, rows: int, r: int) -> list[list[Any]]:
    return [[w[start + i * r + a] for a in range(r)] for i in range(rows)]


def loop_dual_lphm(w: np.ndarray, n: int, D: int, p: int, q: int, r: int) -> np.ndarray:
    s, t = n // p, D // q
    P = _factor(w, 0, p, r)
    Q = _factor(w, p * r, q, r)
    S = _factor(w, (p + q) * r, s, r)
    T = _factor(w, (p + q + s) * r, t, r)
    out = np.zeros((n, D), dtype=w.dtype)
    for i in range(p):
        for j in range(q):
            A_ij = sum(P[i][c] * Q[j][c] for c in range(r))
            for a in range(s):
                for b in range(t):
                    B_ab = sum(S[a][c] * T[b][c] for c in range(r))
                    out[i * s + a, j * t + b] = A_ij * B_ab
    return out


def loop_fusion(inputs: list[np.ndarray], W: np.ndarray) -> np.ndarray:
    """``concat(inputs, axis=-1) @ W`` entry by entry, over any leading batch shape."""
    lead = inputs[0].shape[:-1]
    dtype = np.result_type(W, *inputs)
    out = np.zeros(lead + (W.shape[1],), dtype=dtype)
    for idx in np.ndindex(*lead):
        row = [v for A in inputs for v in A[idx]]  # the row of each A_i, joined
        for j in range(W.shape[1]):
            out[idx + (j,)] = sum(row[c] * W[c, j] for c in range(len(row)))
    return out
