"""Argument checks shared by every public function, and the package's exception class.

Every check raises with the fact first: what was expected, then what was received.
Nothing here uses ``assert``: asserts vanish under ``python -O``.
"""

from __future__ import annotations

import operator
from typing import Any, Protocol

import array_api_compat

__all__ = [
    "RefimplError",
    "check_dim",
    "check_divides",
    "check_parameter_vector",
    "is_bool",
]


class RefimplError(ValueError, AssertionError):
    """A configuration or parameter vector that contradicts the contract.

    Subclasses :class:`ValueError` (the NumPy/SciPy convention for bad values) and
    :class:`AssertionError` (what tinybig raises for the same mistakes, so code ported
    from tinybig that catches ``AssertionError`` keeps working).

    Examples
    --------
    >>> import refimpl
    >>> try:
    ...     refimpl.duplicated_padding_l(n=10, D=4, p=3)
    ... except ValueError as exc:
    ...     print(exc)
    n=10 is not divisible by p=3
    """


def check_dim(value: Any, name: str) -> int:
    """Return ``value`` as a positive ``int``; bools, floats and other types are rejected.

    Integer types from NumPy and friends are accepted (anything with ``__index__``).
    """
    if is_bool(value):
        raise TypeError(f"{name} must be a positive integer, got the bool {value!r}")
    try:
        ivalue = operator.index(value)
    except TypeError:
        raise TypeError(
            f"{name} must be a positive integer, got {value!r} of type {type(value).__name__}"
        ) from None
    if ivalue <= 0:
        raise RefimplError(f"{name} must be a positive integer, got {name}={ivalue}")
    return ivalue


def is_bool(value: Any) -> bool:
    """A Python bool, or a boolean scalar of an array library (NumPy's ``bool_``, a 0-d tensor)."""
    if type(value) is int or isinstance(value, bool):
        return type(value) is bool
    if not array_api_compat.is_array_api_obj(value):
        return False
    return bool(array_api_compat.array_namespace(value).isdtype(value.dtype, "bool"))


def check_divides(divisor: int, dname: str, value: int, vname: str) -> int:
    """Return ``value // divisor``, raising when the division is not exact."""
    if value % divisor:
        raise RefimplError(f"{vname}={value} is not divisible by {dname}={divisor}")
    return value // divisor


class ParameterShape(Protocol):
    """What :func:`check_parameter_vector` reads of a checked configuration (the shapes of
    :mod:`refimpl.shapes`)."""

    @property
    def l(self) -> int:
        """The length ``w`` must have."""

    @property
    def rule(self) -> str:
        """Where ``l`` comes from, for messages (``"l = n*D/(p*q) with n=4, ..."``)."""


def check_parameter_vector(xp: Any, w: Any, shape: ParameterShape) -> Any:
    """Return ``w`` as a vector of length ``shape.l``; shapes ``(l,)`` and ``(1, l)`` are accepted.

    ``shape.rule`` says where ``l`` comes from; it is read only for a message.
    A Dask ``w`` is refused: ``w`` is small, and computing it stays the caller's choice.
    """
    l: int = shape.l
    if array_api_compat.is_dask_array(w):
        raise TypeError(
            f"w must be an array of a library that computes (NumPy, ...) or a list, got a Dask array of shape "
            f"{tuple(w.shape)}; w has only l={l} entries: pass w.compute()"
        )
    given = tuple(w.shape)
    if len(given) == 1 or (len(given) == 2 and given[0] == 1):
        if given[-1] != l:
            raise RefimplError(f"w must have length {l} ({shape.rule}), got length {given[-1]}")
        return xp.reshape(w, (l,)) if len(given) == 2 else w
    raise RefimplError(f"w must have shape ({l},) or (1, {l}) ({shape.rule}), got shape {given}")
