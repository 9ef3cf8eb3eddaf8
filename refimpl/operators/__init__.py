"""The building blocks the functions of SPEC compose, each applied without materialising it.

Nobody needs ``psi(w)`` itself so much as ``X @ psi(w)`` for a batch of rows. An operator holds
only the small pieces of its matrix and applies them at the cost its structure allows:

=====================================  ================================  =========================
building block                         matrix                            used by
=====================================  ================================  =========================
:class:`StructuredOperator`            the base: ``X @ op``, ``op @ Y``  every operator
                                       for any batch shape, Dask, SciPy
:class:`BlockGridOperator`             ``W`` on a ``p x q`` grid         the padding operators
:class:`DualLphmOperator`              ``kron(P Q^T, S T^T)``            Dual-LPHM, its fusion
:class:`ScaledOperator`,               ``c A``, ``A + B``, ``A B``       ``2 * op``, ``op1 + op2``,
:class:`SumOperator`,                                                    ``op1 @ op2`` (lazy)
:class:`ProductOperator`
=====================================  ================================  =========================

Each function's own operator and its constructor live in the function's home
(:mod:`refimpl.functions`); ``refimpl`` re-exports them all.

Building an operator copies nothing of a floating ``w``: its pieces are views of ``w`` (as SciPy's
``aslinearoperator`` of an array holds the array), so a later in-place change of ``w`` shows in
the operator. An integer ``w`` is converted to floating first, and that copy is the operator's own.
"""

from ._base import StructuredOperator
from .algebra import ProductOperator, ScaledOperator, SumOperator
from .blocks import BlockGridOperator
from .kronecker import DualLphmOperator, kron_of_products

__all__ = [
    "BlockGridOperator",
    "DualLphmOperator",
    "ProductOperator",
    "ScaledOperator",
    "StructuredOperator",
    "SumOperator",
    "kron_of_products",
]
