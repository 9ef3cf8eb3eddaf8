"""Hypothesis strategies for the tests: valid configurations and their parameter vectors.

Sizes stay small (the loop-level references are quadratic and slow); the edge cases are
weighted in: ``p != q``, ``p = 1``, ``s = 1``, ``t = 1``, ``k = 1``, ``m = 0``, unequal widths,
batch shapes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

dims = st.integers(1, 4)
DTYPES = (np.float32, np.float64, np.complex128)


@st.composite
def padding_configs(draw: Any, max_block: int = 4) -> dict[str, int]:
    """``n, D, p, q`` with ``n = p*s`` and ``D = q*t``."""
    p, q = draw(st.integers(1, max_block)), draw(st.integers(1, max_block))
    s, t = draw(st.integers(1, max_block)), draw(st.integers(1, max_block))
    return {"n": p * s, "D": q * t, "p": p, "q": q}


@st.composite
def lphm_configs(draw: Any) -> dict[str, int]:
    """``n, D, p, q, r`` with ``p | n`` and ``q | D``."""
    cfg = draw(padding_configs())
    cfg["r"] = draw(st.integers(1, 3))
    return cfg


@st.composite
def fusion_configs(draw: Any, *, max_k: int = 3) -> dict[str, Any]:
    """Widths ``dims``, ``n`` (``None`` when the widths are equal and left to default), ``p``,
    ``q``, ``r``, rows ``m`` and a batch shape ``lead``."""
    k = draw(st.integers(1, max_k))
    if draw(st.booleans()):
        dims = [draw(st.integers(1, 4))] * k
    else:
        dims = draw(st.lists(st.integers(1, 4), min_size=k, max_size=k))
    N = sum(dims)
    p = draw(st.sampled_from([d for d in range(1, N + 1) if N % d == 0]))
    equal = len(set(dims)) == 1
    if equal and draw(st.booleans()):
        n = None
        width = dims[0]
    else:
        n = width = draw(st.integers(1, 6))
    q = draw(st.sampled_from([d for d in range(1, width + 1) if width % d == 0]))
    return {
        "dims": dims,
        "n": n,
        "width": width,
        "p": p,
        "q": q,
        "r": draw(st.integers(1, 3)),
        "m": draw(st.sampled_from([0, 1, 2, 3])),
        "lead": draw(st.sampled_from([(), (), (2,), (1, 2)])),
    }


def integer_valued(draw: Any, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """Small integer-valued entries: every sum and product in the tests is then exact."""
    size = int(np.prod(shape))
    values = draw(st.lists(st.integers(-6, 6), min_size=size, max_size=size))
    a = np.asarray(values, dtype=np.float64).reshape(shape).astype(dtype)
    if np.dtype(dtype).kind == "c":
        imag = draw(st.lists(st.integers(-6, 6), min_size=size, max_size=size))
        a = a + 1j * np.asarray(imag, dtype=np.float64).reshape(shape)
    return a.astype(dtype)


@st.composite
def vectors(draw: Any, length: int, dtype: Any = np.float64) -> np.ndarray:
    return integer_valued(draw, (length,), dtype)


@st.composite
def fusion_inputs(draw: Any, cfg: dict[str, Any], dtype: Any = np.float64) -> list[np.ndarray]:
    lead = tuple(cfg["lead"]) + (cfg["m"],)
    return [integer_valued(draw, lead + (d,), dtype) for d in cfg["dims"]]
