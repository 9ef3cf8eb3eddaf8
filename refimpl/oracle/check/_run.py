"""A check's run, from the search to the report.

The search (``_search``) gives every call made; the minimal failure and a sample of the
passing cases are run a second time (``_calls``); the failures are diagnosed
(:func:`refimpl.oracle.diagnosis.diagnose_failures`, the candidate rerun as each failing case
called it); and the minimal failure is written up: its reproduction, its text, its data.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from ..diagnosis import Diagnosis, Failure, diagnose_failures
from ._calls import repeat
from ._candidates import in_backend
from ._harness import Harness, Outcome, dense, quiet
from ._reports import CaseResult, CheckReport, MinimalFailure
from ._reproduction import failure_message, reproduction
from ._search import search

__all__ = ["run"]


def run(
    harness: Harness,
    name: str,
    target: str | None,
    *,
    config: dict[str, Any] | None,
    progress: Callable[[int, CaseResult], None] | None,
) -> CheckReport:
    """Search; run cases a second time; then diagnose and describe the minimal failure, if any."""
    s = harness.settings
    report = CheckReport(
        function=harness.spec.name,
        target=name,
        seed=s.seed,
        convention=harness.candidate.convention,
        settings=s,
    )
    outcomes, flaky = search(harness, config, progress)
    report.convention = harness.candidate.convention  # a class's shape of w is settled by the search
    report.cases = [o.case for o in outcomes]
    failures = [o for o in outcomes if not o.case.passed]
    notes: list[str] = []
    minimal, repeated = repeat(harness, outcomes, failures, flaky, notes)
    report.rerun = len(repeated)
    report.cases += [o.case for o in repeated]
    if minimal is None:
        return report
    deterministic = minimal.case.verdict.problem.startswith("non-deterministic") is False
    with quiet():
        report.diagnosis = _diagnose(harness, failures) if deterministic and failures else None
    _write_up(report, harness, minimal, name, target, notes)
    return report


def _write_up(
    report: CheckReport, harness: Harness, minimal: Outcome, name: str, target: str | None, notes: list[str]
) -> None:
    """The minimal failure's reproduction, its text (``notes`` after its first line) and its data."""
    s, case = harness.settings, minimal.case
    again = {**case.config, **{k: None for k in case.omitted}}  # None: left out of the call again
    report.reproduce = reproduction(
        harness.spec,
        again,
        np.asarray(minimal.drawn.inputs["w"]).dtype.name,
        s,
        target,
        name.rpartition(":")[2].rpartition(".")[2],
    )
    verdict = case.verdict if case.verdict.passed is False or case.gradient is None else case.gradient
    text = failure_message(
        harness.spec, case.config, case.dtype, verdict, s.seed, target, report.diagnosis, report.reproduce
    )
    head, _, rest = text.partition("\n")
    if case.omitted:
        head += (
            f"\n  left out of the call: {', '.join(sorted(case.omitted))} (the candidate's default was used)"
        )
    report.failure = "\n".join([head, *notes, rest])
    report.minimal = MinimalFailure(
        case.config,
        minimal.drawn.inputs,
        case.dtype,
        dense(minimal.actual),
        case.verdict.summary(),
        case.omitted,
    )


def _diagnose(harness: Harness, failures: list[Outcome]) -> Diagnosis | None:
    """The catalogued mistakes that reproduce every failure tried (:func:`diagnose_failures`);
    each rerun calls the candidate as the failing case did (its convention, omitted arguments, backend)."""
    omitted = {repr(o.drawn.config): o.drawn.omitted for o in failures}

    def rerun(config: dict[str, Any], inputs: dict[str, Any]) -> Any:
        leave_out = omitted.get(repr(config), frozenset())
        with quiet():
            return harness.candidate.call(config, in_backend(harness.xp, copy.deepcopy(inputs)), leave_out)

    found = [Failure(o.drawn.config, o.drawn.inputs, o.actual) for o in failures]
    return diagnose_failures(harness.spec.name, found, rerun)
