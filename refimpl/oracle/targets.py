"""A candidate named on a command line: the object ``MODULE:CALLABLE`` names.

:func:`load_target` is how the command line (``refimpl check``) and the pytest plugin
(``--refimpl-candidate``) find the implementation they check.
"""

from __future__ import annotations

import importlib
import os
import traceback
from typing import Any

from .._validation import RefimplError

__all__ = ["load_target"]


def load_target(target: str) -> Any:
    """The object named by ``MODULE:CALLABLE`` (``CALLABLE`` may be dotted, ``pkg.mod:Class.method``).

    ``MODULE`` is imported from ``sys.path`` (the command line puts the current folder first,
    as ``python -m`` does).

    Raises
    ------
    RefimplError
        When the name is malformed, when the module has no such attribute, or when the module
        cannot be imported: the message gives the file, line and message of what went wrong
        (a ``SyntaxError``, an exception raised at import, a module not found), no traceback.

    Examples
    --------
    >>> from refimpl.oracle.targets import load_target
    >>> load_target("refimpl.examples:faithful_dual_lphm").__name__
    'faithful_dual_lphm'
    >>> load_target("refimpl_no_such_module:f")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    refimpl._validation.RefimplError: cannot import the candidate's module 'refimpl_no_such_module': no module of that name in the current folder ...
    """
    module, _, attribute = target.partition(":")
    if not module or not attribute:
        raise RefimplError(f"a candidate is named MODULE:CALLABLE, got {target!r}")
    importlib.invalidate_caches()  # a module written since the last import is found
    try:
        obj = importlib.import_module(module)
    except Exception as exc:
        raise RefimplError(
            f"cannot import the candidate's module {module!r}: {_import_failure(module, exc)}"
        ) from None
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise RefimplError(f"{target!r}: module {module!r} has no attribute {attribute!r}") from None
    return obj


def _import_failure(module: str, exc: Exception) -> str:
    """Where and why importing ``module`` failed: ``FILE, line N: TYPE: message``."""
    if isinstance(exc, SyntaxError) and exc.filename not in (None, "<string>"):
        return f"{exc.filename}, line {exc.lineno}: {type(exc).__name__}: {exc.msg}"
    name = getattr(exc, "name", None)
    if isinstance(exc, ModuleNotFoundError) and name and (module == name or module.startswith(name + ".")):
        first = name.partition(".")[0]
        return (
            f"no module of that name in the current folder ({os.getcwd()}) nor on sys.path: run refimpl check "
            f"in the folder that holds {first}.py (or the package {first}/), or install it"
        )
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)  # the import machinery's frames left out
        if f.filename not in (__file__, importlib.__file__) and not f.filename.startswith("<frozen ")
    ]
    where = f"{frames[-1].filename}, line {frames[-1].lineno}: " if frames else ""
    if len(frames) > 1 and frames[0].filename != frames[-1].filename:
        where = f"{frames[0].filename}, line {frames[0].lineno}, then {where}"
    return f"{where}{type(exc).__name__}: {exc}"
