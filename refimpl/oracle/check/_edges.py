"""The edges of the configuration space, which every check runs before its random draws.

The golden vectors' configurations of each function (:attr:`Function.vectors`) are its edges:
one input and three, equal and unequal widths, zero rows and one row, batch dimensions,
``p != q``, ``s != t``, ``s`` or ``t`` equal to 1, ``r = 1``. Each is run in one dtype and one
memory layout in turn, ``w`` as ``(l,)`` and ``(1, l)`` in turn, with the optional arguments
left out where the candidate has defaults for them (a fusion's equal widths without ``n``, a
matrix with ``p == q`` without ``q``), and one larger case (hundreds of rows for the fusions).
With the non-finite or the promotion clause judged, each edge runs once more in that clause.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ...functions import Function
from ._cases import Case, arrays, output_dtype
from ._layouts import LAYOUTS
from ._reproduction import Settings

__all__ = ["edge_cases"]

#: The rows of the fusions' larger case, and about the largest side of the matrices'.
LARGE_ROWS = 300
LARGE_SIDE = 60


def edge_cases(
    spec: Function, settings: Settings, optional: frozenset[str], mixed: bool = True
) -> list[Case]:
    """The edge cases of ``spec``, in the order they run (``mixed``: a third with the inputs in
    another floating dtype than ``w``).

    Examples
    --------
    >>> from refimpl.functions import get_function
    >>> from refimpl.oracle.check._edges import edge_cases
    >>> from refimpl.oracle.check._reproduction import Settings
    >>> cases = edge_cases(get_function("dual_lphm_fusion"), Settings(), frozenset({"n"}))
    >>> sorted({c.config["m"] for c in cases}), sorted({len(c.config["dims"]) for c in cases})
    ([0, 1, 2, 300], [1, 2, 3])
    >>> sorted({c.layout for c in cases}) == sorted(["C", "F", "strided", "readonly", "broadcast"])
    True
    """
    floats = [d for d in settings.dtypes if np.dtype(d).kind in "fc"] or ["float64"]
    others = [d for d in settings.dtypes if np.dtype(d).kind not in "fc"]
    layouts = LAYOUTS if spec.is_fusion else LAYOUTS[:-1]
    out = []
    for i, (config, omitted) in enumerate(_configurations(spec, optional)):
        rng = np.random.default_rng(settings.seed + i)
        dtype, layout = floats[i % len(floats)], layouts[i % len(layouts)]
        in_dtype = floats[(i + 1) % len(floats)] if mixed and i % 3 == 2 else dtype
        variants = [(dtype, in_dtype, "tagged" if i % 2 else "distinct")]
        if settings.judges_nonfinite:
            variants.append((dtype, in_dtype, "nonfinite"))
        variants += [(other, dtype, "distinct") for other in others[i % max(1, len(others)) :][:1]]
        for w_dtype, x_dtype, kind in variants:
            inputs = arrays(rng, spec, config, w_dtype, x_dtype, kind, layout)
            if i % 2:
                inputs["w"] = inputs["w"].reshape(1, -1)
            out.append(Case(config, omitted, inputs, output_dtype(spec, w_dtype, x_dtype), kind, layout))
    return out


def _configurations(spec: Function, optional: frozenset[str]) -> Iterator[tuple[Any, frozenset[str]]]:
    """Each edge configuration, normalized, with the optional arguments it leaves out."""
    for tag, _, given in spec.vectors:
        if tag in ("large", "nonfinite"):
            continue
        omitted = frozenset(k for k in optional if k in given and given[k] is None)
        yield spec.normalize({k: v for k, v in given.items() if v is not None or k in optional}), omitted
        if "q" in optional and given.get("p") == given.get("q"):
            yield spec.normalize({k: v for k, v in given.items() if k != "q"}), frozenset({"q"})
    larger = _larger(spec)
    if larger is not None:
        yield spec.normalize(larger), frozenset()


def _larger(spec: Function) -> dict[str, Any] | None:
    """A larger relative of the first edge: hundreds of rows for a fusion; for a matrix, ``n`` and
    ``D`` times ``k`` (each ``p`` and ``q`` still divides them) up to a side of about 60."""
    first = dict(spec.vectors[0][2]) if spec.vectors else None
    if first is None:
        return None
    if spec.is_fusion:
        return {**first, "m": LARGE_ROWS}
    if "n" not in first or "D" not in first:
        return None
    k = max(1, LARGE_SIDE // max(first["n"], first["D"]))
    return {**first, "n": first["n"] * k, "D": first["D"] * k}
