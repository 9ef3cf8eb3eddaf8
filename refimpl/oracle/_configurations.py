"""The configurations :mod:`refimpl.oracle.strategies` draws: valid ones with an edge case forced,
and invalid ones with exactly one thing wrong.

Each example of a valid configuration first picks one edge case (or ``"generic"``, twice as
likely) and forces it, so that every edge case appears in a fixed share of the examples:

==================  ==================================================================
function            edge cases
==================  ==================================================================
the matrices        ``p = 1``, ``q = 1``, ``s = 1``, ``t = 1`` (``q = D``), ``p != q``,
                    ``r = 1`` (``dual_lphm``)
the fusions         one input, ``m = 0`` rows, unequal widths (``n`` given), ``n = None``
                    (equal widths), a batch shape; for ``dual_lphm_fusion`` also
                    ``p = 1``, ``s = 1`` (``p = N``), ``t = 1`` (``q = n``), ``p != q``,
                    ``r = 1``
==================  ==================================================================

Every size comes from :mod:`refimpl.shapes` through the registry: nothing here applies a
default of refimpl's by hand.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from hypothesis import strategies as st

from .._validation import RefimplError, check_dim
from ..functions import Function, get_function
from ..shapes import ConcatShape, concat_shape

__all__ = [
    "Bounds",
    "bounds",
    "integers",
    "invalid_configurations",
    "invalid_kinds",
    "lists",
    "rows",
    "sampled_from",
    "samples",
    "valid_configurations",
]


class Bounds(NamedTuple):
    """The caller's size bounds: ``max_side``, ``max_rank``, ``max_inputs``, ``max_rows``, ``batch``."""

    side: int
    rank: int
    inputs: int
    rows: int
    batch: bool
    #: The oracle's rows (:func:`rows`): rarely 0, often ``rows``; else ``m = 0`` is an edge case.
    weighted_rows: bool = False


def non_negative(value: Any, name: str) -> int:
    """``value``, checked to be an int ``>= 0`` (``m`` and the batch dimensions may be 0)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a non-negative integer, got {value!r}")
    if value < 0:
        raise RefimplError(f"{name} must be a non-negative integer, got {value}")
    return value


def bounds(max_side: Any, max_rank: Any, max_inputs: Any, max_rows: Any, batch: Any) -> Bounds:
    """The bounds, checked: positive ints (``max_rows`` may be 0) and a bool."""
    if not isinstance(batch, bool):
        raise TypeError(f"batch must be True or False, got {batch!r}")
    return Bounds(
        check_dim(max_side, "max_side"),
        check_dim(max_rank, "max_rank"),
        check_dim(max_inputs, "max_inputs"),
        non_negative(max_rows, "max_rows"),
        batch,
    )


# -- draws that a seed fixes ---------------------------------------------------------------
#
# Hypothesis sometimes replaces a drawn integer or float by a number literal found in the
# user's own modules (a candidate's file among them), so that adding an unrelated constant to
# a candidate would change what a seed draws. Booleans are the one kind of draw it never
# replaces: every number below is made of them, and a seed draws the same configurations
# whatever the candidate's files contain. All False is the smallest value: examples still
# shrink towards ``lo`` and the first choice of a list.


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


def _divisors(value: int, bound: int) -> list[int]:
    """The divisors of ``value`` that are at most ``bound`` (1 always is one)."""
    return [d for d in range(1, min(value, bound) + 1) if value % d == 0]


# -- valid configurations --------------------------------------------------------------------


def _matrix_edges(spec: Function, b: Bounds) -> list[str]:
    edges = ["generic", "generic", "p1", "q1", "s1", "t1"]
    if b.side >= 2:
        edges.append("p_ne_q")
    if "r" in spec.config_keys:
        edges.append("r1")
    return edges


def _fusion_edges(spec: Function, b: Bounds) -> list[str]:
    edges = ["generic", "generic", "k1", "n_default"] + ([] if b.weighted_rows else ["m0"])
    if b.inputs >= 2 and b.side >= 2:
        edges.append("unequal")
    if b.batch:
        edges.append("batch")
    if "r" in spec.config_keys:
        edges += ["p1", "s1", "t1", "r1"]
        if b.side >= 2:
            edges.append("p_ne_q")
    return edges


@st.composite
def _matrix_configs(draw: st.DrawFn, name: str | Function, b: Bounds) -> dict[str, Any]:
    """``n = p*s``, ``D = q*t`` with ``p, q, s, t <= side``; one edge case forced per example."""
    spec = get_function(name)
    edge = draw(sampled_from(_matrix_edges(spec, b)))
    side = integers(1, b.side)
    p = 1 if edge == "p1" else draw(side)
    if edge == "q1":
        q = 1
    elif edge == "p_ne_q":  # any q but p, both orders equally likely
        q = draw(integers(1, b.side - 1))
        q += q >= p
    else:
        q = draw(side)
    s = 1 if edge == "s1" else draw(side)
    t = 1 if edge == "t1" else draw(side)  # t = 1 is q = D
    config: dict[str, Any] = {"n": p * s, "D": q * t, "p": p, "q": q}
    if "r" in spec.config_keys:
        config["r"] = 1 if edge == "r1" else draw(integers(1, b.rank))
    return {key: value for key, value in config.items() if key in spec.config_keys}


def _widths_summing_to_at_most(draw: st.DrawFn, b: Bounds) -> list[int]:
    """``k`` widths whose sum is at most ``side`` (so that ``p = N`` stays within the bound)."""
    k = draw(integers(1, min(b.inputs, b.side)))
    total = draw(integers(k, b.side))
    cut_points = samples(range(1, total), k - 1)
    cuts = [] if k == 1 else sorted(draw(cut_points))
    return [hi - lo for lo, hi in zip([0, *cuts], [*cuts, total])]


def _widths(draw: st.DrawFn, edge: str, b: Bounds) -> list[int]:
    """The input widths ``n_1 .. n_k``, equal for ``n_default``, unequal for ``unequal``."""
    if edge == "s1":
        return _widths_summing_to_at_most(draw, b)
    k = 1 if edge == "k1" else draw(integers(2 if edge == "unequal" else 1, b.inputs))
    side = integers(1, b.side)
    if edge == "n_default" or (edge != "unequal" and draw(st.booleans())):
        return [draw(side)] * k
    dims = draw(lists(side, min_size=k, max_size=k))
    if edge == "unequal" and len(set(dims)) == 1:
        j = draw(integers(0, k - 1))
        dims[j] = dims[j] % b.side + 1
    return dims


def _output_width(draw: st.DrawFn, edge: str, dims: list[int], b: Bounds) -> int | None:
    """``n``, or ``None`` (the common width) where the widths are equal."""
    if edge == "n_default":
        return None
    if edge == "p_ne_q":  # n >= 2 leaves a q that differs from p
        return draw(integers(2, b.side))
    if edge != "unequal" and len(set(dims)) == 1 and draw(st.booleans()):
        return None
    return draw(integers(1, b.side))


def _factor_sizes(draw: st.DrawFn, edge: str, shape: ConcatShape, b: Bounds) -> dict[str, int]:
    """``p | N``, ``q | n`` and ``r`` of a Dual-LPHM fusion, with its edge case."""
    if edge in ("p1", "s1"):
        p = 1 if edge == "p1" else shape.N
    else:
        p = draw(sampled_from(_divisors(shape.N, b.side)))
    if edge == "t1":
        q = shape.n
    else:
        qs = _divisors(shape.n, b.side)
        q = draw(sampled_from([d for d in qs if d != p] if edge == "p_ne_q" else qs))
    return {"p": p, "q": q, "r": 1 if edge == "r1" else draw(integers(1, b.rank))}


@st.composite
def rows(draw: st.DrawFn, most: int) -> int:
    """A number of rows up to ``most``: ``most`` itself in 3/8 of the draws, 0 in 1/64, else spread.

    Mistakes that show only on large batches need ``most`` often; an empty case compares
    nothing, so it is rare, and the last choice: examples shrink to few rows, not to none.
    """
    tier = draw(integers(0, 63))
    if most == 0 or tier == 63:
        return 0
    if tier < 20:
        return draw(integers(1, min(3, most)))
    return draw(integers(1, most)) if tier < 39 else most


def _batch(draw: st.DrawFn, edge: str, b: Bounds) -> tuple[int, ...]:
    if edge == "batch":
        return tuple(draw(lists(integers(1, 2), min_size=1, max_size=2)))
    return tuple(draw(lists(integers(1, 2), max_size=2))) if b.batch else ()


@st.composite
def _fusion_configs(draw: st.DrawFn, name: str | Function, b: Bounds) -> dict[str, Any]:
    """Widths, output width, rows, batch shape (and ``p, q, r``); one edge case forced per example."""
    spec = get_function(name)
    edge = draw(sampled_from(_fusion_edges(spec, b)))
    dims = _widths(draw, edge, b)
    config: dict[str, Any] = {"dims": dims, "n": _output_width(draw, edge, dims, b)}
    if "r" in spec.config_keys:
        config.update(_factor_sizes(draw, edge, concat_shape(dims, config["n"]), b))
    if b.weighted_rows:
        config["m"] = draw(rows(b.rows))
    else:
        config["m"] = 0 if edge == "m0" else draw(integers(0, b.rows))
    config["batch"] = _batch(draw, edge, b)
    return config


def valid_configurations(name: str | Function, b: Bounds) -> st.SearchStrategy[dict[str, Any]]:
    """Valid configurations of one function within the bounds ``b``."""
    return (_fusion_configs if get_function(name).is_fusion else _matrix_configs)(name, b)


# -- invalid configurations ------------------------------------------------------------------


def invalid_kinds(spec: Function) -> tuple[str, ...]:
    """The kinds of invalid configuration that apply to ``spec``, in :data:`INVALID_KINDS`'s order."""
    kinds = ["not_positive", "wrong_type"]
    if "p" in spec.config_keys:
        kinds.insert(0, "not_divisible")
    if spec.is_fusion:
        kinds += ["unequal_widths", "empty_dims"]
    return tuple(kinds)


def _not_divisible(draw: st.DrawFn, spec: Function, config: dict[str, Any]) -> type:
    if spec.is_fusion:
        N, n = sum(config["dims"]), config["n"]
        if draw(st.booleans()):  # p does not divide N
            config["p"] = draw(sampled_from([d for d in range(2, N + 2) if N % d]))
        else:  # q does not divide n
            config["q"] = draw(sampled_from([d for d in range(2, n + 2) if n % d]))
        return RefimplError
    value, divisor = ("n", "p") if draw(st.booleans()) else ("D", "q")
    config[divisor] = draw(integers(2, 5))
    blocks = draw(integers(1, 3))
    config[value] = config[divisor] * blocks + draw(integers(1, config[divisor] - 1))
    return RefimplError


def _dimension_keys(spec: Function) -> list[str]:
    return [key for key in ("n", "D", "p", "q", "r") if key in spec.config_keys] + (
        ["dims"] if spec.is_fusion else []
    )


def _replace(draw: st.DrawFn, config: dict[str, Any], key: str, bad: Callable[[Any], Any]) -> None:
    """``config[key] = bad(config[key])``, or the same for one width when ``key`` is ``dims``."""
    if key == "dims":
        config["dims"] = list(config["dims"])
        j = draw(integers(0, len(config["dims"]) - 1))
        config["dims"][j] = bad(config["dims"][j])
    else:
        config[key] = bad(config[key])


def _not_positive(draw: st.DrawFn, spec: Function, config: dict[str, Any]) -> type:
    key, value = draw(sampled_from(_dimension_keys(spec))), draw(integers(-3, 0))
    _replace(draw, config, key, lambda _: value)
    return RefimplError


def _wrong_type(draw: st.DrawFn, spec: Function, config: dict[str, Any]) -> type:
    key = draw(sampled_from(_dimension_keys(spec)))
    if key == "dims" and draw(st.booleans()):
        config["dims"] = draw(sampled_from([sum(config["dims"]), "12", None]))  # not a sequence
        return TypeError
    bad = draw(sampled_from([float, lambda _: True]))
    _replace(draw, config, key, bad)
    return TypeError


def _unequal_widths(draw: st.DrawFn, spec: Function, config: dict[str, Any]) -> type:
    dims = draw(lists(integers(1, 4), min_size=2, max_size=3).filter(lambda d: len(set(d)) > 1))
    config.update(dims=dims, n=None)
    if "p" in config:
        config.update(p=1, q=1)  # nothing else is wrong: p | N and q | n_1
    return RefimplError


def _empty_dims(draw: st.DrawFn, spec: Function, config: dict[str, Any]) -> type:
    config["dims"] = []
    return RefimplError


#: How each kind of invalid configuration is made from a valid one; each returns refimpl's exception.
_BREAK: dict[str, Callable[[Any, Function, dict[str, Any]], type]] = {
    "not_divisible": _not_divisible,
    "not_positive": _not_positive,
    "wrong_type": _wrong_type,
    "unequal_widths": _unequal_widths,
    "empty_dims": _empty_dims,
}


@st.composite
def invalid_configurations(
    draw: st.DrawFn, name: str | Function, kinds: tuple[str, ...]
) -> tuple[dict[str, Any], type]:
    """One violation of the contract per example, everything else valid."""
    spec = get_function(name)
    kind = draw(sampled_from(kinds))
    config = draw(valid_configurations(name, Bounds(side=4, rank=3, inputs=3, rows=2, batch=True)))
    if kind != "unequal_widths":
        config = dict(spec.normalize(config))  # the violations below are all about given values
    return config, _BREAK[kind](draw, spec, config)
