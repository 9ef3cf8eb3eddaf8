"""Diagnosis of wrong outputs: which catalogued implementation mistakes reproduce them.

The mistakes are those of :mod:`refimpl.oracle.mistakes`, the one catalogue, where each
changes one *stage* of the computation. The outputs of the mistakes are built in float64
(complex128) from the candidate's own inputs, alone, in pairs from two different stages and,
when none of these reproduces the candidate's output, in triples
(:mod:`refimpl.oracle._combinations` searches them); a combination is named when it reproduces
the output under the oracle's rule (:func:`refimpl.oracle.tolerance.disagreeing`, with the
bound of :func:`refimpl.oracle.tolerance.expected_and_bound` for the candidate's dtype and the
magnitude of the mistaken computation itself; exact equality for the padding functions). A pair
is not named when one of its mistakes already reproduces the output alone. Mistakes are named by
their prose names (:attr:`refimpl.oracle.mistakes.Mistake.name`), joined by ``" + "``.

* :func:`diagnose` diagnoses one output. On a tiny output (one row, ``w`` of 0s and 1s)
  unrelated mistakes can agree with it by chance.
* :func:`diagnose_failures` diagnoses a candidate: it reruns its failing configurations on
  :func:`informative_inputs` and names only the combinations that reproduce every one of them,
  or says that no known mistake matches. A confident wrong name is worse than silence.

For the padding functions, which only copy entries of ``w``, a ``w`` with distinct entries (say
``1..l``) lets the output be decoded: each entry tells which entry of ``w`` it holds, and the
first misplaced entries are reported as ``entry (i, j) holds w[k], expected w[k']``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._outputs import to_numpy
from ..functions import Function, get_function
from . import mistakes as _mistakes
from ._combinations import Found, Trial, disagreeing, search
from ._informative import generic_configurations, grown_configurations, informative_inputs, telling
from .mistakes import Pipeline
from .tolerance import expected_and_bound, output_bound, result_dtype

__all__ = ["Diagnosis", "Failure", "diagnose", "diagnose_failures", "informative_inputs"]


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
class _Case:
    """A value failure ready to diagnose: its description against the reference, and its trial."""

    diagnosis: Diagnosis
    trial: Trial


def _value_failure(
    spec: Function, config: dict[str, Any], actual: Any, inputs: dict[str, Any], limit: int = 5
) -> _Case | None:
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
    return _Case(diagnosis, Trial(a, pipeline, output_bound(spec, config, inputs, dtype)))


def _name(diagnosis: Diagnosis, found: Found) -> None:
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
    case = _value_failure(spec, config, a, inputs, limit)
    if case is None:
        return Diagnosis(correct=True, function=spec.name, config=config)
    _name(case.diagnosis, search(_mistakes.catalogue(spec, config), [case.trial]))
    return case.diagnosis


# -- the diagnosis of a candidate's failures ------------------------------------------------------

#: The most failing configurations a diagnosis reruns, the largest first.
CASES = 4


@dataclass
class Failure:
    """One failing case of a candidate: its configuration, inputs and output.

    Parameters
    ----------
    config : dict
        The configuration the candidate was called with.
    inputs : dict
        ``{"w": w}``, and ``"inputs": [A_1, ..., A_k]`` for the fusions, as NumPy arrays.
    actual : object
        The candidate's output, in any array library; ``None`` when the candidate raised.
    """

    config: dict[str, Any]
    inputs: dict[str, Any]
    actual: Any = None


def _informative(
    spec: Function, failure: Failure, rerun: Callable[[dict[str, Any], dict[str, Any]], Any] | None
) -> tuple[_Case | None, bool]:
    """The failure's configuration rerun on informative inputs, if that fails; else the failure
    itself (a mistake that shows on its inputs only, such as ``0 * inf``). ``None`` when the
    rerun raises or nothing has wrong values. The second value says whether the rerun is used."""
    config = spec.normalize(failure.config)
    tagged = None if rerun is None else informative_inputs(spec, config, failure.inputs)
    if rerun is not None and tagged is not None:
        try:
            output = rerun(failure.config, tagged)
        except Exception:
            return None, False
        case = _value_failure(spec, config, output, tagged)
        if case is not None:
            return case, True
    if failure.actual is None:
        return None, False
    return _value_failure(spec, config, failure.actual, failure.inputs), False


def _largest_first(spec: Function, failures: Sequence[Failure]) -> list[Failure]:
    """One failure of each configuration where the candidate gave an output, the largest first."""
    seen: dict[str, Failure] = {}
    for failure in reversed(failures):  # the shrunk failure is last: it represents its configuration
        if failure.actual is not None:
            seen.setdefault(repr(sorted(spec.normalize(failure.config).items())), failure)
    return sorted(seen.values(), key=lambda f: -int(np.prod(spec.output_shape(spec.normalize(f.config)))))


def diagnose_failures(
    function: str | Function,
    failures: Sequence[Failure],
    rerun: Callable[[dict[str, Any], dict[str, Any]], Any] | None = None,
) -> Diagnosis | None:
    """Name the catalogued mistakes that reproduce every failing case tried, or none.

    The largest few failing configurations where the candidate gave an output (one of each, at
    most :data:`CASES`) are rerun, when ``rerun`` is given, with :func:`informative_inputs`:
    index-tagged ``w`` and distinct inputs, on which two different mistakes practically never
    agree by chance. A configuration whose rerun raises is skipped; one whose rerun is right is
    diagnosed on its own inputs. The candidate is also run on two larger relatives of the
    largest failing configuration (:func:`grown_configurations`) and two generic ones (``p``,
    ``q``, ``s``, ``t`` distinct, ``r = 2``), which join the cases where it is wrong there too:
    a small failing configuration can make different mistakes agree. A combination of up to three catalogued mistakes, from
    different stages, is named only when it reproduces *every* case tried (one that cannot run
    on a case does not reproduce it); otherwise the diagnosis says that no known mistake matches.

    Parameters
    ----------
    function : str or Function
        A name of :data:`refimpl.functions.FUNCTIONS`.
    failures : sequence of Failure
        The failing cases, in the order found (the minimal one last); those where the
        candidate raised (``actual=None``) are not diagnosed.
    rerun : callable, optional
        ``rerun(config, inputs)`` calls the candidate again with NumPy inputs and returns its
        output (or raises).

    Returns
    -------
    Diagnosis or None
        Of the largest case, with the matches of all; ``None`` when no case has wrong values.

    Examples
    --------
    >>> import numpy as np
    >>> def mine(config, inputs):  # i <= j in place of i == j in the block test
    ...     n, D, p, q = config["n"], config["D"], config["p"], config["q"]
    ...     W = np.reshape(inputs["w"], (n // p, D // q))
    ...     return np.block([[W if i <= j else 0 * W for j in range(q)] for i in range(p)])
    >>> small = {"n": 2, "D": 4, "p": 1, "q": 2}  # "ones in place of the identity", by chance
    >>> failure = Failure(small, {"w": np.ones(4)}, mine(small, {"w": np.ones(4)}))
    >>> diagnose_failures("duplicated_diagonal_padding", [failure]).matches
    ['ones in place of the identity']
    >>> large = {"n": 6, "D": 6, "p": 3, "q": 3}
    >>> failures = [Failure(large, {"w": np.ones(4)}, mine(large, {"w": np.ones(4)})), failure]
    >>> print(diagnose_failures("duplicated_diagonal_padding", failures, rerun=mine).matches)
    []
    """
    spec = get_function(function)
    cases, reran = [], []
    for failure in _largest_first(spec, failures):
        case, used = _informative(spec, failure, rerun)
        if case is not None:
            cases.append(case)
            reran.append(used)
        if len(cases) == CASES:
            break
    if not cases:
        return None
    generic = (
        []
        if rerun is None
        else _failures_on(
            spec,
            grown_configurations(spec, cases[0].diagnosis.config)
            + generic_configurations(spec, cases[0].diagnosis.config),
            failures,
            rerun,
        )
    )
    applying = [_mistakes.catalogue(spec, c.diagnosis.config) for c in cases + generic]
    # a mistake that changes nothing on one case (p and q exchanged where p == q) still runs there;
    # one that cannot run on a case (its output None) does not reproduce it
    common = [m for m in _mistakes.catalogue(spec) if any(m in mistakes for mistakes in applying)]
    diagnosis = cases[0].diagnosis
    _name(diagnosis, search(common, [c.trial for c in cases + generic]))
    if diagnosis.matches and not any(telling(spec, c.diagnosis.config) for c in cases + generic):
        diagnosis.notes.append(
            f"{len(diagnosis.matches)} known mistake(s) reproduce these cases, but they are too small "
            "to tell mistakes apart (s, t or r is 1, or a single row): none is named"
        )
        diagnosis.matches = []
    diagnosis.cases = len(cases) + len(generic)
    how = f", {sum(reran)} of them rerun with index-tagged w and distinct inputs" if any(reran) else ""
    more = (
        f", and {len(generic)} larger configuration(s) where the candidate is also wrong" if generic else ""
    )
    diagnosis.notes.insert(
        0,
        f"diagnosed on {len(cases)} failing configuration(s){how}{more}; "
        "a mistake is named only when it reproduces every one",
    )
    if len(cases) + len(generic) > 1 or reran[0]:
        diagnosis.notes.insert(
            1,
            f"the details below are of {spec.describe(diagnosis.config)}"
            + (", rerun with index-tagged inputs" if reran[0] else ""),
        )
    return diagnosis


def _failures_on(
    spec: Function,
    configs: list[dict[str, Any]],
    failures: Sequence[Failure],
    rerun: Callable[[dict[str, Any], dict[str, Any]], Any],
) -> list[_Case]:
    """The ``configs`` where the candidate, run on informative inputs, is wrong too."""
    like = next(f.inputs for f in failures if f.actual is not None)
    found = []
    for config in configs:
        inputs = informative_inputs(spec, config, like)
        if inputs is None:
            continue
        try:
            output = rerun(config, inputs)
        except Exception:
            continue
        case = _value_failure(spec, spec.normalize(config), output, inputs)
        found += [case] if case is not None else []
    return found
