"""The search of the diagnosis: which combinations of catalogued mistakes reproduce wrong outputs.

A :class:`Trial` is one wrong output with the pipeline of its inputs
(:class:`refimpl.oracle.mistakes.Pipeline`) and the oracle's rule for its dtype; :func:`search`
names the combinations of up to three mistakes, from different stages, that reproduce *every*
trial. It goes by size: every single mistake; then the pairs none of whose two mistakes already
reproduces alone; then, only when no single mistake or pair does, the triples. Two things keep
it quick:

* the output transposed is not computed again: each combination's output is compared with the
  candidate's output both as it is and transposed (the ``transpose`` stage);
* a combination is tried on the smallest trial first, and on the next only while it still
  reproduces; most fail at once, on the entry-wise ceiling of :class:`Trial` or on the first
  differing entry.

Every comparison is :func:`refimpl.oracle.judgement.disagreeing`, the oracle's own rule.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..judgement import disagreeing
from ..mistakes import Mistake, Pipeline
from ..tolerance import ErrorBound

__all__ = ["ENOUGH", "MOST_TRIPLES", "Found", "Trial", "search"]

#: Matching combinations of two or three mistakes after which a size's search stops.
ENOUGH = 8
#: The most combinations of three mistakes tried (on the first trial); beyond, the search is silent.
MOST_TRIPLES = 6000


def _ceiling(pipeline: Pipeline) -> float:
    """An upper bound on every entry of every mistake's magnitude (its computation on ``|inputs|``).

    Each mistake only reads the entries of ``w`` (and the inputs' columns) in another order, so an
    entry of ``|P'| |Q'|^T`` is at most ``r max|w|^2``, one of the Dual-LPHM weight at most
    ``r^2 max|w|^4``, and one of ``|X'| |W'|`` at most the largest row sum of ``|X|`` times that.
    Doubled against the rounding of these float64 sums. Not needed for the exact functions. The
    bound on an entry of the matrix (a fusion's weight) is the function's own
    (:meth:`refimpl.functions.Function.ceiling`).
    """
    spec, config = pipeline.spec, pipeline.config
    if spec.exact:
        return np.inf
    with np.errstate(over="ignore"):
        weight = spec.ceiling(config, float(np.max(np.abs(pipeline.w), initial=0.0)))
        if spec.is_fusion:
            rows = [np.abs(x).sum(axis=-1) for x in pipeline.arrays]
            weight *= float(np.max(sum(rows), initial=0.0))
        return 2.0 * weight


def _swapped(a: np.ndarray | None) -> np.ndarray | None:
    return None if a is None or a.ndim < 2 else np.swapaxes(a, -1, -2)


class Trial:
    """A wrong output, and the test whether a combination of mistakes reproduces it.

    Parameters
    ----------
    actual : numpy.ndarray
        The candidate's output, dense, in a floating dtype.
    pipeline : Pipeline
        The function's computation on the candidate's inputs.
    rule : ErrorBound
        The oracle's bound for the candidate's dtype (:func:`refimpl.oracle.tolerance.output_bound`).
    """

    def __init__(self, actual: np.ndarray, pipeline: Pipeline, rule: ErrorBound) -> None:
        self.actual, self.pipeline, self.rule = actual, pipeline, rule
        self.ceiling = _ceiling(pipeline)
        self.exact = pipeline.spec.exact
        self.finite = bool(np.isfinite(actual).all())
        self._absolute: Pipeline | None = None

    @property
    def size(self) -> int:
        return int(self.actual.size)

    def magnitude(self, mistakes: Sequence[Mistake]) -> np.ndarray | None:
        """The mistaken computation on the absolute values of the inputs (made on first use)."""
        if self._absolute is None:
            self._absolute = self.pipeline.absolute()
        return self._absolute.output(mistakes)

    def reproduces(self, mistakes: Sequence[Mistake]) -> bool:
        """Whether ``mistakes`` (of different stages) reproduce the output."""
        with np.errstate(all="ignore"):
            return self.agrees(self.pipeline.output(mistakes), mistakes)

    def agrees(self, mistaken: np.ndarray | None, mistakes: Sequence[Mistake]) -> bool:
        """Whether ``mistaken``, the output of ``mistakes``, agrees with the candidate's."""
        a, rule = self.actual, self.rule
        if mistaken is None or mistaken.shape != a.shape:
            return False
        with np.errstate(all="ignore"):  # inf and NaN in the inputs are compared by placement
            placed = self.finite and np.isfinite(mistaken).all()  # all finite: nothing to place
            if not placed and np.any(disagreeing(a, mistaken, np.inf, exact=self.exact)):
                return False  # NaN or inf in another place: no bound helps
            if self.exact:
                return not disagreeing(a, mistaken, rule.gamma * np.abs(mistaken), exact=True).any()
            if disagreeing(a, mistaken, rule.gamma * self.ceiling + rule.tiny, exact=False).any():
                return False  # beyond the largest bound any magnitude could give: most end here
            if not disagreeing(a, mistaken, rule.tiny, exact=False).any():
                return True  # within the smallest bound: the magnitude is not needed
            magnitude = self.magnitude(mistakes)
            assert magnitude is not None, "the mistakes ran on the inputs: they run on their absolute values"
            return not disagreeing(a, mistaken, rule.gamma * magnitude + rule.tiny, exact=False).any()


@dataclass(frozen=True)
class Found:
    """The combinations that reproduce every trial, and how many combinations were tried."""

    matches: list[tuple[Mistake, ...]]
    tried: int
    complete: bool = True


def _in_stage_order(combination: Sequence[Mistake], order: dict[Mistake, int]) -> tuple[Mistake, ...]:
    return tuple(sorted(combination, key=order.__getitem__))


class _Searcher:
    """One search: the mistakes that apply to every trial, split into the output transposed and the rest."""

    def __init__(self, mistakes: list[Mistake], trials: Sequence[Trial]) -> None:
        self.order = {m: k for k, m in enumerate(mistakes)}
        self.flip = next((m for m in mistakes if m.stage == "transpose"), None)
        self.base = [m for m in mistakes if m is not self.flip]
        self.trials = sorted(trials, key=lambda t: t.size)  # the quickest rejection first
        self.tried = 0

    def with_flip(self, combination: tuple[Mistake, ...]) -> tuple[Mistake, ...]:
        """``combination`` with the output transposed: asked only where a flipped evaluation ran."""
        assert self.flip is not None, "no transpose mistake applies: nothing is evaluated flipped"
        return (*combination, self.flip)

    def evaluate(self, base: tuple[Mistake, ...], plain: bool, flipped: bool) -> tuple[bool, bool]:
        """Whether ``base``, and ``base`` with the output transposed, reproduce every trial."""
        flipped = flipped and self.flip is not None
        self.tried += int(plain) + int(flipped)
        for trial in self.trials:
            if not (plain or flipped):
                break
            with np.errstate(all="ignore"):
                out = trial.pipeline.output(base)
            plain = plain and trial.agrees(out, base)
            flipped = flipped and trial.agrees(_swapped(out), self.with_flip(base))
        return plain, flipped

    def combinations(self, size: int) -> Any:
        """Combinations of ``size`` mistakes of the rest, each from its own stage."""
        for combination in itertools.combinations(self.base, size):
            if len({m.stage for m in combination}) == size:
                yield combination


def search(mistakes: list[Mistake], trials: Sequence[Trial], *, most: int = 3) -> Found:
    """The combinations of up to ``most`` of ``mistakes`` that reproduce every one of ``trials``.

    Parameters
    ----------
    mistakes : list of Mistake
        The catalogued mistakes that apply to every trial, in the order of the stages.
    trials : sequence of Trial
        The wrong outputs; a combination that cannot run on one of them does not reproduce it.
    most : int, default 3
        The largest combination tried.

    Returns
    -------
    Found
        The single mistakes that reproduce every trial; when none does, the pairs; when no pair
        does either, the triples (the simplest explanations only: a pair that reproduces what a
        single mistake reproduces too is not named beside it). Each combination in the order of the stages.
    """
    s = _Searcher(mistakes, trials)
    _, transposed = s.evaluate((), False, True)  # the output transposed alone
    results = {m: s.evaluate((m,), True, not transposed) for m in s.base}
    singles = [s.with_flip(())] if transposed else []
    singles += [(m,) for m in s.base if results[m][0]]
    alone = {c[0] for c in singles}
    pairs = [s.with_flip((m,)) for m in s.base if results[m][1] and m not in alone]
    if most >= 2:
        for first, second in s.combinations(2):
            if first in alone or second in alone or len(pairs) >= ENOUGH:
                continue
            plain, _ = s.evaluate((first, second), True, False)
            pairs += [(first, second)] if plain else []
    if singles:  # the simplest explanation: a combination is not named beside a single mistake
        return Found(
            sorted((_in_stage_order(c, s.order) for c in singles), key=lambda c: s.order[c[0]]), s.tried
        )
    found = sorted((_in_stage_order(c, s.order) for c in pairs), key=lambda c: [s.order[m] for m in c])
    if found or most < 3:
        return Found(found, s.tried)
    return _triples(s)


def _triples(s: _Searcher) -> Found:
    """Triples: three of the rest, or two with the output transposed (no smaller one matched)."""
    triples: list[tuple[Mistake, ...]] = []
    budget = s.tried + MOST_TRIPLES
    for pair in s.combinations(2):  # with the output transposed
        if len(triples) >= ENOUGH or s.tried >= budget:
            break
        _, flipped = s.evaluate(pair, False, True)
        triples += [s.with_flip(pair)] if flipped else []
    for triple in s.combinations(3):
        if len(triples) >= ENOUGH or s.tried >= budget:
            break
        plain, _ = s.evaluate(triple, True, False)
        triples += [triple] if plain else []
    complete = s.tried < budget or len(triples) >= ENOUGH
    return Found([_in_stage_order(c, s.order) for c in triples], s.tried, complete)
