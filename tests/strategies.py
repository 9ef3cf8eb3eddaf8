"""Strategies for refimpl's own tests: the public configurations, and exact entries.

The configurations are :func:`refimpl.strategies.configs`, in the registry's convention
(:mod:`refimpl.functions`), with the edge cases weighted in; fusion configurations keep
``n`` as drawn (``None`` when the widths are equal and left to the default) and carry the output
width it stands for as ``width`` (the registry's default applied). Sizes stay small: the
loop-level references are quadratic and slow.

The entries are small integers, drawn one by one (never one repeated fill value), so that every
sum and product in the tests is exact and a misplaced entry shows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from refimpl.functions import get_function
from refimpl.strategies import configs

DTYPES = (np.float32, np.float64, np.complex128)


def padding_configs(max_block: int = 4) -> st.SearchStrategy[dict[str, Any]]:
    """``n, D, p, q`` with ``n = p*s`` and ``D = q*t``."""
    return configs("duplicated_padding", max_side=max_block)


def lphm_configs() -> st.SearchStrategy[dict[str, Any]]:
    """``n, D, p, q, r`` with ``p | n`` and ``q | D``."""
    return configs("dual_lphm")


def _with_width(config: dict[str, Any]) -> dict[str, Any]:
    return {**config, "width": get_function("dual_lphm_fusion").normalize(config)["n"]}


def fusion_configs(*, max_k: int = 3) -> st.SearchStrategy[dict[str, Any]]:
    """``dims, n, p, q, r, m, batch`` of a Dual-LPHM fusion, and its output ``width``."""
    return configs("dual_lphm_fusion", max_inputs=max_k).map(_with_width)


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
    lead = tuple(cfg["batch"]) + (cfg["m"],)
    return [integer_valued(draw, lead + (d,), dtype) for d in cfg["dims"]]
