"""Scalar multiples, sums and products of operators, kept lazy: ``2 * op``, ``op1 + op2``, ``op1 @ op2``.

Each is an operator again (:class:`StructuredOperator`): it applies its parts one after the other
and never forms the matrix, so each part keeps the cost of its own structure, on every backend
the parts support. A multiple of a multiple is one multiple; the transpose, conjugate and a
change of dtype go to the parts.
"""

from __future__ import annotations

import numbers
from typing import Any

from .._memory import check_elements, itemsize
from .._validation import RefimplError
from ._base import StructuredOperator

__all__ = ["ProductOperator", "ScaledOperator", "SumOperator", "as_scalar"]


def as_scalar(c: Any) -> complex | float:
    """``c`` as a Python ``float`` (``complex`` when it has an imaginary part); it stays weak, like
    a Python scalar: ``2 * op`` keeps the operator's dtype."""
    if isinstance(c, bool) or not isinstance(c, numbers.Number):
        raise TypeError(f"an operator is scaled by a number (int, float, complex), got {type(c).__name__}")
    z: complex = complex(c)  # type: ignore[call-overload]  # numbers.Number carries no __complex__ in typeshed
    return z if z.imag else z.real


def _check_same_library(a: StructuredOperator, b: StructuredOperator, what: str) -> None:
    if a.xp is not b.xp or a.device != b.device:
        raise TypeError(
            f"{what} needs operators of one library and device, got {a.xp.__name__} ({a.device}) "
            f"and {b.xp.__name__} ({b.device})"
        )


class ScaledOperator(StructuredOperator):
    r"""``c * A`` for a number ``c``: :math:`X (cA) = c\,(XA)`.

    Built by ``c * op`` or ``op * c``; a complex ``c`` makes a real operator complex.

    Parameters
    ----------
    c : int, float or complex
        The factor.
    A : StructuredOperator
        The operator scaled.

    Examples
    --------
    >>> import numpy as np
    >>> import refimpl
    >>> op = refimpl.dual_lphm_operator(np.ones(8), 4, 4, 2, 2, 1)
    >>> print((2 * op).toarray()[0], type(2 * (3 * op).T).__name__, (3 * op).T.c)
    [2. 2. 2. 2.] ScaledOperator 3.0
    """

    c: complex | float
    A: StructuredOperator

    def __init__(self, c: Any, A: StructuredOperator) -> None:
        c = as_scalar(c)
        if isinstance(A, ScaledOperator):  # c * (d * B) is (c d) * B
            c, A = c * A.c, A.A
        if isinstance(c, complex):
            A = A._cast(A.xp.result_type(A.dtype, A.xp.complex64))
        super().__init__(A.xp, A.shape, A.dtype, A.device)
        self.c, self.A = c, A

    def _apply(self, X: Any) -> Any:
        return self.c * self.A._apply(X)

    def _transpose(self) -> ScaledOperator:
        return ScaledOperator(self.c, self.A.T)

    def _conj(self) -> ScaledOperator:
        return ScaledOperator(self.c.conjugate(), self.A.conj())

    def _astype(self, dtype: Any) -> ScaledOperator:
        return ScaledOperator(self.c, self.A._astype(dtype))

    def _dense(self) -> Any:
        return self.c * self.A._dense()


class SumOperator(StructuredOperator):
    r"""``A + B`` for operators of one shape: :math:`X (A + B) = XA + XB`.

    The dtype is the promotion of the two; built by ``op1 + op2`` (and ``op1 - op2``).

    Parameters
    ----------
    A, B : StructuredOperator
        The terms, of one shape, library and device.

    Examples
    --------
    >>> import numpy as np
    >>> import refimpl
    >>> op = refimpl.dual_lphm_operator(np.ones(8), 4, 4, 2, 2, 1)
    >>> print((op + op.T).toarray()[0], (op - op).toarray().any())
    [2. 2. 2. 2.] False
    """

    def __init__(self, A: StructuredOperator, B: StructuredOperator) -> None:
        _check_same_library(A, B, "op1 + op2")
        if A.shape != B.shape:
            raise RefimplError(f"op1 + op2 needs operators of one shape, got {A.shape} and {B.shape}")
        dtype = A.xp.result_type(A.dtype, B.dtype)
        super().__init__(A.xp, A.shape, dtype, A.device)
        self.A, self.B = A._cast(dtype), B._cast(dtype)

    def _apply(self, X: Any) -> Any:
        return self.A._apply(X) + self.B._apply(X)

    def _transpose(self) -> SumOperator:
        return SumOperator(self.A.T, self.B.T)

    def _conj(self) -> SumOperator:
        return SumOperator(self.A.conj(), self.B.conj())

    def _astype(self, dtype: Any) -> SumOperator:
        return SumOperator(self.A._astype(dtype), self.B._astype(dtype))

    def _dense(self) -> Any:
        return self.A._dense() + self.B._dense()


class ProductOperator(StructuredOperator):
    r"""``A @ B`` for ``A`` of shape ``(n, k)`` and ``B`` of shape ``(k, D)``: :math:`X (AB) = (XA) B`.

    The dtype is the promotion of the two; built by ``op1 @ op2``. The intermediate ``X A``
    (``m x k``) is measured by the memory guard before it is computed, as the result is.

    Parameters
    ----------
    A, B : StructuredOperator
        The factors, of one library and device.

    Examples
    --------
    >>> import numpy as np
    >>> import refimpl
    >>> op = refimpl.dual_lphm_operator(np.ones(8), 4, 4, 2, 2, 1)
    >>> print((op @ op).toarray()[0], (op @ op).T.shape)
    [4. 4. 4. 4.] (4, 4)
    """

    def __init__(self, A: StructuredOperator, B: StructuredOperator) -> None:
        _check_same_library(A, B, "op1 @ op2")
        if A.shape[1] != B.shape[0]:
            raise RefimplError(
                f"op1 @ op2 needs op2 of shape ({A.shape[1]}, ...) for op1 of shape {A.shape}, got shape {B.shape}"
            )
        dtype = A.xp.result_type(A.dtype, B.dtype)
        super().__init__(A.xp, (A.shape[0], B.shape[1]), dtype, A.device)
        self.A, self.B = A._cast(dtype), B._cast(dtype)

    def _apply(self, X: Any) -> Any:
        check_elements(
            X.shape[0] * self.A.shape[1],
            itemsize(self.xp, X.dtype),
            f"X @ (op1 @ op2) would allocate X @ op1 of shape {(X.shape[0], self.A.shape[1])} ({X.dtype})",
            "apply the operator to fewer rows at a time",
        )
        return self.B._apply(self.A._apply(X))

    def _transpose(self) -> ProductOperator:
        return ProductOperator(self.B.T, self.A.T)

    def _conj(self) -> ProductOperator:
        return ProductOperator(self.A.conj(), self.B.conj())

    def _astype(self, dtype: Any) -> ProductOperator:
        return ProductOperator(self.A._astype(dtype), self.B._astype(dtype))

    def _dense(self) -> Any:
        return self.A._dense() @ self.B._dense()
