"""A check's run, from the search to the report, clause by clause.

The search (``_search``) gives every case run and the minimal failing case of each failing
clause. Each clause judged gets its verdict (:class:`ClauseVerdict`): its minimal case written
up with its inputs and reproduction, and, for the clauses on values, a diagnosis: the wrong
values on finite inputs and on integer ``w`` by :func:`refimpl.oracle.diagnosis.diagnose_failures`
(the candidate rerun as each failing case called it), those on non-finite inputs by
:func:`refimpl.oracle.diagnosis.diagnose` on the minimal output, as ``vectors verify`` does.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from ..diagnosis import Diagnosis, Failure, diagnose, diagnose_failures
from ._candidates import in_backend
from ._clauses import CLAUSES, ClauseVerdict, judged_clauses
from ._harness import Harness, Outcome, dense, quiet
from ._reports import CaseResult, CheckReport, MinimalFailure
from ._reproduction import failure_message, reproduction

__all__ = ["run"]


def run(
    harness: Harness,
    name: str,
    target: str | None,
    *,
    config: dict[str, Any] | None,
    progress: Callable[[int, CaseResult], None] | None,
) -> CheckReport:
    """Search; then judge, write up and diagnose each clause."""
    from ._search import search

    s, spec = harness.settings, harness.spec
    report = CheckReport(function=spec.name, target=name, seed=s.seed, convention="", settings=s)
    outcomes, minimal = search(harness, config, progress)
    report.convention = harness.candidate.convention  # a class's shape of w is settled by the search
    report.cases = [o.case for o in outcomes]
    report.rerun = len(outcomes)  # every case is called twice
    judged = judged_clauses(spec, s)
    texts = []
    for clause in CLAUSES:
        if clause == "structure" and clause not in judged:
            continue
        failing = [o for o in outcomes if clause in o.case.failing]
        verdict = ClauseVerdict(clause, clause in judged, not failing, len(failing))
        if failing:
            verdict.minimal = minimal[clause]
            with quiet():
                verdict.diagnosis = _diagnosis(harness, clause, failing, verdict.minimal)
            verdict.failure = _write_up(harness, clause, verdict.minimal, verdict.diagnosis, name, target)
            texts.append(f"[{CLAUSES[clause][0]}] " + verdict.failure)
            if report.minimal is None:
                _keep(report, harness, clause, verdict.minimal, name, target)
        report.clauses[clause] = verdict
    report.failure = "\n".join(texts)
    values = [report.clauses[c].diagnosis for c in ("values", "promotion") if c in report.clauses]
    report.diagnosis = next((d for d in values if d is not None), None)
    return report


def _diagnosis(harness: Harness, clause: str, failing: list[Outcome], minimal: Outcome) -> Diagnosis | None:
    """The catalogued mistakes behind a clause's wrong values (``None`` for the other clauses)."""
    spec = harness.spec
    if clause == "non-finite" and minimal.actual is not None:
        try:
            found = diagnose(minimal.actual, spec, minimal.drawn.config, minimal.drawn.inputs)
        except Exception:
            return None
        return None if found.correct else found
    if clause not in ("values", "promotion"):
        return None
    wrong = [o for o in failing if o.actual is not None and o.case.clauses[clause].worst]
    return _diagnose(harness, wrong) if wrong else None


def _diagnose(harness: Harness, failures: list[Outcome]) -> Diagnosis | None:
    """:func:`diagnose_failures`; each rerun calls the candidate as the failing case did."""
    omitted = {repr(o.drawn.config): o.drawn.omitted for o in failures}

    def rerun(config: dict[str, Any], inputs: dict[str, Any]) -> Any:
        leave_out = omitted.get(repr(config), frozenset())
        with quiet():
            return harness.candidate.call(config, in_backend(harness.xp, copy.deepcopy(inputs)), leave_out)

    found = [Failure(o.drawn.config, o.drawn.inputs, o.actual) for o in failures]
    return diagnose_failures(harness.spec.name, found, rerun)


def _settings_for(harness: Harness, clause: str) -> Any:
    """The settings a clause's reproduction runs with: the option that judges it turned on."""
    s = harness.settings
    if clause == "non-finite" and not s.judges_nonfinite:
        return dataclasses.replace(s, nonfinite=True)
    return s


def _write_up(
    harness: Harness,
    clause: str,
    minimal: Outcome,
    diagnosis: Diagnosis | None,
    name: str,
    target: str | None,
) -> str:
    """A clause's minimal failure: what is off, the case's inputs, the reproduction, the diagnosis."""
    spec, case, drawn = harness.spec, minimal.case, minimal.drawn
    again = {**case.config, **{k: None for k in case.omitted}}  # None: left out of the call again
    w_dtype = _dtypes(drawn)
    settings = _settings_for(harness, clause)
    short = name.rpartition(":")[2].rpartition(".")[2]
    reproduce = reproduction(spec, again, w_dtype, settings, target, short)
    verdict = case.clauses[clause]
    text = failure_message(
        spec, case.config, case.dtype, verdict, settings.seed, target, diagnosis, reproduce
    )
    head, _, rest = text.partition("\n")
    lines = [head]
    if case.omitted:
        lines.append(
            f"  left out of the call: {', '.join(sorted(case.omitted))} (the candidate's default was used)"
        )
    lines += _inputs(drawn)
    return "\n".join([*lines, rest])


def _dtypes(drawn: Any) -> tuple[str, ...]:
    """The case's dtypes, ``w``'s first: what its reproduction draws in."""
    arrays = [drawn.inputs["w"], *drawn.inputs.get("inputs", [])]
    return tuple(dict.fromkeys(np.asarray(a).dtype.name for a in arrays))


def _inputs(drawn: Any) -> list[str]:
    """The case's inputs, as the candidate got them (values, dtype, shape, memory layout)."""
    arrays = {
        "w": drawn.inputs["w"],
        **{f"inputs[{i}]": a for i, a in enumerate(drawn.inputs.get("inputs", []))},
    }
    lines = [f"  inputs ({_layout_words(drawn.layout)}):"]
    for key, a in arrays.items():
        a = np.asarray(a)
        text = np.array2string(a, threshold=64, separator=", ", max_line_width=100).replace("\n", "\n      ")
        lines.append(f"    {key}: {a.dtype}, shape {a.shape}: {text}")
    return lines


def _layout_words(layout: str) -> str:
    return {
        "C": "C-contiguous arrays",
        "F": "Fortran-ordered arrays (w a strided view)",
        "strided": "strided views",
        "readonly": "read-only arrays",
        "broadcast": "the inputs broadcast views of their first row (w a strided view)",
    }[layout]


def _keep(
    report: CheckReport, harness: Harness, clause: str, minimal: Outcome, name: str, target: str | None
) -> None:
    """The first failing clause's case, kept to be drawn (``plot_failure``) and reproduced."""
    case = minimal.case
    again = {**case.config, **{k: None for k in case.omitted}}
    w_dtype = _dtypes(minimal.drawn)
    short = name.rpartition(":")[2].rpartition(".")[2]
    report.reproduce = reproduction(
        harness.spec, again, w_dtype, _settings_for(harness, clause), target, short
    )
    problem = case.clauses[clause].summary()
    report.minimal = MinimalFailure(
        case.config, minimal.drawn.inputs, case.dtype, dense(minimal.actual), problem, case.omitted
    )
