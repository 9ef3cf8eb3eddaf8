"""The functions of SPEC, one home each, and the table the rest of the package reaches them by.

==========================================  ===============================  =====================
home                                        the function                     SPEC
==========================================  ===============================  =====================
:mod:`~.duplicated_padding`                 ``kron(ones(p, q), W)``          section 1
:mod:`~.duplicated_diagonal_padding`        ``kron(eye(p, q), W)``, sparse   section 2
:mod:`~.dual_lphm`                          ``kron(P Q^T, S T^T)``           section 3
:mod:`~.dual_lphm_fusion`                   ``concat(A) @ kron(...)``        section 4
:mod:`~.concatenation_fusion`               ``concat(A) @ reshape(w)``       section 4
==========================================  ===============================  =====================

Each home holds the function and its ``l``, its operator and a :class:`Function`, the protocol
through which the oracle, the command line and the plotting use it without naming it.
:func:`register` adds a function to :data:`FUNCTIONS`: a new function of SPEC is one new module
and one registration.

Examples
--------
>>> from refimpl.functions import FUNCTIONS, get_function
>>> sorted(FUNCTIONS)
['concatenation_fusion', 'dual_lphm', 'dual_lphm_fusion', 'duplicated_diagonal_padding', 'duplicated_padding']
>>> get_function("dual_lphm").l({"n": 6, "D": 4, "p": 3, "q": 2, "r": 1})
9
"""

from __future__ import annotations

from typing import Any

from .._validation import RefimplError
from ._function import Config, Function, FusionFunction, MatrixFunction, Stages, leading_shape
from ._mistakes import STAGES, Mistake
from .concatenation_fusion import ConcatenationFusionFunction
from .dual_lphm import DualLphmFunction
from .dual_lphm_fusion import DualLphmFusionFunction
from .duplicated_diagonal_padding import DuplicatedDiagonalPaddingFunction
from .duplicated_padding import DuplicatedPaddingFunction

__all__ = [
    "FUNCTIONS",
    "Config",
    "STAGES",
    "Function",
    "FusionFunction",
    "MatrixFunction",
    "Mistake",
    "Stages",
    "get_function",
    "leading_shape",
    "register",
    "unregister",
]

#: Every function, by name, in SPEC's order.
FUNCTIONS: dict[str, Function] = {}


def register(function: Function) -> Function:
    """Add ``function`` to :data:`FUNCTIONS` under its name; returns it.

    Raises
    ------
    TypeError
        If ``function`` is not a :class:`Function`.
    RefimplError
        If another function has its name.
    """
    if not isinstance(function, Function):
        raise TypeError(f"register takes a refimpl.functions.Function, got {type(function).__name__}")
    if function.name in FUNCTIONS and FUNCTIONS[function.name] is not function:
        raise RefimplError(f"a function named {function.name!r} is registered already")
    FUNCTIONS[function.name] = function
    return function


def unregister(name: str) -> None:
    """Remove the function named ``name`` from :data:`FUNCTIONS` (a test's own function, say)."""
    FUNCTIONS.pop(name, None)


def get_function(function: Any) -> Function:
    """The :class:`Function` of a name (or the function itself).

    Raises
    ------
    TypeError
        If ``function`` is neither a name nor a :class:`Function`.
    RefimplError
        If no function has this name; the message lists the names.
    """
    if isinstance(function, Function):
        return function
    if not isinstance(function, str):
        raise TypeError(f"function must be one of {sorted(FUNCTIONS)}, got {function!r}")
    if function not in FUNCTIONS:
        raise RefimplError(f"function must be one of {sorted(FUNCTIONS)}, got {function!r}")
    return FUNCTIONS[function]


for _function in (
    DuplicatedPaddingFunction(),
    DuplicatedDiagonalPaddingFunction(),
    DualLphmFunction(),
    DualLphmFusionFunction(),
    ConcatenationFusionFunction(),
):
    register(_function)
