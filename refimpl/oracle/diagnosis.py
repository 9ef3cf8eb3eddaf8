"""Diagnosis of a wrong output: which catalogued implementation mistake reproduces it.

The mistakes are those of :mod:`refimpl.oracle.mistakes`, the one catalogue, where each
changes one *stage* of the computation. :func:`diagnose` builds, in float64 (complex128) from
the candidate's own inputs, the output of every single mistake that applies to the
configuration and of every pair of mistakes from two different stages, and reports those that
reproduce the candidate's output under the oracle's rule: the bound of
:func:`refimpl.oracle.tolerance.expected_and_bound` for the candidate's dtype, with the magnitude
taken from the mistaken computation itself (exact equality for the padding functions). A pair is
not reported when one of its two mistakes already reproduces the output alone. Mistakes are
named by their prose names (:attr:`refimpl.oracle.mistakes.Mistake.name`).

For the padding functions, which only copy entries of ``w``, a ``w`` with distinct entries (say
``1..l``) lets the output be decoded: each entry tells which entry of ``w`` it holds, and the
first misplaced entries are reported as ``entry (i, j) holds w[k], expected w[k']``.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import mistakes as _mistakes
from .adapters import to_numpy
from .mistakes import Mistake, Pipeline
from .registry import FunctionSpec, get_spec
from .tolerance import expected_and_bound

__all__ = ["Diagnosis", "Failure", "catalogue", "diagnose", "diagnose_failures"]


@dataclass
class Diagnosis:
    """What :func:`diagnose` found out about a wrong output.

    Each catalogued mistake of :mod:`refimpl.oracle.mistakes`, alone and in pairs from two
    stages, was rebuilt from the candidate's inputs; ``matches`` names those that reproduce the
    candidate's output. ``str()`` gives the report in words.

    Parameters
    ----------
    matches : list of str
        The catalogued mistakes (single, or two joined by ``" + "``) whose output reproduces the
        candidate's within the oracle's tolerance, by their prose names; empty when none does.
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
        How many mistakes and pairs of mistakes were tried.
    notes : list of str
        Anything else worth saying: a shape that differs from the expected one, a ``w`` that
        cannot be decoded.

    Attributes
    ----------
    matches, misplaced, correct, function, config, misplaced_count, tried, notes
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
    no known mistake matches (tried 42 mistakes and pairs of mistakes)
    """

    matches: list[str] = field(default_factory=list)
    misplaced: list[str] = field(default_factory=list)
    correct: bool = False
    function: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    misplaced_count: int = 0
    tried: int = 0
    notes: list[str] = field(default_factory=list)

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
            lines.append(f"no known mistake matches (tried {self.tried} mistakes and pairs of mistakes)")
        lines += self.notes
        if self.misplaced:
            lines.append(
                f"{self.misplaced_count} entries hold the wrong entry of w (indices from 0); the first:"
            )
            lines += [f"  {entry}" for entry in self.misplaced]
        return "\n".join(lines)


def catalogue(function: str | FunctionSpec, config: dict[str, Any]) -> list[str]:
    """The prose names of the single mistakes :func:`diagnose` tries for ``function`` at ``config``.

    Parameters
    ----------
    function : str or FunctionSpec
        A name of :data:`refimpl.oracle.registry.FUNCTIONS`.
    config : dict
        The configuration, with the keys of the function (see :mod:`refimpl.oracle.registry`).

    Returns
    -------
    list of str
        The names of :func:`refimpl.oracle.mistakes.catalogue` (which also gives their
        identifiers), in the order of the stages; :func:`diagnose` also tries every pair of
        them from two different stages, named ``"first + second"``.

    Examples
    --------
    >>> from refimpl.oracle.diagnosis import catalogue
    >>> for name in catalogue("duplicated_padding", {"n": 4, "D": 6, "p": 2, "q": 2}):
    ...     print(name)
    column-major reshape of w
    identity in place of ones
    Kronecker operands swapped
    flattened outer product in place of the Kronecker product
    output transposed
    """
    return [m.name for m in _mistakes.catalogue(function, config)]


# -- the oracle's rule ---------------------------------------------------------------------------


def _disagreeing(actual: np.ndarray, expected: np.ndarray, bound: np.ndarray) -> np.ndarray:
    """Where ``actual`` fails the oracle's rule (that of ``judge``): NaN and inf placement exactly
    (in the real and the imaginary part for complex data), finite entries within ``bound``."""
    if np.isfinite(actual).all() and np.isfinite(expected).all():
        return np.abs(actual - expected) > bound
    off = np.zeros(np.broadcast_shapes(actual.shape, expected.shape), dtype=bool)
    parts = (np.real, np.imag) if np.iscomplexobj(actual) or np.iscomplexobj(expected) else (np.real,)
    for take in parts:
        for where in (np.isnan, np.isposinf, np.isneginf):
            off |= where(take(actual)) != where(take(expected))
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.where(np.isfinite(expected), np.abs(actual - expected), 0.0)
        off |= error > bound
    return off


def _candidate_dtype(actual: np.ndarray, inputs: dict[str, Any]) -> np.dtype:
    """The dtype whose rounding the candidate went through: its own, or (for an integer output)
    the promotion of the inputs' floating dtypes."""
    if actual.dtype.kind in "fc":
        return actual.dtype
    dtypes = [to_numpy(a).dtype for a in [inputs["w"], *inputs.get("inputs", [])]]
    floating = [d for d in dtypes if d.kind in "fc"]
    return np.result_type(*floating) if floating else np.dtype(np.float64)


@dataclass(frozen=True)
class _Rule:
    """The oracle's bound as a function of the magnitude: ``gamma * magnitude + tiny``.

    Read off :func:`expected_and_bound` itself, by giving it computations whose magnitude is 0 and
    1, so that the diagnosis follows the oracle's rule wherever that rule is defined. For the
    padding functions the magnitude is the entry itself and ``tiny`` is 0.
    """

    gamma: float
    tiny: float

    @classmethod
    def of(cls, spec: FunctionSpec, config: dict[str, Any], inputs: dict[str, Any], dtype: np.dtype) -> _Rule:
        arrays = [to_numpy(x) for x in [inputs["w"], *inputs.get("inputs", [])]]
        kind = np.complex128 if any(np.iscomplexobj(x) for x in arrays) else np.float64

        def constant(value: float) -> FunctionSpec:
            return dataclasses.replace(spec, call=lambda c, i: np.full((), value, kind))

        _, at_zero, _ = expected_and_bound(constant(0.0), config, inputs, dtype)
        _, at_one, _ = expected_and_bound(constant(1.0), config, inputs, dtype)
        tiny = float(np.real(at_zero))  # a complex constant (for complex data's K) gives a complex bound
        return cls(gamma=float(np.real(at_one)) - tiny, tiny=tiny)


def _ceiling(pipeline: Pipeline) -> float:
    """An upper bound on every entry of every mistake's magnitude (its computation on ``|inputs|``).

    Each mistake only reads the entries of ``w`` (and the inputs' columns) in another order, so an
    entry of ``|P'| |Q'|^T`` is at most ``r max|w|^2``, one of the Dual-LPHM weight at most
    ``r^2 max|w|^4``, and one of ``|X'| |W'|`` at most the largest row sum of ``|X|`` times that.
    Doubled against the rounding of these float64 sums. Not needed for the padding functions.
    """
    spec, config = pipeline.spec, pipeline.config
    if spec.exact:
        return np.inf
    with np.errstate(over="ignore"):
        top = float(np.max(np.abs(pipeline.w), initial=0.0))
        weight = top if spec.name == "concatenation_fusion" else config["r"] ** 2 * top**4
        if spec.is_fusion:
            rows = [np.abs(x).sum(axis=-1) for x in pipeline.arrays]
            weight *= float(np.max(sum(rows), initial=0.0))
        return 2.0 * weight


# -- trying the mistakes ------------------------------------------------------------------------


@dataclass
class _Trial:
    """The candidate's output, and the test whether a choice of mistakes reproduces it."""

    actual: np.ndarray
    pipeline: Pipeline
    rule: _Rule
    ceiling: float
    _absolute: Pipeline | None = None

    def magnitude(self, mistakes: Sequence[Mistake]) -> np.ndarray | None:
        """The mistaken computation on the absolute values of the inputs (made on first use)."""
        if self._absolute is None:
            self._absolute = self.pipeline.absolute()
        return self._absolute.output(mistakes)

    def reproduces(self, mistakes: Sequence[Mistake]) -> bool:
        with np.errstate(all="ignore"):  # inf and NaN in the inputs are compared by placement
            return self._reproduces(mistakes)

    def _reproduces(self, mistakes: Sequence[Mistake]) -> bool:
        a, rule = self.actual, self.rule
        mistaken = self.pipeline.output(mistakes)
        if mistaken is None or mistaken.shape != a.shape:
            return False
        if np.any(_disagreeing(a, mistaken, np.full((), np.inf))):
            return False  # NaN or inf in another place: no bound helps
        if self.pipeline.spec.exact:
            return not _disagreeing(a, mistaken, rule.gamma * np.abs(mistaken)).any()
        if not _disagreeing(a, mistaken, np.full((), rule.tiny)).any():
            return True  # within the smallest bound: the magnitude is not needed
        if _disagreeing(a, mistaken, np.full((), rule.gamma * self.ceiling + rule.tiny)).any():
            return False  # beyond the largest bound any magnitude could give
        magnitude = self.magnitude(mistakes)
        return not _disagreeing(a, mistaken, rule.gamma * magnitude + rule.tiny).any()


@dataclass(frozen=True)
class _Search:
    """The names of the mistakes (and pairs) that reproduce the output, and how many were tried."""

    matches: list[str]
    tried: int


def _search(mistakes: list[Mistake], reproduces: Callable[[Sequence[Mistake]], bool]) -> _Search:
    """Every single mistake, then every pair from two stages of which neither alone reproduces."""
    single = {m: reproduces([m]) for m in mistakes}
    matches = [m.name for m in mistakes if single[m]]
    tried = len(mistakes)
    for first, second in itertools.combinations(mistakes, 2):
        if first.stage == second.stage:
            continue
        tried += 1
        if single[first] or single[second]:
            continue  # one of the two alone reproduces the output: the pair adds nothing
        if reproduces([first, second]):
            matches.append(f"{first.name} + {second.name}")
    return _Search(matches, tried)


# -- the entry-by-entry decoding of the padding functions -----------------------------------------


@dataclass(frozen=True)
class _Misplaced:
    """The first misplaced entries in words, how many there are, and why they are not decoded."""

    lines: list[str]
    count: int
    note: str = ""


def _misplaced(actual: np.ndarray, expected: np.ndarray, off: np.ndarray, w: np.ndarray, limit: int) -> _Misplaced:
    """The first ``limit`` misplaced entries, decoded by the entry of ``w`` they hold."""
    count = int(np.count_nonzero(off))
    stored = w.astype(actual.dtype) if actual.dtype.kind in "fc" else w
    if np.any(np.isnan(stored)) or np.unique(stored).size != stored.size:
        return _Misplaced([], count, (
            "w has repeated (or NaN) entries, so the entries of the output cannot be traced back to "
            "the entries of w; pass distinct entries, such as 1..l, to see which entry each one holds"
        ))
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
    off = _disagreeing(a, expected, bound)
    if not off.any():
        diagnosis.correct = True
    elif get_spec(diagnosis.function).exact:
        found = _misplaced(a, expected, off, w, limit)
        diagnosis.misplaced, diagnosis.misplaced_count = found.lines, found.count
        diagnosis.notes += [found.note] if found.note else []


# -- the diagnosis --------------------------------------------------------------------------------


def diagnose(
    actual: Any,
    function: str | FunctionSpec,
    config: dict[str, Any],
    inputs: dict[str, Any],
    *,
    limit: int = 5,
) -> Diagnosis:
    """Name the catalogued mistakes that reproduce a wrong output.

    Every catalogued mistake (see the module docstring), alone and in pairs from different
    stages of the computation, is applied to the candidate's own inputs in float64 (complex128),
    and the mistakes whose output agrees with ``actual`` under the oracle's rule are named: the
    bound of :func:`refimpl.oracle.tolerance.expected_and_bound` for ``actual``'s dtype, with the
    magnitude taken from the mistaken computation on the absolute values of the inputs (exact
    equality for the padding functions). For the padding functions with distinct entries of
    ``w``, the misplaced entries are also decoded into the entries of ``w`` they hold.

    Parameters
    ----------
    actual : array
        The candidate's output, from any array library (dense or sparse).
    function : str or FunctionSpec
        A name of :data:`refimpl.oracle.registry.FUNCTIONS`, e.g. ``"dual_lphm"``.
    config : dict
        The configuration, with the keys of the function (see :mod:`refimpl.oracle.registry`).
    inputs : dict
        ``{"w": w}``, and ``"inputs": [A_1, ..., A_k]`` for the fusions, in any array library.
    limit : int, default 5
        How many misplaced entries to report at most.

    Returns
    -------
    Diagnosis
        ``matches`` names the mistakes that reproduce ``actual`` (``" + "`` joins a pair);
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
    spec = get_spec(function)
    config = spec.normalize(config)
    a = to_numpy(actual)
    dtype = _candidate_dtype(a, inputs)
    if a.dtype.kind not in "fc":
        a = a.astype(np.float64)
    expected, bound, _ = expected_and_bound(spec, config, inputs, dtype)  # also checks config and inputs
    pipeline = Pipeline(spec, config, inputs)
    diagnosis = Diagnosis(function=spec.name, config=config)
    _against_reference(diagnosis, a, expected, bound, pipeline.w, limit)
    if diagnosis.correct:
        return diagnosis
    trial = _Trial(a, pipeline, _Rule.of(spec, config, inputs, dtype), _ceiling(pipeline))
    found = _search(_mistakes.catalogue(spec, config), trial.reproduces)
    diagnosis.matches, diagnosis.tried = found.matches, found.tried
    return diagnosis


# -- the diagnosis of a candidate's failures ---------------------------------------------------


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


def diagnose_failures(
    function: str | FunctionSpec,
    failures: Sequence[Failure],
    rerun: Callable[[dict[str, Any], dict[str, Any]], Any] | None = None,
) -> Diagnosis | None:
    """Name the catalogued mistakes that reproduce every failing case tried, or none.

    Provisional: the value failures (largest first) are diagnosed one by one and only the
    mistakes that reproduce all of them are kept.

    >>> import numpy as np
    >>> config = {"n": 4, "D": 6, "p": 2, "q": 2}
    >>> w = np.arange(1.0, 7.0)
    >>> wrong = np.kron(np.ones((2, 2)), w.reshape(3, 2).T)
    >>> diagnose_failures("duplicated_padding", [Failure(config, {"w": w}, wrong)]).matches
    ['column-major reshape of w']
    """
    spec = get_spec(function)
    valued = [f for f in failures if f.actual is not None]
    if not valued:
        return None
    valued.sort(key=lambda f: -int(np.prod(spec.output_shape(spec.normalize(f.config)))))
    found = [diagnose(f.actual, spec, f.config, f.inputs) for f in valued[:4]]
    found = [d for d in found if not d.correct]
    if not found:
        return None
    first = found[0]
    first.matches = [m for m in first.matches if all(m in d.matches for d in found)]
    return first
