"""Second calls: whether a candidate gives the same answer twice (SPEC, "Side effects and determinism").

The minimal failure and a sample of the passing cases are run again (:func:`repeat`); two
calls on one case must agree (:func:`disagreement`): exactly for the padding functions, within
twice the oracle's bound otherwise, the same exception if one was raised.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._outputs import to_numpy
from ...functions import Function
from ..judgement import Judgement
from ..tolerance import expected_and_bound
from ._harness import Harness, Outcome, dense, quiet, raised
from ._reports import CaseResult

__all__ = ["RERUN_AT_LEAST", "RERUN_EVERY", "differing", "disagreement", "repeat"]

#: Every ``RERUN_EVERY``-th passing case (at least ``RERUN_AT_LEAST``) is run a second time.
RERUN_EVERY = 10
RERUN_AT_LEAST = 3


def repeat(
    harness: Harness, outcomes: list[Outcome], failures: list[Outcome], flaky: bool, notes: list[str]
) -> tuple[Outcome | None, list[Outcome]]:
    """Run the minimal failure and a sample of the passing cases again: the failure to report, and the second calls.

    The failure to report is the minimal one, or a non-determinism verdict where the second
    call disagrees with the first. Where Hypothesis saw a failure pass on its replay, the
    failing case is run up to five times to catch the disagreement. A disagreement on a
    passing case beside a failure is told in ``notes``.
    """
    passing = [o for o in outcomes if o.case.passed]
    sample = passing[RERUN_EVERY - 1 :: RERUN_EVERY]
    if len(sample) < RERUN_AT_LEAST:
        sample = passing[:: max(1, len(passing) // RERUN_AT_LEAST)][:RERUN_AT_LEAST]
    minimal = failures[-1] if failures else None
    tries = [(minimal, 5 if flaky else 1)] if minimal is not None else []
    tries += [(o, 1) for o in sample]
    repeated: list[Outcome] = []
    for first, times in tries:
        for _ in range(times):
            second = harness.case(first.drawn)
            repeated.append(second)
            problem = disagreement(harness.spec, first, second)
            if not problem:
                continue
            verdict = Judgement(False, problem)
            nondeterministic = first._replace(
                case=CaseResult(first.case.config, first.case.dtype, verdict, omitted=first.case.omitted)
            )
            if minimal is None or first is minimal:
                return nondeterministic, repeated
            notes.append(f"  also non-deterministic on {harness.spec.describe(first.case.config)}: {problem}")
            return minimal, repeated
    return minimal, repeated


def disagreement(spec: Function, first: Outcome, second: Outcome) -> str:
    """``"non-deterministic: ..."`` when two calls on one case disagree beyond rounding, else ``""``."""
    if first.error is not None or second.error is not None:
        if (
            first.error is not None
            and second.error is not None
            and raised(first.error) == raised(second.error)
        ):
            return ""
        return f"non-deterministic: call 1 {_what(first)}, call 2 {_what(second)}"
    try:
        a1, a2 = to_numpy(first.actual), to_numpy(second.actual)
        numbers = a1.dtype.kind in "biufc" and a2.dtype.kind in "biufc"
    except Exception:
        numbers = False
    if not numbers:  # not two arrays of numbers (None, a string, objects): their verdicts say what they are
        v1, v2 = first.case.verdict.summary(), second.case.verdict.summary()
        return "" if v1 == v2 else f"non-deterministic: call 1 was judged {v1!r}, call 2 {v2!r}"
    if a1.shape != a2.shape or a1.dtype != a2.dtype:
        return f"non-deterministic: call 1 {_what(first)}, call 2 {_what(second)}"
    with quiet():
        differ = differing(spec, first.drawn, a1, a2)
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
    if spec.exact or not np.any(differ):
        return differ
    bound = expected_and_bound(spec, drawn.config, drawn.inputs, drawn.dtype, scale=2.0).bound
    with np.errstate(invalid="ignore", over="ignore"):
        beyond: np.ndarray = differ & ~(np.abs(a1.astype(np.complex128) - a2) <= bound)
        return beyond


def _what(outcome: Outcome) -> str:
    """What one call did, in words: ``raised RuntimeError: ...`` or ``gave an output of shape (2, 2), float64``."""
    if outcome.error is not None:
        return f"raised {raised(outcome.error)}"
    a = dense(outcome.actual)
    return (
        "gave an output refimpl cannot read" if a is None else f"gave an output of shape {a.shape}, {a.dtype}"
    )
