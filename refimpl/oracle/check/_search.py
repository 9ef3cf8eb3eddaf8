"""The Hypothesis driver of a check: cases drawn, run and judged, a failure shrunk.

Hypothesis draws the cases of ``_cases`` from the check's seed, the harness runs and judges
each (``_harness``), and a failing case is raised back to Hypothesis, which shrinks it to a
minimal one. Hypothesis is imported here only, when a check runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._cases import case_strategy
from ._harness import Harness, Outcome
from ._reports import CaseResult

__all__ = ["search"]


class _CaseFailed(Exception):
    """Raised inside the Hypothesis test on a failing case, so that Hypothesis shrinks it."""


def search(
    harness: Harness, config: dict[str, Any] | None, progress: Callable[[int, CaseResult], None] | None
) -> tuple[list[Outcome], bool]:
    """Let Hypothesis search for a failing case: every call made (the shrunk failure last), and
    whether Hypothesis found the candidate flaky (a failure that did not fail again)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis.errors import Flaky

    s, outcomes = harness.settings, []
    cases = case_strategy(
        harness.spec,
        dtypes=s.dtypes,
        max_side=s.max_side,
        max_rows=s.max_rows,
        config=config,
        optional=harness.candidate.optional,
    )

    @settings(
        max_examples=s.examples,
        database=None,
        deadline=None,
        derandomize=False,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, Phase.shrink],
        print_blob=False,
    )
    @given(drawn=cases)
    def trial(drawn: Any) -> None:
        outcome = harness.case(harness.adjusted(drawn))
        outcomes.append(outcome)
        if progress is not None:
            progress(len(outcomes), outcome.case)
        if not outcome.case.passed:
            raise _CaseFailed

    hypothesis_seed(s.seed)(trial)
    try:
        trial()
    except _CaseFailed:
        pass  # Hypothesis re-raises the shrunk failure: it is the last failing outcome
    except Flaky:  # a failing case passed when Hypothesis ran it again: the candidate is not deterministic
        return outcomes, True
    return outcomes, False
