"""The draws a seed fixes: integers and choices made of Hypothesis booleans.

Hypothesis sometimes replaces a drawn integer or float by a number literal found in the
user's own modules (a candidate's file among them), so that adding an unrelated constant to
a candidate would change what a seed draws. Booleans are the one kind of draw it never
replaces: every number below is made of them, and a seed draws the same configurations
whatever the candidate's files contain. All False is the smallest value: examples still
shrink towards ``lo`` and the first choice of a list.

The configurations (``_configurations``, ``_invalid``) and the cases of
:func:`refimpl.testing.check` (:mod:`refimpl.oracle.check._cases`) are drawn with these.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from ..._validation import RefimplError

__all__ = ["integers", "lists", "sampled_from", "samples"]


def integers(lo: int, hi: int) -> st.SearchStrategy[int]:
    """A uniform integer in ``[lo, hi]``, made of Hypothesis booleans (it shrinks to ``lo``).

    One strategy object per range, made once: Hypothesis validates a strategy the first time
    it draws from it, and a new object for every draw made that validation most of the cost of
    drawing a case.
    """
    return _integers(int(lo), int(hi))


@functools.lru_cache(maxsize=4096)
def _integers(lo: int, hi: int) -> st.SearchStrategy[int]:
    return _integers_strategy(lo, hi)


@st.composite
def _integers_strategy(draw: st.DrawFn, lo: int, hi: int) -> int:
    span = hi - lo
    if span < 0:
        raise RefimplError(f"no integer lies in [{lo}, {hi}]")
    value = 0
    for _ in range(4):  # rejection keeps it uniform; each try succeeds with probability > 1/2
        value = 0
        for _ in range(span.bit_length()):
            value = 2 * value + draw(st.booleans())
        if value <= span:
            return lo + value
    return lo + value % (span + 1)


def sampled_from(values: Sequence[Any]) -> st.SearchStrategy[Any]:
    """One of ``values``, uniformly, made of booleans (it shrinks to the first)."""
    values = tuple(values)
    try:
        return _sampled_from(values)
    except TypeError:  # unhashable values: a strategy of their own
        return integers(0, len(values) - 1).map(values.__getitem__)


@functools.lru_cache(maxsize=1024)
def _sampled_from(values: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    return integers(0, len(values) - 1).map(values.__getitem__)


@st.composite
def lists(
    draw: st.DrawFn, elements: st.SearchStrategy[Any], min_size: int = 0, max_size: int = 0
) -> list[Any]:
    """``min_size`` to ``max_size`` draws of ``elements``."""
    return [draw(elements) for _ in range(draw(integers(min_size, max_size)))]


@st.composite
def samples(draw: st.DrawFn, pool: Sequence[Any], size: int) -> list[Any]:
    """``size`` distinct entries of ``pool`` (in the order drawn), made of booleans."""
    pool = list(pool)
    return [pool.pop(draw(integers(0, len(pool) - 1))) for _ in range(size)]
