"""The judgement of an output against a reference and a bound: the oracle's entry-by-entry rule.

:func:`disagreeing` is the rule every comparison of the oracle applies (the check, the
diagnosis, the golden vectors): finite entries within the bound, non-finite ones where the
reference has them (exactly for the padding functions, as a set for the others; the docstring of
:mod:`refimpl.oracle.tolerance` says why). :func:`judge` applies it to a whole output (its shape,
its dtype, its non-finite entries, its values) and gives a :class:`Judgement`, the verdict the
reports print. The reference and the bound come from :mod:`refimpl.oracle.tolerance`, whose
:func:`~refimpl.oracle.tolerance.judge_output` is the entry point for a candidate's output and
which re-exports the names of this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._outputs import UnreadableOutput, read_output, to_numpy

__all__ = ["Judgement", "disagreeing", "judge"]


@dataclass
class Judgement:
    """The verdict on one candidate output: what is wrong, and the worst entry."""

    passed: bool
    problem: str = (
        ""  # unreadable, sparse structure, shape, dtype or non-finite entries: a structural problem
    )
    wrong: int = 0
    total: int = 0
    worst: dict[str, Any] = field(default_factory=dict)
    K: int = 0
    exact: bool = False
    layout: str = "dense"  # the output's library and layout, as read_output names it

    def summary(self) -> str:
        if self.passed:
            return "pass"
        if self.problem:
            return self.problem
        w = self.worst
        return (
            f"{self.wrong} of {self.total} entries are off; worst: entry {w['index']}: "
            f"expected {w['expected']!r}, actual {w['actual']!r}, error {w['error']:.3g}, "
            f"allowed {w['allowed']:.3g}"
        )


def disagreeing(actual: Any, expected: np.ndarray, bound: Any, *, exact: bool) -> np.ndarray:
    """Where ``actual`` fails the oracle's rule against ``expected`` and ``bound``: a boolean mask.

    Finite entries of both must agree within ``bound``. For an ``exact`` function (the padding
    functions) every ``nan``, ``inf`` and ``-inf`` must be where ``expected`` has it (in the real
    and the imaginary part of complex data). Otherwise only the *set* of non-finite entries is
    the contract: an entry must be non-finite exactly where ``expected`` is, whichever of
    ``inf``, ``-inf`` or ``nan`` either holds (the docs' conventions page explains why).
    ``actual`` and ``expected`` broadcast together.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl.oracle.judgement import disagreeing
    >>> expected = np.array([np.inf, np.nan, 1.0])
    >>> disagreeing(np.array([np.nan, -np.inf, 1.5]), expected, 0.1, exact=False).tolist()
    [False, False, True]
    >>> disagreeing(np.array([np.nan, np.nan, 1.0]), expected, 0.0, exact=True).tolist()
    [True, False, False]
    """
    a = to_numpy(actual)
    finite_a, finite_e = np.isfinite(a), np.isfinite(expected)
    off = np.zeros(np.broadcast_shapes(a.shape, expected.shape), dtype=bool)
    if exact:
        complex_data = np.iscomplexobj(a) or np.iscomplexobj(expected)
        for take in (np.real, np.imag) if complex_data else (np.real,):
            for where in (np.isnan, np.isposinf, np.isneginf):
                off |= where(take(a)) != where(take(expected))
    else:
        off |= finite_a != finite_e
    both = finite_a & finite_e
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.where(both, np.abs(a.astype(np.result_type(expected.dtype, np.float64)) - expected), 0.0)
    mask: np.ndarray = off | (error > bound)  # NumPy's stubs type operators on an NDArray[Any] as Any
    return mask


def _nonfinite_problem(a: np.ndarray, expected: np.ndarray, exact: bool) -> str:
    """The message for the first entry whose non-finite value breaks :func:`disagreeing`'s rule, or ``""``."""
    parts = (
        ((".real", np.real), (".imag", np.imag))
        if np.iscomplexobj(expected) or np.iscomplexobj(a)
        else (("", np.real),)
    )
    if exact:
        for part, take in parts:
            for name, where in (("nan", np.isnan), ("+inf", np.isposinf), ("-inf", np.isneginf)):
                e, c = where(take(expected)), where(take(a))
                if np.any(e != c):
                    index = tuple(int(i) for i in np.argwhere(e != c)[0])
                    return (
                        f"{name} placement{' in the ' + part[1:] + ' part' if part else ''} differs: entry {index} is "
                        f"{a[index].item()!r}, expected {expected[index].item()!r}"
                    )
        return ""
    e, c = ~np.isfinite(expected), ~np.isfinite(a)
    if not np.any(e != c):
        return ""
    index = tuple(int(i) for i in np.argwhere(e != c)[0])
    got, want = a[index].item(), expected[index].item()
    if c[index]:
        return (
            f"non-finite entries differ ({int(np.count_nonzero(e != c))} entries): entry {index} is {got!r}, "
            f"expected the finite {want!r}"
        )
    return (
        f"non-finite entries differ ({int(np.count_nonzero(e != c))} entries): entry {index} is {got!r}, "
        f"expected a non-finite value (the formula gives {want!r}; inf, -inf or nan all pass)"
    )


def judge(
    actual: Any, expected: np.ndarray, bound: np.ndarray, *, dtype: Any, K: int = 0, exact: bool = False
) -> Judgement:
    """Compare ``actual`` with ``expected`` entry by entry: shape, dtype, non-finite entries, values.

    The rule is :func:`disagreeing`'s; :func:`judge_output` is the entry point that also reads
    any output and judges a sparse one's structure.
    """
    try:
        a = read_output(actual).dense
    except UnreadableOutput as exc:
        return Judgement(False, str(exc), K=K, exact=exact)
    if a.shape != expected.shape:
        return Judgement(False, f"shape {a.shape}, expected {expected.shape}", K=K, exact=exact)
    if a.dtype != np.dtype(dtype):
        return Judgement(False, f"dtype {a.dtype}, expected {np.dtype(dtype)}", K=K, exact=exact)
    total = expected.size
    off = disagreeing(a, expected, bound, exact=exact)
    if not np.any(off):
        return Judgement(True, wrong=0, total=total, K=K, exact=exact)
    problem = _nonfinite_problem(a, expected, exact)
    if problem:
        return Judgement(False, problem, wrong=int(np.count_nonzero(off)), total=total, K=K, exact=exact)
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.where(
            np.isfinite(expected) & np.isfinite(a), np.abs(a.astype(expected.dtype) - expected), 0.0
        )
    excess = np.where(off, error - bound, -np.inf)
    index = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), expected.shape))
    worst = {
        "index": index,
        "expected": expected[index].item(),
        "actual": a[index].item(),
        "error": float(error[index]),
        "allowed": float(bound[index]),
    }
    return Judgement(False, wrong=int(np.count_nonzero(off)), total=total, worst=worst, K=K, exact=exact)
