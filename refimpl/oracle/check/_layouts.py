"""The memory layouts a check gives a candidate's arrays (SPEC, "Side effects and determinism").

Every layout holds the same values; an implementation may not assume C-contiguous memory:

==============  ===========================================================================
``"C"``         a fresh C-contiguous array
``"F"``         Fortran order (for ``w``, one-dimensional, a strided view instead)
``"strided"``   a view of every other column of a larger array
``"readonly"``  a copy that cannot be written
``"broadcast"`` a zero-stride view of the first row (the fusions' inputs, whose rows the case
                drew equal); ``w`` keeps its own layout
==============  ===========================================================================
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["LAYOUTS", "laid_out"]

#: The layouts, in the order the edge cases take them.
LAYOUTS = ("C", "F", "strided", "readonly", "broadcast")


def laid_out(inputs: dict[str, Any], layout: str) -> dict[str, Any]:
    """``inputs`` (NumPy arrays) with the same values in ``layout``.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl.oracle.check._layouts import laid_out
    >>> given = laid_out({"w": np.arange(3.0), "inputs": [np.ones((2, 3))]}, "strided")
    >>> given["w"], given["w"].flags.c_contiguous, given["inputs"][0].strides
    (array([0., 1., 2.]), False, (48, 16))
    >>> laid_out({"w": np.arange(3.0), "inputs": [np.ones((2, 3))]}, "broadcast")["inputs"][0].strides
    (0, 8)
    """
    out: dict[str, Any] = {"w": _laid(inputs["w"], "strided" if layout in ("F", "broadcast") else layout)}
    if "inputs" in inputs:
        out["inputs"] = [_laid(a, layout) for a in inputs["inputs"]]
    return out


def _laid(a: np.ndarray, layout: str) -> np.ndarray:
    if layout == "F" and a.ndim >= 2:
        return np.asfortranarray(a)
    if layout in ("F", "strided"):
        wide = np.zeros((*a.shape[:-1], 2 * a.shape[-1]), a.dtype)
        wide[..., ::2] = a
        view: np.ndarray = wide[..., ::2]
        return view
    if layout == "readonly":
        fixed: np.ndarray = a.copy()
        fixed.flags.writeable = False
        return fixed
    if layout == "broadcast" and a.ndim >= 2 and a.shape[-2] > 0:
        rows: np.ndarray = np.broadcast_to(a[..., :1, :], a.shape)
        return rows
    return a
