"""Second calls: whether a candidate gives the same answer twice (SPEC, "Side effects and determinism").

Every case calls the candidate twice with the same arguments (``_harness``); the two calls
must agree (:func:`disagreement`): exactly for the padding functions, within twice the
oracle's bound otherwise, the same exception if one was raised.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._outputs import to_numpy
from ...functions import Function
from ..tolerance import expected_and_bound, judge_clauses

__all__ = ["differing", "disagreement"]


def disagreement(spec: Function, drawn: Any, first: Any, second: Any) -> str:
    """``"non-deterministic: ..."`` when two calls on one case disagree beyond rounding, else ``""``.

    ``first`` and ``second`` are calls (``actual``, ``error``): what each returned or raised.
    """
    if first.error is not None or second.error is not None:
        if (
            first.error is not None
            and second.error is not None
            and _raised(first.error) == _raised(second.error)
        ):
            return ""
        return f"non-deterministic: call 1 {_what(first)}, call 2 {_what(second)}"
    try:
        a1, a2 = to_numpy(first.actual), to_numpy(second.actual)
        numbers = a1.dtype.kind in "biufc" and a2.dtype.kind in "biufc"
    except Exception:
        numbers = False
    if not numbers:  # not two arrays of numbers (None, a string, objects): their verdicts say what they are
        v1, v2 = (_verdict(spec, drawn, call) for call in (first, second))
        return "" if v1 == v2 else f"non-deterministic: call 1 was judged {v1!r}, call 2 {v2!r}"
    if a1.shape != a2.shape or a1.dtype != a2.dtype:
        return f"non-deterministic: call 1 {_what(first)}, call 2 {_what(second)}"
    with np.errstate(all="ignore"):
        differ = differing(spec, drawn, a1, a2)
    if not np.any(differ):
        return ""
    index = tuple(int(i) for i in np.argwhere(differ)[0])
    return (
        f"non-deterministic: entry {index}: call 1 gave {a1[index].item()!r}, "
        f"call 2 gave {a2[index].item()!r}"
    )


def differing(spec: Function, drawn: Any, a1: np.ndarray, a2: np.ndarray) -> np.ndarray:
    """Entries where two outputs differ: exactly for the padding functions, beyond twice the bound otherwise."""
    with np.errstate(invalid="ignore"):  # NumPy's stubs type the operators on an NDArray[Any] as Any
        differ: np.ndarray = ~((a1 == a2) | (np.isnan(a1) & np.isnan(a2)))
    if spec.exact or not np.any(differ) or a1.shape != tuple(spec.output_shape(drawn.config)):
        return differ
    dtype = a1.dtype if a1.dtype.kind in "fc" else drawn.dtype
    bound = expected_and_bound(spec, drawn.config, drawn.inputs, dtype, scale=2.0).bound
    with np.errstate(invalid="ignore", over="ignore"):
        beyond: np.ndarray = differ & ~(np.abs(a1.astype(np.complex128) - a2) <= bound)
        return beyond


def _raised(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _verdict(spec: Function, drawn: Any, call: Any) -> str:
    verdicts = judge_clauses(call.actual, spec, drawn.config, drawn.inputs, drawn.dtype)
    return "; ".join(v.summary() for v in verdicts.values() if not v.passed) or "pass"


def _what(call: Any) -> str:
    """What one call did, in words: ``raised RuntimeError: ...`` or ``gave an output of shape (2, 2), float64``."""
    if call.error is not None:
        return f"raised {_raised(call.error)}"
    try:
        a = None if call.actual is None else to_numpy(call.actual)
    except Exception:
        a = None
    return (
        "gave an output refimpl cannot read" if a is None else f"gave an output of shape {a.shape}, {a.dtype}"
    )
