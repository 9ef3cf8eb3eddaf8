"""``check``'s own arguments, checked as the command line checks its options: each refusal names
the argument, what it must be and what it got, before anything is drawn or allocated."""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

from ..._memory import check_elements
from ..._validation import RefimplError, is_bool
from ...functions import Function
from ._reproduction import Settings

__all__ = ["checked_config", "checked_settings", "checked_target"]


def _count(value: Any, name: str, least: int) -> int:
    """``value`` as an ``int`` of at least ``least`` (bools, floats and ``None`` refused)."""
    if is_bool(value) or value is None:
        raise TypeError(f"{name} must be an integer of at least {least}, got {value!r}")
    try:
        number = operator.index(value)
    except TypeError:
        raise TypeError(
            f"{name} must be an integer of at least {least}, got {value!r} of type {type(value).__name__}"
        ) from None
    if number < least:
        raise RefimplError(f"{name} must be at least {least}, got {name}={number}")
    return number


def _dtypes(dtypes: Any) -> tuple[str, ...]:
    """A non-empty sequence of dtype names; a single name is refused, not read letter by letter."""
    if isinstance(dtypes, str):
        raise TypeError(
            f"dtypes must be a sequence of dtype names, such as ({dtypes!r},), got the string {dtypes!r}"
        )
    if not isinstance(dtypes, Sequence) or not dtypes or not all(isinstance(d, str) for d in dtypes):
        raise TypeError(
            f"dtypes must be a non-empty sequence of dtype names such as ('float64',), got {dtypes!r}"
        )
    return tuple(dtypes)


def checked_settings(
    *,
    examples: Any,
    seed: int,
    backend: str,
    dtypes: Any,
    max_side: Any,
    max_rows: Any,
    grad: bool,
    nonfinite: bool = False,
    strict: bool = False,
) -> Settings:
    """The settings of a check, each argument checked: ``examples >= 1``, ``max_side >= 1``,
    ``max_rows >= 0`` (integers), ``dtypes`` a sequence of names, the switches ``grad``,
    ``nonfinite`` and ``strict`` bools. ``strict`` adds ``int64`` and ``bool`` to ``dtypes``.

    Examples
    --------
    >>> from refimpl.oracle.check._arguments import checked_settings
    >>> checked_settings(examples=0, seed=0, backend="numpy", dtypes=("float64",), max_side=4, max_rows=8, grad=False)
    Traceback (most recent call last):
        ...
    refimpl._validation.RefimplError: examples must be at least 1, got examples=0
    """
    for name, value in (("grad", grad), ("nonfinite", nonfinite), ("strict", strict)):
        if not is_bool(value):
            raise TypeError(f"{name} must be True or False, got {value!r}")
    names = _dtypes(dtypes)
    if strict:
        names += tuple(d for d in ("int64", "bool") if d not in names)
    return Settings(
        examples=_count(examples, "examples", 1),
        seed=seed,
        backend=backend,
        dtypes=names,
        max_side=_count(max_side, "max_side", 1),
        max_rows=_count(max_rows, "max_rows", 0),
        grad=bool(grad),
        nonfinite=bool(nonfinite),
        strict=bool(strict),
    )


def checked_target(target: Any) -> str | None:
    """``target``: ``None`` or the candidate's importable name, a string ``"module:callable"``."""
    if target is not None and not isinstance(target, str):
        raise TypeError(f"target must be the candidate's name 'module:callable' or None, got {target!r}")
    return target


def checked_config(spec: Function, config: dict[str, Any], label: str = "config") -> dict[str, Any]:
    """refimpl's checks of ``config``, then the memory guard on its ``w``, inputs and output
    (``MemoryLimitError`` before anything is drawn); returns a copy of ``config``. ``label``
    names the argument in the messages (``"--config"`` for the command line)."""
    if not isinstance(config, dict):
        raise TypeError(
            f"config must be a dict of {spec.name}'s keys {list(spec.config_keys)}, got {config!r}"
        )
    c = spec.normalize(config)  # RefimplError, refimpl's own message
    lead = math.prod(c["batch"]) * c["m"] if spec.is_fusion else 1
    sizes = {
        "w": spec.l(c),
        "the inputs": lead * sum(c.get("dims", ())),
        "the output": math.prod(spec.output_shape(c)),
    }
    for what, count in sizes.items():
        check_elements(
            count, 8, f"{label} {spec.describe(c)}: {what} would hold {count} values", "check a smaller one"
        )
    return dict(config)
