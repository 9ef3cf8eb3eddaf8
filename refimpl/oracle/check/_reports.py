"""What the oracle reports: the exception it raises, and its reports.

:class:`ConformanceError` is raised on a failure; :class:`CheckReport` (with one
:class:`CaseResult` per case) is what :func:`refimpl.testing.check` returns, and
:class:`ProbeReport` what :func:`refimpl.testing.check_matrix` returns. The text of a failure
and its reproduction are ``_reproduction``'s.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...functions import get_function
from ..diagnosis import Diagnosis
from ..judgement import Judgement
from ._clauses import ClauseVerdict
from ._reproduction import Reproduction, Settings, jsonable

__all__ = ["CaseResult", "CheckReport", "ConformanceError", "MinimalFailure", "ProbeReport"]


class ConformanceError(AssertionError):
    """A candidate disagrees with refimpl: an ``AssertionError`` whose ``report`` holds the details.

    Parameters
    ----------
    message : str
        The failure text: the entries off, the worst one, the seed, a reproduction line.
    report : Judgement or CheckReport, optional
        The verdict on one output (from :func:`refimpl.testing.assert_close_to_reference`) or
        the whole report (from :func:`refimpl.testing.check`).

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl.testing import ConformanceError, assert_close_to_reference
    >>> w = np.arange(1.0, 5.0)
    >>> try:
    ...     assert_close_to_reference(np.zeros((2, 2)), "duplicated_padding", w, 2, 2, 1)
    ... except ConformanceError as exc:
    ...     print(isinstance(exc, AssertionError), exc.report.wrong, exc.report.total)
    True 4 4
    """

    __module__ = "refimpl.testing"  # where users import it from, and what a traceback names

    def __init__(self, message: str, report: Any = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class CaseResult:
    """One configuration tried by :func:`refimpl.testing.check`, and its verdicts.

    Parameters
    ----------
    config : dict
        The configuration, in the convention of :mod:`refimpl.functions`.
    dtype : str
        The dtype the output must have.
    verdict : Judgement
        The verdict on the candidate's output.
    gradient : Judgement, optional
        The verdict on its gradients (with ``grad=True``, when the output passed).
    raised : str, optional
        ``"RuntimeError: ..."`` when the candidate raised instead of returning.
    omitted : frozenset of str, optional
        The optional arguments (``q``, ``n``) left out of the call, so the candidate's defaults ran.
    clauses : dict of str to Judgement, optional
        The verdict of each clause judged on this case (``"values"``, ``"shape"``, ``"dtype"``,
        ``"structure"``, ``"returns"``, ``"side effects"``, ``"determinism"``, ``"non-finite"``,
        ``"promotion"``, ``"gradients"``).
    phase : {"drawn", "edge", "shrinking"}, default "drawn"
        Where the case came from: the edges of the configuration space, the ``examples`` cases
        Hypothesis draws, or the shrinking of a failing clause (the draws again up to its first
        failure, then smaller cases).

    Examples
    --------
    >>> import refimpl
    >>> from refimpl.testing import check
    >>> report = check(refimpl.duplicated_padding, "duplicated_padding", examples=3, raise_on_failure=False)
    >>> case = report.cases[0]
    >>> case.passed, case.dtype in ("float64", "float32"), case.gradient is None, case.raised, case.phase
    (True, True, True, '', 'edge')
    """

    config: dict[str, Any]
    dtype: str
    verdict: Judgement
    gradient: Judgement | None = None
    raised: str = ""
    omitted: frozenset[str] = frozenset()
    clauses: dict[str, Judgement] = field(default_factory=dict)
    phase: str = "drawn"

    @property
    def passed(self) -> bool:
        """Whether every clause judged on this case passed."""
        return (
            self.verdict.passed
            and (self.gradient is None or self.gradient.passed)
            and all(v.passed for v in self.clauses.values())
        )

    @property
    def failing(self) -> list[str]:
        """The clauses this case fails."""
        return [name for name, v in self.clauses.items() if not v.passed]


@dataclass
class MinimalFailure:
    """The minimal failing case of a :class:`CheckReport`, kept to be drawn or inspected.

    Parameters
    ----------
    config : dict
        The configuration, every default applied.
    inputs : dict
        ``{"w": w}`` (and ``"inputs"`` for the fusions) as NumPy arrays, as the candidate got them.
    dtype : str
        The dtype the output must have.
    actual : numpy.ndarray or None
        The candidate's output, dense; ``None`` when it raised or changed an argument.
    problem : str
        What was wrong, in one line.
    omitted : frozenset of str
        The optional arguments left out of the call.
    """

    config: dict[str, Any]
    inputs: dict[str, Any]
    dtype: str
    actual: np.ndarray | None
    problem: str
    omitted: frozenset[str] = frozenset()


@dataclass
class CheckReport:
    """What :func:`refimpl.testing.check` found: every case tried, the minimal failure, its diagnosis.

    ``str(report)`` gives the summary line, the calling convention, a table of the cases and
    the minimal failure.

    Parameters
    ----------
    function : str
        The refimpl function the candidate implements.
    target : str
        The candidate's name (``"module:callable"``).
    cases : list of CaseResult, optional
        Every case tried, in order (the second calls of the determinism check included).
    failure : str, optional
        The text of the minimal failing case; empty when every case passed.
    diagnosis : Diagnosis, optional
        The catalogued mistakes that reproduce the failures.
    seed : int, optional
        Hypothesis's seed.
    convention : str, optional
        How the candidate was called (``"function"``, ``"class, w as (1, l)"``, ...).
    settings : Settings, optional
        The settings ``check`` ran with.
    minimal : MinimalFailure, optional
        The minimal failing case (what :func:`refimpl.plotting.plot_failure` draws).
    reproduce : Reproduction, optional
        The command and the Python line that run the minimal failing case again.
    rerun : int, optional
        How many cases were run a second time to check that the candidate is deterministic.
    clauses : dict of str to ClauseVerdict, optional
        The verdict on each clause, judged or not (SPEC, "What a check judges").
    backend_note : str, optional
        Why the backend was chosen (with ``backend="auto"``).

    Examples
    --------
    >>> import refimpl
    >>> from refimpl.examples import column_major_dual_lphm
    >>> from refimpl.testing import check
    >>> report = check(refimpl.duplicated_padding, "duplicated_padding", examples=5, raise_on_failure=False)
    >>> report.passed, report.target, report.failure, report.convention
    (True, 'refimpl.functions.duplicated_padding:duplicated_padding', '', 'function')
    >>> bad = check(column_major_dual_lphm, "dual_lphm", examples=30, raise_on_failure=False)
    >>> bad.passed, bad.to_json()["passed"], "minimal failing case" in str(bad)
    (False, False, True)
    >>> bad.reproduce.command.startswith("refimpl check refimpl.examples:column_major_dual_lphm --function dual_lphm")
    True
    """

    function: str
    target: str
    cases: list[CaseResult] = field(default_factory=list)
    failure: str = ""
    diagnosis: Diagnosis | None = None
    seed: Any = None
    convention: str = "function"
    settings: Settings = field(default_factory=Settings)
    minimal: MinimalFailure | None = None
    reproduce: Reproduction | None = None
    rerun: int = 0
    clauses: dict[str, ClauseVerdict] = field(default_factory=dict)
    backend_note: str = ""

    @property
    def passed(self) -> bool:
        """Whether every clause judged passed."""
        return not self.failure

    def table(self, limit: int = 12) -> str:
        """The cases, one a row (the first and last ``limit // 2`` when there are more)."""
        rows = [f"  {'configuration':<58} {'dtype':<11} {'result':<6} worst error / bound"]
        half = limit // 2
        shown = self.cases if len(self.cases) <= limit else self.cases[:half] + self.cases[-half:]
        spec = get_function(self.function)
        for case in shown:
            v = case.verdict
            ratio = (
                f"{v.worst['error']:.2g} / {v.worst['allowed']:.2g}" if v.worst else (v.problem[:40] or "-")
            )
            result = "pass" if case.passed else "FAIL"
            rows.append(f"  {spec.describe(case.config)[:58]:<58} {case.dtype:<11} {result:<6} {ratio}")
        if len(self.cases) > limit:
            rows.insert(half + 1, f"  ... {len(self.cases) - limit} more ...")
        return "\n".join(rows)

    def _counts(self) -> str:
        """The cases by where they came from: ``"46 cases: 16 edges, 30 drawn"``, then the
        shrinking's, if any (:attr:`CaseResult.phase`)."""
        phases = Counter(c.phase for c in self.cases)
        parts = [f"{phases['edge']} edges"] if phases["edge"] else []
        parts.append(f"{phases['drawn']} drawn")
        if phases["shrinking"]:
            parts.append(f"{phases['shrinking']} while shrinking")
        return f"{len(self.cases)} cases: " + ", ".join(parts)

    def __str__(self) -> str:
        failing = sum(not c.passed for c in self.cases)
        raised = sum(bool(c.raised) for c in self.cases)
        head = (
            f"refimpl check: {self.target} against refimpl.{self.function}: "
            + ("PASS" if self.passed else "FAIL")
            + f" ({self._counts()}; {failing} failing"
            + (f", {raised} raised" if raised else "")
            + f", seed {self.seed})"
        )
        s = self.settings
        how = (
            f"  called as: {self.convention}; backend {s.backend}"
            + (f" ({self.backend_note})" if self.backend_note else "")
            + f"; dtypes {', '.join(s.dtypes)}, {s.examples} examples after the edge cases, rows up to "
            f"{s.max_rows}; {self.rerun} cases run twice (determinism)"
        )
        parts = [head, how, "clauses:", *(v.line() for v in self.clauses.values()), self.table()]
        if self.failure:
            parts.append("minimal failing case of each failing clause:\n" + self.failure)
        return "\n".join(parts)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (what ``refimpl check --json`` prints)."""
        return {
            "function": self.function,
            "target": self.target,
            "passed": self.passed,
            "seed": self.seed,
            "convention": self.convention,
            "settings": {**self.settings.__dict__, "dtypes": list(self.settings.dtypes)},
            "cases": [
                {
                    "config": jsonable(c.config),
                    "dtype": c.dtype,
                    "passed": c.passed,
                    "summary": c.verdict.summary(),
                    "raised": c.raised,
                    "omitted": sorted(c.omitted),
                    "phase": c.phase,
                }
                for c in self.cases
            ],
            "clauses": {
                name: {"judged": v.judged, "passed": v.passed, "failing cases": v.cases, "failure": v.failure}
                for name, v in self.clauses.items()
            },
            "backend_note": self.backend_note,
            "failure": self.failure,
            "reproduce": None if self.reproduce is None else self.reproduce._asdict(),
            "diagnosis": None if self.diagnosis is None else {"matches": self.diagnosis.matches},
        }


@dataclass
class ProbeReport:
    """What :func:`refimpl.testing.check_matrix` found; ``str(report)`` is ``message``.

    Parameters
    ----------
    passed : bool
        Whether every probe agreed.
    probes : int
        The number of probe vectors tried (0 when the shape is already wrong).
    message : str
        One line: what agreed, or the worst disagreement.
    false_pass_probability : float
        An upper bound on the chance that a wrong matrix passes these probes, ``2**-probes``.

    Examples
    --------
    >>> import numpy as np
    >>> import refimpl
    >>> from refimpl.testing import check_matrix
    >>> w = np.arange(1.0, 5.0)
    >>> report = check_matrix(refimpl.duplicated_padding(w, 4, 4, 2), "duplicated_padding", w, 4, 4, 2, probes=10)
    >>> report.passed, report.probes, report.false_pass_probability
    (True, 10, 0.0009765625)
    >>> print(report)
    duplicated_padding(n=4, D=4, p=2, q=2): 10 probes agree; a wrong matrix passes with probability <= 0.000977
    """

    passed: bool
    probes: int
    message: str
    false_pass_probability: float

    def __str__(self) -> str:
        return self.message
