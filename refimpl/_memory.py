"""The memory guard: refuse, before allocating, any result larger than a limit.

A dense ``W`` of the fusion at ``N = n = 65536`` is 32 GiB in float64: asking for it by
accident should be a clear error that points to the structured operators, not a machine
swapping itself to death. Every allocation whose size grows with the configuration is checked
first (:func:`check_size`, :func:`check_elements`): dense results, the stored entries and index
arrays of the sparse results, the results of ``X @ op`` and of the fusions. The sizes are
computed in exact Python integers, so that no product of dimensions overflows.

The limit (one number of bytes, per allocation) is per process (:func:`set_memory_limit`), per
block (:func:`memory_limit`), or from the environment variable ``REFIMPL_MEMORY_LIMIT`` (bytes)
at import time; ``None`` switches the guard off. The limit and :class:`MemoryLimitError` cover
every guarded allocation, dense or sparse.
"""

from __future__ import annotations

import contextlib
import contextvars
import operator
import os
from collections.abc import Callable, Iterator
from typing import Any, SupportsIndex

from ._validation import RefimplError, is_bool

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "MemoryLimitError",
    "check_dense_size",
    "check_elements",
    "check_size",
    "memory_limit",
    "get_memory_limit",
    "itemsize",
    "set_memory_limit",
]

#: The default limit on one guarded allocation: 4 GiB.
DEFAULT_MEMORY_LIMIT = 4 * 2**30

_UNSET = object()


class MemoryLimitError(RefimplError, MemoryError):
    """A result would exceed the memory guard's limit; raised before anything is allocated.

    Raised for dense results, sparse results (stored entries and index arrays), ``X @ op``
    and the fusions' outputs alike. The message says what was asked, how big it would be, and
    the way out (a structured operator, a sparse format, fewer rows at a time, or a higher
    limit). Subclasses :class:`RefimplError` and :class:`MemoryError`.

    Examples
    --------
    >>> import refimpl
    >>> with refimpl.memory_limit(1000):
    ...     try:
    ...         refimpl.dual_lphm([1.0] * 32, 64, 64, 8, 8, 1)
    ...     except MemoryError as exc:
    ...         print(str(exc)[:62])
    dual_lphm would materialise a dense 64 x 64 float64 matrix of
    """


def _from_environment() -> int | None:
    value = os.environ.get("REFIMPL_MEMORY_LIMIT")
    if value is None or value == "":
        return DEFAULT_MEMORY_LIMIT
    if value.lower() == "none":
        return None
    try:
        return _checked_limit(int(value))
    except (ValueError, TypeError):
        raise RefimplError(
            f"REFIMPL_MEMORY_LIMIT must be a positive number of bytes or 'none', got {value!r}"
        ) from None


def _checked_limit(limit: SupportsIndex | None) -> int | None:
    if limit is None:
        return None
    if is_bool(limit):
        raise TypeError(
            f"the memory limit must be an integer number of bytes or None, got the bool {limit!r}"
        )
    try:
        limit = operator.index(limit)  # int, NumPy integers, anything with __index__
    except TypeError:
        raise TypeError(
            f"the memory limit must be an integer number of bytes or None, got {limit!r} "
            f"of type {type(limit).__name__}"
        ) from None
    if limit <= 0:
        raise RefimplError(f"the memory limit must be a positive number of bytes, got {limit}")
    return limit


_default_limit: int | None = _from_environment()
_context_limit: contextvars.ContextVar[Any] = contextvars.ContextVar("refimpl_memory_limit", default=_UNSET)


def get_memory_limit() -> int | None:
    """Return the largest allocation, in bytes, that refimpl will make (``None``: no limit).

    Returns
    -------
    int or None
        The innermost :func:`memory_limit` block's limit, else the process-wide one.

    Examples
    --------
    >>> import refimpl
    >>> refimpl.get_memory_limit() == refimpl.DEFAULT_MEMORY_LIMIT
    True
    """
    limit = _context_limit.get()
    return _default_limit if limit is _UNSET else limit


def set_memory_limit(limit: int | None) -> None:
    """Set the process-wide limit on one result, in bytes; ``None`` switches the guard off.

    Parameters
    ----------
    limit : int or None
        Bytes: any integer (``int``, a NumPy integer, anything with ``__index__``; not a bool).
        The default is :data:`DEFAULT_MEMORY_LIMIT` (4 GiB), or the environment
        variable ``REFIMPL_MEMORY_LIMIT`` when set.

    Examples
    --------
    >>> import refimpl
    >>> refimpl.set_memory_limit(64 * 2**30)   # a machine with memory to spare
    >>> refimpl.set_memory_limit(refimpl.DEFAULT_MEMORY_LIMIT)
    """
    global _default_limit
    _default_limit = _checked_limit(limit)


@contextlib.contextmanager
def memory_limit(limit: int | None) -> Iterator[None]:
    """Use another memory limit inside a ``with`` block.

    Parameters
    ----------
    limit : int or None
        Bytes; ``None`` switches the guard off inside the block.

    Yields
    ------
    None
        Inside the block, :func:`get_memory_limit` returns ``limit``.

    Examples
    --------
    >>> import refimpl
    >>> with refimpl.memory_limit(None):
    ...     print(refimpl.get_memory_limit())
    None
    """
    token = _context_limit.set(_checked_limit(limit))
    try:
        yield
    finally:
        _context_limit.reset(token)


def itemsize(xp: Any, dtype: Any) -> int:
    """Bytes per element of a floating ``dtype`` of ``xp`` (complex dtypes count both parts).

    Remembered per dtype (a dtype's size does not change), so that a small call pays for it once.
    """
    key = (type(dtype), dtype)  # the type first: dtypes of two libraries are never compared
    try:
        return _ITEMSIZES[key]
    except (KeyError, TypeError):  # not seen yet, or a dtype that cannot be a key
        pass
    parts = 2 if xp.isdtype(dtype, "complex floating") else 1
    size: int = parts * (xp.finfo(dtype).bits // 8)
    with contextlib.suppress(TypeError):
        _ITEMSIZES[key] = size
    return size


_ITEMSIZES: dict[tuple[type, Any], int] = {}


def check_size(nbytes: int, what: str | Callable[[], str], advice: str) -> None:
    """Raise :class:`MemoryLimitError` if an allocation of ``nbytes`` bytes is over the limit.

    Call it *before* allocating anything whose size grows with the configuration. The
    arithmetic is exact (Python integers): compute ``nbytes`` from the dimensions as Python
    ints, never through NumPy integers, so that no product overflows.

    Parameters
    ----------
    nbytes : int
        The bytes the allocation would take (any integer with ``__index__``).
    what : str or callable
        What was asked, as the start of a sentence that ``"of <size>"`` completes:
        ``"duplicated_padding would materialise a dense 4 x 4 float64 matrix"``; or a function
        that returns it, called only to raise (a small call then never formats a message).
    advice : str
        The way out other than raising the limit: ``"use refimpl.duplicated_padding_operator"``.

    Raises
    ------
    MemoryLimitError
        When ``nbytes`` is over :func:`get_memory_limit` (never when the guard is off).

    Examples
    --------
    >>> import refimpl
    >>> from refimpl._memory import check_size
    >>> check_size(2**20, "a test would allocate a buffer", "ask for less")
    >>> with refimpl.memory_limit(1024):
    ...     check_size(2**20, "a test would allocate a buffer", "ask for less")
    Traceback (most recent call last):
        ...
    refimpl._memory.MemoryLimitError: a test would allocate a buffer of 1.0 MiB, over the memory limit of 1.0 KiB; ask for less, or raise the limit with refimpl.set_memory_limit(bytes) or `with refimpl.memory_limit(bytes):`
    """
    nbytes = operator.index(nbytes)
    limit = get_memory_limit()
    if limit is not None and nbytes > limit:
        what = what() if callable(what) else what
        raise MemoryLimitError(
            f"{what} of {_human(nbytes)}, over the memory limit of {_human(limit)}; {advice}, "
            "or raise the limit with refimpl.set_memory_limit(bytes) or `with refimpl.memory_limit(bytes):`"
        )


def check_elements(count: int, itemsize: int, what: str | Callable[[], str], advice: str) -> None:
    """:func:`check_size` for ``count`` elements of ``itemsize`` bytes each (exact integers).

    Examples
    --------
    >>> from refimpl._memory import check_elements
    >>> check_elements(10**6, 8, "a test would allocate 10**6 float64 values", "ask for less")
    """
    check_size(operator.index(count) * operator.index(itemsize), what, advice)


def check_dense_size(xp: Any, rows: int, cols: int, dtype: Any, what: str, advice: str) -> None:
    """Raise :class:`MemoryLimitError` if a ``rows x cols`` array of ``dtype`` exceeds the limit.

    ``what`` names the caller (``"dual_lphm"``); the message says it "would materialise a
    dense ``rows x cols`` ``dtype`` matrix".
    """
    rows, cols = operator.index(rows), operator.index(cols)
    check_elements(
        rows * cols,
        itemsize(xp, dtype),
        f"{what} would materialise a dense {rows} x {cols} {dtype} matrix",
        advice,
    )


_UNITS = ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB")


def _human(size: int) -> str:
    """``size`` bytes in the largest binary unit under it, rounded to 0.1 in exact arithmetic."""
    if size < 1024:
        return f"{size} bytes"
    power = min((size.bit_length() - 1) // 10, len(_UNITS) - 1)
    if size >= 1024 ** len(_UNITS):
        return f"more than 2**{size.bit_length() - 1} bytes"
    unit = 1024**power
    tenths = (size * 10 + unit // 2) // unit  # integer arithmetic: no float overflow, whatever the size
    return f"{tenths // 10}.{tenths % 10} {_UNITS[power]}"
