"""Valid configurations, with an edge case forced: :func:`configs`, and what the oracle draws.

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
default of refimpl's by hand. Every choice is made of booleans (``_draws``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from hypothesis import strategies as st

from ..._validation import RefimplError, check_dim
from ...functions import FUNCTIONS, Function, get_function
from ...shapes import ConcatShape, concat_shape
from ._draws import integers, lists, sampled_from, samples

__all__ = [
    "Bounds",
    "bounds",
    "configs",
    "non_negative",
    "rows",
    "short",
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


def _divisors(value: int, bound: int) -> list[int]:
    """The divisors of ``value`` that are at most ``bound`` (1 always is one)."""
    return [d for d in range(1, min(value, bound) + 1) if value % d == 0]


def short(spec: Function) -> str | Function:
    """The name of a registered spec (short in Hypothesis' failure reports), else the spec."""
    return spec.name if FUNCTIONS.get(spec.name) is spec else spec


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


def configs(
    function: str | Function,
    *,
    max_side: int = 4,
    max_rank: int = 3,
    max_inputs: int = 3,
    max_rows: int = 3,
    batch: bool = True,
) -> st.SearchStrategy[dict[str, Any]]:
    """Return a strategy of valid configurations of one function of SPEC.

    Each example is a dict keyed by the function's ``config_keys`` (see the module docstring)
    that refimpl accepts. Every example first picks one edge case (``p != q``, ``p = 1``,
    ``s = 1``, one input, ``m = 0``, unequal widths, ...) or none, and forces it, so that each
    appears in a fixed share of the examples; the other values are drawn within the bounds.

    Parameters
    ----------
    function : str or Function
        A name from ``refimpl.functions.FUNCTIONS``, e.g. ``"dual_lphm"``.
    max_side : int, default 4
        Bound on ``p``, ``q``, ``s = n/p`` and ``t = D/q`` of the matrices, and on each input
        width, the output width ``n``, ``p`` and ``q`` of the fusions.
    max_rank : int, default 3
        Bound on the rank ``r``.
    max_inputs : int, default 3
        Bound on the number ``k`` of fusion inputs.
    max_rows : int, default 3
        Bound on the number ``m`` of input rows (``m`` may be 0).
    batch : bool, default True
        Whether fusion inputs may have leading batch dimensions (each 1 or 2, at most two).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of dict
        Configurations, ``l`` of which is ``FUNCTIONS[function].l(config)``.

    Raises
    ------
    RefimplError
        If ``function`` is not a known name or a bound is not positive (``max_rows`` may be 0).
    TypeError
        If a bound is not an integer or ``batch`` is not a bool.

    See Also
    --------
    invalid_configs : Configurations that refimpl rejects.
    cases : Configurations together with their inputs.

    Examples
    --------
    >>> from hypothesis import find, given, settings
    >>> from refimpl.functions import FUNCTIONS
    >>> from refimpl.strategies import configs
    >>> @given(configs("dual_lphm", max_side=3))
    ... @settings(max_examples=20)
    ... def test_l(config):
    ...     p, q, r = config["p"], config["q"], config["r"]
    ...     assert FUNCTIONS["dual_lphm"].l(config) == r * (p + q + config["n"] // p + config["D"] // q)
    >>> test_l()
    >>> find(configs("dual_lphm"), lambda c: c["p"] != c["q"], settings=settings(database=None))
    {'n': 1, 'D': 2, 'p': 1, 'q': 2, 'r': 1}
    """
    spec = get_function(function)
    return valid_configurations(short(spec), bounds(max_side, max_rank, max_inputs, max_rows, batch))
