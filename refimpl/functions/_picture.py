"""What a function's picture is made of: the data :mod:`refimpl.plotting` draws, from the
function's home (:meth:`refimpl.functions.MatrixFunction.picture`,
:meth:`refimpl.functions.FusionFunction.weight_picture`); no drawing happens here."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

__all__ = ["BREAK", "Panel", "Picture", "WeightPicture", "finite_range"]

#: Where a long title of a picture may break (a zero-width space).
BREAK = "\u200b"


class Panel(NamedTuple):
    """One matrix of a function's picture, and how to draw it.

    ``vmin``/``vmax`` fix its colour scale (``None``: its own); ``colour`` draws every entry in
    one colour (a pattern of ones); ``cmap`` names a colour map; ``zeros="value"`` draws zeros
    as values, not as structural zeros; ``block`` is the ``(rows, cols)`` of its block grid.
    """

    matrix: Any
    title: str
    block: tuple[int, int] | None = None
    vmin: float | None = None
    vmax: float | None = None
    cmap: str | None = None
    colour: str | None = None
    zeros: str | None = None


class Picture(NamedTuple):
    """What :func:`refimpl.plotting.plot_function` draws of a matrix function: a row of panels
    with an operator between each two (``left (x) right = result``), a caption after the
    title, notes under it, and blocks ``(row, col, rows, cols)`` outlined on the last panel."""

    panels: tuple[Panel, ...]
    operators: tuple[str, ...]
    caption: str
    notes: tuple[str, ...]
    outlined: tuple[tuple[int, int, int, int], ...] = ()


class WeightPicture(NamedTuple):
    """What the picture of a fusion shows of its weight: the output ``X W``, the weight ``W``,
    the weight's title and block grid, the formula of the fusion and a note on ``w``."""

    output: Any
    W: Any
    title: str
    block: tuple[int, int] | None
    formula: str
    note: str


def finite_range(arrays: list[np.ndarray]) -> tuple[float | None, float | None]:
    """The smallest and largest finite value (modulus, for complex) of ``arrays``, for one colour scale."""
    values = np.concatenate([a.reshape(-1) for a in arrays]) if arrays else np.zeros(0)
    values = np.abs(values) if np.iscomplexobj(values) else values
    finite = values[np.isfinite(values)]
    return (float(finite.min()), float(finite.max())) if finite.size else (None, None)
