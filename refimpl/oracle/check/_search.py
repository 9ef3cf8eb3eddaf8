"""The search of a check: the edges, the random draws, each failing clause shrunk on its own.

1. The edge cases (``_edges``) run first, unless the check is of one configuration.
2. Hypothesis draws ``examples`` cases from the check's seed (``_cases``) and the harness
   judges each (``_harness``); nothing stops the draws, so every clause sees every case.
3. For each clause that failed on a drawn case, Hypothesis draws again from the same seed
   (the same cases, up to that clause's first failure) and shrinks the failure of that clause
   alone: a wrong value is shrunk whatever else fails, and the other way round.

A clause whose failure does not shrink (it failed on an edge only, or it did not fail again:
a flaky candidate) keeps its smallest failing case. Hypothesis is imported here only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._cases import case_strategy
from ._edges import edge_cases
from ._harness import Harness, Outcome
from ._reports import CaseResult

__all__ = ["search"]


class _CaseFailed(Exception):
    """Raised inside the Hypothesis test on a failing case, so that Hypothesis shrinks it."""


def search(
    harness: Harness, config: dict[str, Any] | None, progress: Callable[[int, CaseResult], None] | None
) -> tuple[list[Outcome], dict[str, Outcome]]:
    """Every case run (edges, draws, shrinking), and the minimal failing case of each failing clause.

    Each case's :attr:`~refimpl.oracle.check.CaseResult.phase` says which of the three it was;
    ``progress(i, case)`` is called after each, ``i`` counting all cases run so far.
    """
    outcomes: list[Outcome] = []

    def recorder(phase: str) -> Callable[[Outcome], None]:
        def record(outcome: Outcome) -> None:
            outcome.case.phase = phase
            outcomes.append(outcome)
            if progress is not None:
                progress(len(outcomes), outcome.case)

        return record

    if config is None:
        edge = recorder("edge")
        for drawn in edge_cases(harness.spec, harness.settings, harness.candidate.optional, harness.mixed):
            edge(harness.case(drawn))
    start = len(outcomes)
    _hypothesis(harness, config, recorder("drawn"), None)
    shrunk_minimal: dict[str, Outcome] = {}
    for clause in dict.fromkeys(c for o in outcomes[start:] for c in o.case.failing):
        first = len(outcomes)
        _hypothesis(harness, config, recorder("shrinking"), clause)
        shrunk = outcomes[first:]
        hits = [o for o in shrunk if clause in o.case.failing]
        if hits:
            shrunk_minimal[clause] = hits[-1]  # Hypothesis runs the shrunk failure last
    smallest: dict[str, Outcome] = {}
    for outcome in outcomes:
        for clause in outcome.case.failing:
            if clause not in smallest or _size(harness, outcome) < _size(harness, smallest[clause]):
                smallest[clause] = outcome
    return outcomes, {**smallest, **shrunk_minimal}


def _size(harness: Harness, outcome: Outcome) -> int:
    """How large a case is: its output's entries and its ``w``'s."""
    config = outcome.drawn.config
    return int(np.prod(harness.spec.output_shape(config))) + harness.spec.l(config)


def _hypothesis(
    harness: Harness, config: dict[str, Any] | None, record: Callable[[Outcome], None], clause: str | None
) -> None:
    """Draw the cases from the seed; with ``clause``, stop at its first failure and shrink it."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis.errors import Flaky

    s = harness.settings
    cases = case_strategy(
        harness.spec,
        dtypes=s.dtypes,
        max_side=s.max_side,
        max_rows=s.max_rows,
        config=config,
        optional=harness.candidate.optional,
        nonfinite=s.judges_nonfinite,
        mixed=harness.mixed,
    )

    @settings(
        max_examples=s.examples,
        database=None,
        deadline=None,
        derandomize=False,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate] if clause is None else [Phase.generate, Phase.shrink],
        print_blob=False,
    )
    @given(drawn=cases)
    def trial(drawn: Any) -> None:
        outcome = harness.case(drawn)
        record(outcome)
        if clause is not None and clause in outcome.case.failing:
            raise _CaseFailed

    hypothesis_seed(s.seed)(trial)
    try:
        trial()
    except (_CaseFailed, Flaky):
        pass  # the shrunk failure is the last failing outcome; a flaky one keeps its smallest case
