"""What the oracle reports: the exception it raises, its reports, and the text of a failure.

:class:`ConformanceError` is raised on a failure; :class:`CheckReport` (with one
:class:`CaseResult` per case) is what :func:`refimpl.testing.check` returns, and
:class:`ProbeReport` what :func:`refimpl.testing.check_matrix` returns. :func:`failure_message`
writes the failure text that both ``check`` and ``assert_close_to_reference`` print: the
entries off, the worst one, the seed, a reproduction line and the diagnosis.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .diagnosis import Diagnosis
from .registry import FunctionSpec, get_spec
from .tolerance import Judgement

__all__ = ["CaseResult", "CheckReport", "ConformanceError", "ProbeReport", "failure_message", "jsonable"]


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

    def __init__(self, message: str, report: Any = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class CaseResult:
    """One configuration tried by :func:`refimpl.testing.check`, and its verdicts.

    Parameters
    ----------
    config : dict
        The configuration, in the convention of :mod:`refimpl.oracle.registry`.
    dtype : str
        The dtype of the inputs, and of the output expected.
    verdict : Judgement
        The verdict on the candidate's output.
    gradient : Judgement, optional
        The verdict on its gradients (with ``grad=True``, when the output passed).

    Examples
    --------
    >>> import refimpl
    >>> from refimpl.testing import check
    >>> report = check(refimpl.duplicated_padding, "duplicated_padding", examples=3, raise_on_failure=False)
    >>> case = report.cases[0]
    >>> case.passed, case.dtype in ("float64", "float32"), case.gradient is None
    (True, True, True)
    """

    config: dict[str, Any]
    dtype: str
    verdict: Judgement
    gradient: Judgement | None = None

    @property
    def passed(self) -> bool:
        """Whether the output (and the gradients, when checked) agree with refimpl."""
        return self.verdict.passed and (self.gradient is None or self.gradient.passed)


@dataclass
class CheckReport:
    """What :func:`refimpl.testing.check` found: every case tried, the minimal failure, its diagnosis.

    ``str(report)`` gives the summary line, a table of the cases and the minimal failure.

    Parameters
    ----------
    function : str
        The refimpl function the candidate implements.
    target : str
        The candidate's name (``"module:callable"``).
    cases : list of CaseResult, optional
        Every case tried, in order.
    failure : str, optional
        The text of the minimal failing case; empty when every case passed.
    diagnosis : Diagnosis, optional
        The catalogued mistakes that reproduce the minimal failure.
    seed : int, optional
        Hypothesis's seed.

    Examples
    --------
    >>> import refimpl
    >>> from refimpl.examples import column_major_dual_lphm
    >>> from refimpl.testing import check
    >>> report = check(refimpl.duplicated_padding, "duplicated_padding", examples=5, raise_on_failure=False)
    >>> report.passed, report.target, report.failure
    (True, 'refimpl.padding:duplicated_padding', '')
    >>> bad = check(column_major_dual_lphm, "dual_lphm", examples=30, raise_on_failure=False)
    >>> bad.passed, bad.to_json()["passed"], "minimal failing case" in str(bad)
    (False, False, True)
    """

    function: str
    target: str
    cases: list[CaseResult] = field(default_factory=list)
    failure: str = ""
    diagnosis: Diagnosis | None = None
    seed: Any = None

    @property
    def passed(self) -> bool:
        """Whether every case passed."""
        return not self.failure

    def table(self, limit: int = 12) -> str:
        """The cases, one a row (the first and last ``limit // 2`` when there are more)."""
        rows = [f"  {'configuration':<58} {'dtype':<11} {'result':<6} worst error / bound"]
        half = limit // 2
        shown = self.cases if len(self.cases) <= limit else self.cases[:half] + self.cases[-half:]
        spec = get_spec(self.function)
        for case in shown:
            v = case.verdict
            ratio = f"{v.worst['error']:.2g} / {v.worst['allowed']:.2g}" if v.worst else (v.problem[:40] or "-")
            result = "pass" if case.passed else "FAIL"
            rows.append(f"  {spec.describe(case.config)[:58]:<58} {case.dtype:<11} {result:<6} {ratio}")
        if len(self.cases) > limit:
            rows.insert(half + 1, f"  ... {len(self.cases) - limit} more ...")
        return "\n".join(rows)

    def __str__(self) -> str:
        failing = sum(not c.passed for c in self.cases)
        head = (
            f"refimpl check: {self.target} against refimpl.{self.function}: "
            + ("PASS" if self.passed else "FAIL")
            + f" ({len(self.cases)} cases, {failing} failing, seed {self.seed})"
        )
        parts = [head, self.table()]
        if self.failure:
            parts.append("minimal failing case:\n" + self.failure)
        return "\n".join(parts)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (what ``refimpl check --json`` prints)."""
        return {
            "function": self.function,
            "target": self.target,
            "passed": self.passed,
            "seed": self.seed,
            "cases": [
                {"config": jsonable(c.config), "dtype": c.dtype, "passed": c.passed, "summary": c.verdict.summary()}
                for c in self.cases
            ],
            "failure": self.failure,
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


def jsonable(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` with its tuples as lists, as JSON has them."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()}


def _reproduction(spec: FunctionSpec, config: dict[str, Any], seed: Any, target: str | None) -> str:
    """A command (for an importable candidate) or a call that tries exactly this case again."""
    if target:
        seed_option = f" --seed {seed}" if seed is not None else ""
        return f"refimpl check {target} --function {spec.name} --config '{json.dumps(jsonable(config))}'{seed_option}"
    return f"refimpl.testing.check(candidate, {spec.name!r}, config={jsonable(config)!r}, seed={seed!r})"


def failure_message(
    spec: FunctionSpec, config: dict[str, Any], dtype: Any, verdict: Judgement, seed: Any, target: str | None,
    diagnosis: Diagnosis | None = None,
) -> str:
    """The text of one failure: what is off, the worst entry, the seed, a reproduction, the diagnosis."""
    head = f"{spec.describe(config)}, {np.dtype(dtype)}: "
    lines = [head + (verdict.problem or f"{verdict.wrong} of {verdict.total} entries are off")]
    if verdict.worst:
        w = verdict.worst
        lines.append(
            f"  worst entry {w['index']}: expected {w['expected']!r}, actual {w['actual']!r}, "
            f"error {w['error']:.3g}, allowed {w['allowed']:.3g}"
            + (" (exact check)" if verdict.exact else f" (gamma_K u |.| bound, K={verdict.K})")
        )
    if seed is not None:
        lines.append(f"  seed: {seed}")
    lines.append(f"  reproduce: {_reproduction(spec, config, seed, target)}")
    if diagnosis is not None:
        lines.append("  diagnosis: " + str(diagnosis).replace("\n", "\n  "))
    return "\n".join(lines)
