"""The memory guard: refuse to materialise a dense matrix larger than a limit.

A dense ``W`` of the fusion at ``N = n = 65536`` is 32 GiB in float64: asking for it by
accident should be a clear error that points to the structured operators, not a machine
swapping itself to death. The limit is per process (:func:`set_dense_limit`), per block
(:func:`dense_limit`), or from the environment variable ``REFIMPL_DENSE_LIMIT`` (bytes) at
import time; ``None`` switches the guard off.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator
from typing import Any

from ._validation import RefimplError

__all__ = ["DEFAULT_DENSE_LIMIT", "DenseSizeError", "check_dense_size", "dense_limit", "get_dense_limit", "set_dense_limit"]

#: The default limit on one dense result: 4 GiB.
DEFAULT_DENSE_LIMIT = 4 * 2**30

_UNSET = object()


class DenseSizeError(RefimplError, MemoryError):
    """A dense result would exceed the memory guard's limit.

    Subclasses :class:`RefimplError` and :class:`MemoryError`.

    Examples
    --------
    >>> import refimpl
    >>> with refimpl.dense_limit(1000):
    ...     try:
    ...         refimpl.dual_lphm([1.0] * 32, 64, 64, 8, 8, 1)
    ...     except MemoryError as exc:
    ...         print(str(exc)[:62])
    dual_lphm would materialise a dense 64 x 64 float64 matrix of
    """


def _from_environment() -> int | None:
    value = os.environ.get("REFIMPL_DENSE_LIMIT")
    if value is None or value == "":
        return DEFAULT_DENSE_LIMIT
    if value.lower() == "none":
        return None
    try:
        return _checked_limit(int(value))
    except (ValueError, TypeError):
        raise RefimplError(
            f"REFIMPL_DENSE_LIMIT must be a positive number of bytes or 'none', got {value!r}"
        ) from None


def _checked_limit(limit: Any) -> int | None:
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"the dense limit must be an int number of bytes or None, got {limit!r}")
    if limit <= 0:
        raise RefimplError(f"the dense limit must be a positive number of bytes, got {limit}")
    return limit


_default_limit: int | None = _from_environment()
_context_limit: contextvars.ContextVar[Any] = contextvars.ContextVar("refimpl_dense_limit", default=_UNSET)


def get_dense_limit() -> int | None:
    """Return the largest dense result, in bytes, that refimpl will materialise (``None``: no limit).

    Returns
    -------
    int or None
        The innermost :func:`dense_limit` block's limit, else the process-wide one.

    Examples
    --------
    >>> import refimpl
    >>> refimpl.get_dense_limit() == refimpl.DEFAULT_DENSE_LIMIT
    True
    """
    limit = _context_limit.get()
    return _default_limit if limit is _UNSET else limit


def set_dense_limit(limit: int | None) -> None:
    """Set the process-wide limit on one dense result, in bytes; ``None`` switches the guard off.

    Parameters
    ----------
    limit : int or None
        Bytes. The default is :data:`DEFAULT_DENSE_LIMIT` (4 GiB), or the environment
        variable ``REFIMPL_DENSE_LIMIT`` when set.

    Examples
    --------
    >>> import refimpl
    >>> refimpl.set_dense_limit(64 * 2**30)   # a machine with memory to spare
    >>> refimpl.set_dense_limit(refimpl.DEFAULT_DENSE_LIMIT)
    """
    global _default_limit
    _default_limit = _checked_limit(limit)


@contextlib.contextmanager
def dense_limit(limit: int | None) -> Iterator[None]:
    """Use another limit on dense results inside a ``with`` block.

    Parameters
    ----------
    limit : int or None
        Bytes; ``None`` switches the guard off inside the block.

    Yields
    ------
    None
        Inside the block, :func:`get_dense_limit` returns ``limit``.

    Examples
    --------
    >>> import refimpl
    >>> with refimpl.dense_limit(None):
    ...     print(refimpl.get_dense_limit())
    None
    """
    token = _context_limit.set(_checked_limit(limit))
    try:
        yield
    finally:
        _context_limit.reset(token)


def check_dense_size(xp: Any, rows: int, cols: int, dtype: Any, what: str, advice: str) -> None:
    """Raise :class:`DenseSizeError` if a ``rows x cols`` array of ``dtype`` exceeds the limit."""
    limit = get_dense_limit()
    if limit is None:
        return
    parts = 2 if xp.isdtype(dtype, "complex floating") else 1
    size = rows * cols * parts * (xp.finfo(dtype).bits // 8)
    if size > limit:
        raise DenseSizeError(
            f"{what} would materialise a dense {rows} x {cols} {dtype} matrix of {_human(size)}, "
            f"over the dense limit of {_human(limit)}; {advice}, or raise the limit with "
            "refimpl.set_dense_limit(bytes) or `with refimpl.dense_limit(bytes):`"
        )


def _human(size: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")  # pragma: no cover
