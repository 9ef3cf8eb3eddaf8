"""The Kronecker product of two low-rank matrices, ``kron(P Q^T, S T^T)``, as an operator.

Dual-LPHM (SPEC section 3) and the Dual-LPHM fusion's weight (SPEC section 4) are this
structure; :func:`kron_of_products` is its literal definition.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import array_api_compat
import array_api_extra as xpx

from .._validation import RefimplError
from ._base import StructuredOperator
from ._row_blocks import rmatmul_segments

__all__ = ["DualLphmOperator", "kron_of_products"]


def kron_of_products(xp: ModuleType, P: Any, Q: Any, S: Any, T: Any) -> Any:
    """``kron(P @ Q.T, S @ T.T)``: SPEC section 3, literally (``kron`` is ``numpy.kron``'s)."""
    return xpx.kron(P @ Q.T, S @ T.T, xp=xp)


class DualLphmOperator(StructuredOperator):
    r"""``kron(P Q^T, S T^T)`` applied through its rank-``r`` factors.

    With ``X`` seen as ``(m, p, s)``, ``X @ kron(P Q^T, S T^T)`` is ``Q (P^T X S) T^T`` for each row:

    .. math:: Y_{\cdot, j b} = \sum_{c,d} Q_{jc} \Big(\sum_{i,a} P_{ic} X_{\cdot, i a} S_{ad}\Big) T_{bd},

    costing ``O(m*r*(n + D))`` plus small terms, against ``O(m*n*D)`` for the dense product.
    The contraction order is chosen from the shapes (see :meth:`contraction_costs`): each order
    is a few large matrix products, and none forms a product larger than needed. Build it with
    :func:`refimpl.dual_lphm_operator` or :func:`refimpl.dual_lphm_fusion_operator`.

    Parameters
    ----------
    xp : module
        The array namespace of the factors.
    P, Q, S, T : arrays of shapes (p, r), (q, r), (s, r), (t, r)
        The factors.

    Examples
    --------
    >>> import numpy as np
    >>> import refimpl
    >>> op = refimpl.dual_lphm_operator(np.arange(1.0, 9.0), n=4, D=4, p=2, q=2, r=1)
    >>> op.contraction_order(m=512)
    'factored'
    >>> bool(np.array_equal(np.eye(4) @ op, op.toarray()))
    True
    """

    ORDERS = ("factored", "blocks", "dense")

    def __init__(self, xp: ModuleType, P: Any, Q: Any, S: Any, T: Any) -> None:
        (p, r), (q, _), (s, _), (t, _) = P.shape, Q.shape, S.shape, T.shape
        super().__init__(xp, (p * s, q * t), P.dtype, array_api_compat.device(P))
        self.P, self.Q, self.S, self.T_factor = P, Q, S, T
        self.p, self.q, self.r, self.s, self.t = p, q, r, s, t

    def contraction_costs(self, m: int) -> dict[str, int]:
        """Estimated multiply-adds plus element copies of each order, for ``m`` rows.

        * ``factored``: ``S^T X^T``, then ``P`` and ``Q^T`` (or ``P Q^T`` when smaller), then ``T``;
        * ``blocks``: ``(S T^T)^T X^T``, then ``P Q^T`` over the block index, then one transpose;
        * ``dense``: materialise ``kron(P Q^T, S T^T)`` and multiply.
        """
        return _contraction_costs(self.p, self.q, self.r, self.s, self.t, m)

    def contraction_order(self, m: int) -> str:
        """The cheapest order of :meth:`contraction_costs` for ``m`` rows."""
        return _cheapest_order(self.p, self.q, self.r, self.s, self.t, m)

    def _apply(self, X: Any, order: str | None = None) -> Any:
        if order is not None and order not in self.ORDERS:
            raise RefimplError(f"order must be one of {self.ORDERS}, got {order!r}")
        return rmatmul_segments(self, [X], ("X",), order)

    def rmatmul_segments(
        self, segments: Sequence[Any], names: Sequence[str] = ("X",), what: str = "X @ op"
    ) -> Any:
        """``concat(segments, axis=-1) @ op`` as an ``(M, n)`` array, with no joined copy.

        ``segments`` are arrays of the operator's namespace and dtype, of shapes
        ``lead + (n_i,)`` with one ``lead`` (``M = prod(lead)`` rows) and ``sum(n_i) = n``;
        ``names`` name them, and ``what`` the caller, in the memory guard's messages. Nothing
        else is checked: the callers have (:meth:`rmatmul`, :func:`refimpl.dual_lphm_fusion`).
        See :mod:`refimpl.operators._row_blocks`.
        """
        return rmatmul_segments(self, segments, names, what=what)

    def _times_p_qt(self, Z: Any) -> Any:
        """``Z @ P @ Q^T`` for ``Z`` of shape ``(k, p)``, in the association with fewer
        multiply-adds per row of ``Z``: ``(Z P) Q^T`` costs ``r*(p + q)``, ``Z (P Q^T)`` costs ``p*q``
        (after ``P Q^T`` once); on a tie, ``(Z P) Q^T``. The two agree to rounding."""
        if self.r * (self.p + self.q) <= self.p * self.q:
            return (Z @ self.P) @ self.Q.T
        return Z @ (self.P @ self.Q.T)

    def _transpose(self) -> DualLphmOperator:
        # kron(P Q^T, S T^T)^T = kron(Q P^T, T S^T)
        return DualLphmOperator(self.xp, self.Q, self.P, self.T_factor, self.S)

    def _conj(self) -> DualLphmOperator:
        c = self.xp.conj
        return DualLphmOperator(self.xp, c(self.P), c(self.Q), c(self.S), c(self.T_factor))

    def _astype(self, dtype: Any) -> DualLphmOperator:
        a = self.xp.astype
        return DualLphmOperator(
            self.xp, a(self.P, dtype), a(self.Q, dtype), a(self.S, dtype), a(self.T_factor, dtype)
        )

    def _dense(self) -> Any:
        return kron_of_products(self.xp, self.P, self.Q, self.S, self.T_factor)


def _contraction_costs(p: int, q: int, r: int, s: int, t: int, m: int) -> dict[str, int]:
    """:meth:`DualLphmOperator.contraction_costs` of the operator of factors with ``p, q, s, t``
    rows and ``r`` columns."""
    n, D = p * s, q * t
    middle = min(m * r * r * (p + q), m * r * p * q + p * q * r)
    return {
        "factored": m * n * r + middle + m * D * r,
        "blocks": s * t * r + p * q * r + m * n * t + m * p * q * t + m * D,
        "dense": p * q * r + s * t * r + n * D + m * n * D,
    }


@functools.lru_cache(maxsize=256)
def _cheapest_order(p: int, q: int, r: int, s: int, t: int, m: int) -> str:
    """The cheapest of :func:`_contraction_costs`, first of ``ORDERS`` on a tie; remembered."""
    costs = _contraction_costs(p, q, r, s, t, m)
    return min(DualLphmOperator.ORDERS, key=costs.__getitem__)
