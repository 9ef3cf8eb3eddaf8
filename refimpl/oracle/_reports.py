"""What the oracle reports: the exception it raises, its reports, and the text of a failure.

:class:`ConformanceError` is raised on a failure; :class:`CheckReport` (with one
:class:`CaseResult` per case) is what :func:`refimpl.testing.check` returns, and
:class:`ProbeReport` what :func:`refimpl.testing.check_matrix` returns. :func:`failure_message`
writes the failure text that both ``check`` and ``assert_close_to_reference`` print: the
entries off, the worst one, the seed, a reproduction (:func:`reproduction`, as a command and as a
Python line that run as printed) and the diagnosis.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from ..functions import Function, get_function
from .diagnosis import Diagnosis
from .tolerance import Judgement

__all__ = [
    "CaseResult",
    "CheckReport",
    "ConformanceError",
    "MinimalFailure",
    "ProbeReport",
    "Reproduction",
    "Settings",
    "failure_message",
    "jsonable",
    "reproduction",
]


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


@dataclass(frozen=True)
class Settings:
    """The settings a :func:`refimpl.testing.check` ran with: what its reproduction line repeats.

    Examples
    --------
    >>> from refimpl.oracle._reports import Settings
    >>> Settings(examples=50, seed=3).backend, Settings().max_rows
    ('numpy', 64)
    """

    examples: int = 100
    seed: int = 0
    backend: str = "numpy"
    dtypes: tuple[str, ...] = ("float64", "float32")
    max_side: int = 4
    max_rows: int = 64
    grad: bool = False


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

    Examples
    --------
    >>> import refimpl
    >>> from refimpl.testing import check
    >>> report = check(refimpl.duplicated_padding, "duplicated_padding", examples=3, raise_on_failure=False)
    >>> case = report.cases[0]
    >>> case.passed, case.dtype in ("float64", "float32"), case.gradient is None, case.raised
    (True, True, True, '')
    """

    config: dict[str, Any]
    dtype: str
    verdict: Judgement
    gradient: Judgement | None = None
    raised: str = ""
    omitted: frozenset[str] = frozenset()

    @property
    def passed(self) -> bool:
        """Whether the output (and the gradients, when checked) agree with refimpl."""
        return self.verdict.passed and (self.gradient is None or self.gradient.passed)


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


class Reproduction(NamedTuple):
    """How to run a failing case again: a command and a Python line (``None`` with ``note`` when not importable)."""

    command: str | None
    python: str
    note: str = ""


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

    @property
    def passed(self) -> bool:
        """Whether every case passed."""
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

    def __str__(self) -> str:
        failing = sum(not c.passed for c in self.cases)
        raised = sum(bool(c.raised) for c in self.cases)
        head = (
            f"refimpl check: {self.target} against refimpl.{self.function}: "
            + ("PASS" if self.passed else "FAIL")
            + f" ({len(self.cases)} cases, {failing} failing"
            + (f", {raised} raised" if raised else "")
            + f", seed {self.seed})"
        )
        s = self.settings
        how = (
            f"  called as: {self.convention}; backend {s.backend}, dtypes {', '.join(s.dtypes)}, "
            f"{s.examples} examples, rows up to {s.max_rows}; {self.rerun} cases run twice (determinism)"
        )
        parts = [head, how, self.table()]
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
                }
                for c in self.cases
            ],
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


def jsonable(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` as JSON has it: tuples as lists, NumPy integers as ints.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl.oracle._reports import jsonable
    >>> jsonable({"dims": (2, np.int64(3)), "batch": (), "n": np.int64(4)})
    {'dims': [2, 3], 'batch': [], 'n': 4}
    """

    def plain(v: Any) -> Any:
        if isinstance(v, (tuple, list)):
            return [plain(x) for x in v]
        return v.item() if isinstance(v, np.generic) else v

    return {k: plain(v) for k, v in config.items()}


def reproduction(
    spec: Function,
    config: dict[str, Any],
    dtype: str,
    settings: Settings | None,
    target: str | None,
    name: str = "candidate",
) -> Reproduction:
    """The command and the Python line that try exactly this configuration again, in ``dtype``.

    ``target`` is the candidate's importable ``MODULE:CALLABLE``, or ``None`` for one defined
    in ``__main__`` or inside a function (``name`` is then shown in its place).

    Examples
    --------
    >>> from refimpl.oracle._reports import Settings, reproduction
    >>> from refimpl.functions import get_function
    >>> r = reproduction(get_function("duplicated_padding"), {"n": 2, "D": 2, "p": 1, "q": 1}, "float32",
    ...                  Settings(examples=20, seed=3), "mymodule:pad")
    >>> print(r.command)
    refimpl check mymodule:pad --function duplicated_padding --config '{"n": 2, "D": 2, "p": 1, "q": 1}' --backend numpy --dtypes float32 --seed 3 --examples 20 --max-side 4 --max-rows 64
    >>> print(r.python)
    import refimpl.testing, mymodule; print(refimpl.testing.check(mymodule.pad, 'duplicated_padding', config={'n': 2, 'D': 2, 'p': 1, 'q': 1}, backend='numpy', dtypes=('float32',), seed=3, examples=20, max_side=4, max_rows=64))
    """
    s = settings or Settings()
    plain = jsonable(config)
    grad = " --grad" if s.grad else ""
    keywords = (
        f"config={plain!r}, backend={s.backend!r}, dtypes=({dtype!r},), seed={s.seed!r}, examples={s.examples}, "
        f"max_side={s.max_side}, max_rows={s.max_rows}" + (", grad=True" if s.grad else "")
    )
    if target is None:
        note = (
            f"{name} is defined in __main__ or inside a function, so it cannot be reproduced by name; "
            "move it to a module to get a command, or pass it to this call"
        )
        return Reproduction(None, f"refimpl.testing.check({name}, {spec.name!r}, {keywords})", note)
    module, _, attribute = target.partition(":")
    command = (
        f"refimpl check {target} --function {spec.name} --config {shlex.quote(json.dumps(plain))} "
        f"--backend {s.backend} --dtypes {dtype} --seed {s.seed} --examples {s.examples} "
        f"--max-side {s.max_side} --max-rows {s.max_rows}{grad}"
    )
    python = f"import refimpl.testing, {module}; print(refimpl.testing.check({module}.{attribute}, {spec.name!r}, {keywords}))"
    return Reproduction(command, python)


def failure_message(
    spec: Function,
    config: dict[str, Any],
    dtype: Any,
    verdict: Judgement,
    seed: Any,
    target: str | None,
    diagnosis: Diagnosis | None = None,
    reproduce: Reproduction | None = None,
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
    if reproduce is None:  # one output (assert_close_to_reference): the check of a candidate on this case
        lines.append(
            f"  reproduce: refimpl.testing.check(candidate, {spec.name!r}, config={jsonable(config)!r}, "
            f"dtypes=({str(np.dtype(dtype))!r},), seed={seed!r})"
        )
    elif reproduce.note:
        lines.append(f"  reproduce: {reproduce.note}:")
        lines.append(f"    {reproduce.python}")
    else:
        lines.append(f"  reproduce: {reproduce.command}")
        lines.append(f"  or in Python: {reproduce.python}")
    if diagnosis is not None:
        lines.append("  diagnosis: " + str(diagnosis).replace("\n", "\n  "))
    return "\n".join(lines)
