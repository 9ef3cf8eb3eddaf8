"""What ``demo`` and ``show`` print: small matrices as text, and their default inputs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._outputs import to_numpy
from .._xp import backend_namespace

__all__ = ["arange", "example_inputs", "render"]


def render(matrix: Any, *, dots: bool = False) -> str:
    """A small matrix, one row a line; with ``dots``, exact zeros are drawn as ``.``.

    Examples
    --------
    >>> from refimpl.cli._render import render
    >>> print(render([[1.0, 0.0], [0.5, 2.0]], dots=True))
        1   .
      0.5   2
    """
    a = to_numpy(matrix)
    if a.ndim == 1:
        a = a.reshape(1, -1)
    cells = [["." if dots and v == 0 else f"{v:g}" for v in row] for row in a.reshape(-1, a.shape[-1])]
    width = max((len(c) for row in cells for c in row), default=1)
    return "\n".join("  " + " ".join(c.rjust(width) for c in row) for row in cells)


def arange(l: int) -> np.ndarray:
    """``w = 1, 2, ..., l`` in float64: each entry of a padding then shows which entry of ``w`` it holds.

    A NumPy array (8 bytes an entry, as the memory guard counts them), never a Python list.

    Examples
    --------
    >>> from refimpl.cli._render import arange
    >>> arange(3)
    array([1., 2., 3.])
    """
    return np.arange(1, l + 1, dtype=np.float64)


def example_inputs(dims: Sequence[int], m: int) -> list[Any]:
    """Fusion inputs of the backend: all ones, but a 2 at the end of the first row of the last."""
    xp = backend_namespace()
    last = xp.ones((m, dims[-1]))
    if m > 0:
        corner = xp.zeros((m, dims[-1]))
        corner[0, -1] = 1.0
        last = last + corner
    return [xp.ones((m, d)) for d in dims[:-1]] + [last]
