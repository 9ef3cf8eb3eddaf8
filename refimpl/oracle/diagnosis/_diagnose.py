"""The diagnosis of one wrong output: :class:`Diagnosis`, and :func:`diagnose`.

An output is compared with the reference (for the padding functions, its misplaced entries are
decoded into the entries of ``w`` they hold), and the combinations of catalogued mistakes that
reproduce it are searched (``_combinations``). :func:`value_failure` prepares one output for
that search; ``_failures`` uses it on each failing case of a candidate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..._outputs import to_numpy
from ...functions import Function, get_function
from .. import mistakes as _mistakes
from ..judgement import disagreeing
from ..mistakes import Pipeline
from ..tolerance import expected_and_bound, output_bound, result_dtype
from ._combinations import Found, Trial, search

__all__ = ["Diagnosis", "ValueFailure", "diagnose", "name_matches", "value_failure"]


@dataclass
class Diagnosis:
    """What :func:`diagnose` or :func:`diagnose_failures` found out about wrong outputs.

    Each catalogued mistake of :mod:`refimpl.oracle.mistakes`, alone and combined with others
    of other stages, was rebuilt from the candidate's inputs; ``matches`` names those that
    reproduce the candidate's outputs. ``str()`` gives the report in words.

    Parameters
    ----------
    matches : list of str
        The catalogued mistakes (single, or up to three joined by ``" + "``) whose output
        reproduces the candidate's within the oracle's tolerance (every case of
        :func:`diagnose_failures`), by their prose names; empty when none does.
    misplaced : list of str
        Padding functions with distinct entries of ``w``: the first misplaced entries, as
        ``"entry (i, j) holds w[k], expected w[k']"`` (indices from 0).
    correct : bool
        The output agrees with the reference: there is nothing to diagnose.
    function : str
        The name of the diagnosed function.
    config : dict
        Its configuration, every default applied.
    misplaced_count : int
        How many entries are misplaced in all (padding functions, when decodable).
    tried : int
        How many mistakes and combinations of mistakes were tried.
    notes : list of str
        Anything else worth saying: a shape that differs from the expected one, a ``w`` that
        cannot be decoded, the cases diagnosed.
    cases : int
        On how many failing cases the matches were checked (:func:`diagnose_failures`).

    Attributes
    ----------
    matches, misplaced, correct, function, config, misplaced_count, tried, notes, cases
        As given.

    See Also
    --------
    diagnose : What makes a Diagnosis.
    refimpl.oracle.mistakes.catalogue : The mistakes tried.

    Examples
    --------
    >>> from refimpl.testing import Diagnosis
    >>> d = Diagnosis(matches=["output transposed"], function="dual_lphm", tried=42)
    >>> print(d)
    the output is reproduced by this known mistake:
      - output transposed
    >>> print(Diagnosis(tried=42))
    no known mistake matches (tried 42 mistakes and combinations of mistakes)
    """

    matches: list[str] = field(default_factory=list)
    misplaced: list[str] = field(default_factory=list)
    correct: bool = False
    function: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    misplaced_count: int = 0
    tried: int = 0
    notes: list[str] = field(default_factory=list)
    cases: int = 1

    def __str__(self) -> str:
        if self.correct:
            return (
                "the output is correct (it agrees with the reference within the oracle's tolerance): "
                "nothing to diagnose"
            )
        lines = []
        if self.matches:
            which = "this known mistake" if len(self.matches) == 1 else "each of these known mistakes"
            lines.append(f"the output is reproduced by {which}:")
            lines += [f"  - {name}" for name in self.matches]
        else:
            lines.append(
                f"no known mistake matches (tried {self.tried} mistakes and combinations of mistakes)"
            )
        lines += self.notes
        if self.misplaced:
            lines.append(
                f"{self.misplaced_count} entries hold the wrong entry of w (indices from 0); the first:"
            )
            lines += [f"  {entry}" for entry in self.misplaced]
        return "\n".join(lines)


# -- the candidate's output ---------------------------------------------------------------------


def _candidate_dtype(actual: np.ndarray, inputs: dict[str, Any]) -> np.dtype:
    """The dtype whose rounding the candidate went through: its own, or (for an integer output)
    the one refimpl gives for the inputs."""
    return actual.dtype if actual.dtype.kind in "fc" else result_dtype(inputs)


# -- the entry-by-entry decoding of the padding functions -----------------------------------------


@dataclass(frozen=True)
class _Misplaced:
    """The first misplaced entries in words, how many there are, and why they are not decoded."""

    lines: list[str]
    count: int
    note: str = ""


def _misplaced(
    actual: np.ndarray, expected: np.ndarray, off: np.ndarray, w: np.ndarray, limit: int
) -> _Misplaced:
    """The first ``limit`` misplaced entries, decoded by the entry of ``w`` they hold."""
    count = int(np.count_nonzero(off))
    stored = w.astype(actual.dtype) if actual.dtype.kind in "fc" else w
    if np.any(np.isnan(stored)) or np.unique(stored).size != stored.size:
        return _Misplaced(
            [],
            count,
            (
                "w has repeated (or NaN) entries, so the entries of the output cannot be traced back to "
                "the entries of w; pass distinct entries, such as 1..l, to see which entry each one holds"
            ),
        )
    index = {value: k for k, value in enumerate(stored.tolist())}

    def label(value: Any) -> str:
        if value in index:
            return f"w[{index[value]}]"
        return "0" if value == 0 else "a value that is no entry of w"

    reference = expected.astype(stored.dtype)
    lines = []
    for position in np.argwhere(off)[:limit]:
        at = tuple(int(i) for i in position)
        lines.append(f"entry {at} holds {label(actual[at].item())}, expected {label(reference[at].item())}")
    return _Misplaced(lines, count)


def _against_reference(
    diagnosis: Diagnosis, a: np.ndarray, expected: np.ndarray, bound: np.ndarray, w: np.ndarray, limit: int
) -> None:
    """Compare with the reference: set ``correct``, or the misplaced entries and the notes."""
    if a.shape != expected.shape:
        diagnosis.notes.append(f"the output has shape {a.shape}, the reference {expected.shape}")
        return
    with np.errstate(all="ignore"):
        off = disagreeing(a, expected, bound, exact=get_function(diagnosis.function).exact)
    if not off.any():
        diagnosis.correct = True
    elif get_function(diagnosis.function).exact:
        found = _misplaced(a, expected, off, w, limit)
        diagnosis.misplaced, diagnosis.misplaced_count = found.lines, found.count
        diagnosis.notes += [found.note] if found.note else []


# -- the diagnosis --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueFailure:
    """A value failure ready to diagnose: its description against the reference, and its trial."""

    diagnosis: Diagnosis
    trial: Trial


def value_failure(
    spec: Function, config: dict[str, Any], actual: Any, inputs: dict[str, Any], limit: int = 5
) -> ValueFailure | None:
    """``actual`` compared with the reference; ``None`` when its values are right (or unreadable)."""
    try:
        a = to_numpy(actual)
    except Exception:
        return None
    if a.dtype.kind not in "biufc":
        return None
    dtype = _candidate_dtype(a, inputs)
    a = a if a.dtype.kind in "fc" else a.astype(np.float64)
    expected, bound, _ = expected_and_bound(spec, config, inputs, dtype)
    pipeline = Pipeline(spec, config, inputs)
    diagnosis = Diagnosis(function=spec.name, config=config)
    _against_reference(diagnosis, a, expected, bound, pipeline.w, limit)
    if diagnosis.correct:
        return None
    return ValueFailure(diagnosis, Trial(a, pipeline, output_bound(spec, config, inputs, dtype)))


def name_matches(diagnosis: Diagnosis, found: Found) -> None:
    """Set the diagnosis' matches (their prose names) and how many combinations were tried."""
    diagnosis.matches = [" + ".join(m.name for m in combination) for combination in found.matches]
    diagnosis.tried = found.tried
    if not found.complete:
        diagnosis.notes.append(f"the search stopped after {found.tried} combinations of mistakes")


def diagnose(
    actual: Any,
    function: str | Function,
    config: dict[str, Any],
    inputs: dict[str, Any],
    *,
    limit: int = 5,
) -> Diagnosis:
    """Name the catalogued mistakes that reproduce a wrong output.

    Every catalogued mistake (see the module docstring) is applied to the candidate's own
    inputs in float64 (complex128), alone, in pairs from different stages of the computation,
    and, when no single mistake or pair does, in triples; those whose output agrees with
    ``actual`` under the oracle's rule are named: the bound of
    :func:`refimpl.oracle.tolerance.expected_and_bound` for ``actual``'s dtype, with the
    magnitude taken from the mistaken computation on the absolute values of the inputs (exact
    equality for the padding functions). For the padding functions with distinct entries of
    ``w``, the misplaced entries are also decoded into the entries of ``w`` they hold.

    One output of a small configuration can agree with several mistakes by chance; to diagnose
    a candidate, :func:`diagnose_failures` reruns it on informative inputs and names only what
    reproduces every failing case.

    Parameters
    ----------
    actual : array
        The candidate's output, from any array library (dense or sparse).
    function : str or Function
        A name of :data:`refimpl.functions.FUNCTIONS`, e.g. ``"dual_lphm"``.
    config : dict
        The configuration, with the keys of the function (see :mod:`refimpl.functions`).
    inputs : dict
        ``{"w": w}``, and ``"inputs": [A_1, ..., A_k]`` for the fusions, in any array library.
    limit : int, default 5
        How many misplaced entries to report at most.

    Returns
    -------
    Diagnosis
        ``matches`` names the mistakes that reproduce ``actual`` (``" + "`` joins a combination);
        ``correct`` is set when ``actual`` agrees with the reference. ``str()`` gives a report.

    Raises
    ------
    RefimplError
        If the configuration or the inputs are invalid for ``function``.

    Examples
    --------
    A duplicated padding that reshapes ``w`` column-major, and transposes its output:

    >>> import numpy as np
    >>> from refimpl.testing import diagnose
    >>> w = np.arange(1.0, 7.0)  # distinct entries: the output can be traced back to w
    >>> config = {"n": 4, "D": 3, "p": 2, "q": 1}  # s = 2, t = 3
    >>> W = w.reshape(3, 2).T  # column-major reshape to (s, t)
    >>> wrong = np.tile(W, (2, 1)).T  # kron(ones(2, 1), W), transposed: shape (3, 4)
    >>> d = diagnose(wrong, "duplicated_padding", config, {"w": w})
    >>> d.matches
    ['column-major reshape of w + output transposed']
    >>> print(d)
    the output is reproduced by this known mistake:
      - column-major reshape of w + output transposed
    the output has shape (3, 4), the reference (4, 3)

    A correct output is not diagnosed:

    >>> right = np.tile(w.reshape(2, 3), (2, 1))
    >>> print(diagnose(right, "duplicated_padding", config, {"w": w}))
    the output is correct (it agrees with the reference within the oracle's tolerance): nothing to diagnose
    """
    spec = get_function(function)
    config = spec.normalize(config)
    a = to_numpy(actual)
    if a.dtype.kind not in "biufc":
        a = a.astype(np.float64)  # numbers in an object array, or refused here
    expected_and_bound(spec, config, inputs, _candidate_dtype(a, inputs))  # checks config and inputs
    case = value_failure(spec, config, a, inputs, limit)
    if case is None:
        return Diagnosis(correct=True, function=spec.name, config=config)
    name_matches(case.diagnosis, search(_mistakes.catalogue(spec, config), [case.trial]))
    return case.diagnosis
