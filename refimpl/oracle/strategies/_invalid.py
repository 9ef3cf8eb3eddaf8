"""Invalid configurations, each with exactly one thing wrong: :func:`invalid_configs`.

Each is a valid configuration (``_configurations``) broken in one way, paired with the
exception refimpl raises for it; every choice is made of booleans (``_draws``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from ..._validation import RefimplError
from ...functions import Function, get_function
from ._configurations import Bounds, short, valid_configurations
from ._draws import integers, lists, sampled_from

__all__ = ["INVALID_KINDS", "invalid_configs", "invalid_configurations", "invalid_kinds"]

#: The kinds of invalid configuration :func:`invalid_configs` knows, in its order.
INVALID_KINDS: tuple[str, ...] = (
    "not_divisible",
    "not_positive",
    "wrong_type",
    "unequal_widths",
    "empty_dims",
)


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


def invalid_configs(
    function: str | Function, *, kinds: tuple[str, ...] | None = None
) -> st.SearchStrategy[tuple[dict[str, Any], type]]:
    """Return a strategy of configurations that break the contract, each with refimpl's exception.

    Each example is a pair ``(config, exception_type)``: ``config`` has the keys of a valid
    configuration with exactly one thing wrong, and refimpl raises ``exception_type`` for it,
    from ``FUNCTIONS[function].l(config)`` and from the function itself. The kinds:
    ``not_divisible`` (``p`` does not divide ``n`` or ``N``, or ``q`` does not divide ``D`` or
    ``n``; not for ``concatenation_fusion``), ``not_positive`` (a dimension or an input width is
    0 or negative), ``unequal_widths`` (unequal input widths with ``n=None``) and ``empty_dims``
    (``dims == []``) raise :class:`refimpl.RefimplError`; ``wrong_type`` (a float or a bool
    for a dimension, or ``dims`` not a sequence) raises ``TypeError``. The last two kinds of
    value are for the fusions only.

    Parameters
    ----------
    function : str or Function
        A name from ``refimpl.functions.FUNCTIONS``.
    kinds : tuple of str, optional
        The kinds to draw from (see :data:`INVALID_KINDS`); by default every kind that applies.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of tuple
        Pairs ``(config, exception_type)``.

    Raises
    ------
    RefimplError
        If ``function`` is not a known name, or a kind is unknown or does not apply to it.

    See Also
    --------
    configs : Valid configurations.

    Examples
    --------
    >>> import pytest
    >>> from hypothesis import given, settings
    >>> from refimpl.functions import FUNCTIONS
    >>> from refimpl.strategies import invalid_configs
    >>> @given(invalid_configs("dual_lphm"))
    ... @settings(max_examples=20)
    ... def test_rejected(case):
    ...     config, error = case
    ...     with pytest.raises(error):
    ...         FUNCTIONS["dual_lphm"].l(config)
    >>> test_rejected()
    """
    spec = get_function(function)
    allowed = invalid_kinds(spec)
    kinds = allowed if kinds is None else tuple(kinds)
    if not kinds or any(kind not in allowed for kind in kinds):
        raise RefimplError(f"kinds must be a non-empty selection of {allowed} for {spec.name}, got {kinds}")
    return invalid_configurations(short(spec), kinds)
