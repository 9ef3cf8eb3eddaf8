"""Dual-LPHM reconciliation (SPEC section 3): a Kronecker product of two low-rank matrices.

``w`` is cut into four row-major factors ``P (p x r)``, ``Q (q x r)``, ``S (s x r)`` and
``T (t x r)``, in this order, and the ``R x C`` matrix is ``kron(P @ Q.T, S @ T.T)`` with
``s = R/p`` and ``t = C/q``. The fusion of :mod:`refimpl.fusion` fabricates its weight this way.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from types import ModuleType
from typing import Any

import array_api_extra as xpx

from ._memory import check_dense_size
from ._validation import check_parameter_vector
from ._xp import namespace_and_arrays
from .shapes import FACTORS, LphmShape, lphm_shape

__all__ = ["dual_lphm", "dual_lphm_l"]


def lphm_factors(
    xp: ModuleType,
    w: Any,
    shape: LphmShape,
    *,
    order: Sequence[str] = FACTORS,
    column_major: Collection[str] = (),
) -> tuple[Any, Any, Any, Any]:
    """Cut ``w`` into ``P, Q, S, T``: ``w = [vec(P) | vec(Q) | vec(S) | vec(T)]``, each row-major.

    This is the one place the layout of ``w`` is read. ``order`` and ``column_major`` describe
    other layouts, which the oracle's catalogue of mistakes uses: the segments taken in another
    order, or the factors named in ``column_major`` read as ``(r, rows)`` and transposed (a
    column-major ``vec``). SPEC's layout is the default.
    """
    w = check_parameter_vector(xp, w, shape.l, shape.rule)
    factors, rows = {}, shape.rows
    for name, where in shape.segments(order).items():
        if name in column_major:
            factors[name] = xp.reshape(w[where], (shape.r, rows[name])).T
        else:
            factors[name] = xp.reshape(w[where], (rows[name], shape.r))
    return factors["P"], factors["Q"], factors["S"], factors["T"]


def dual_lphm_l(n: int, D: int, p: int, q: int | None, r: int) -> int:
    r"""Length of the parameter vector of :func:`dual_lphm`.

    .. math:: l = r\,(p + q + s + t), \qquad s = n/p,\; t = D/q.

    Parameters
    ----------
    n, D : int
        Rows and columns of the target matrix.
    p, q : int
        Shape of the left Kronecker factor ``P @ Q.T``; ``p`` divides ``n``, ``q`` divides
        ``D``; ``q=None`` means ``q = p``.
    r : int
        Rank of both factors.

    Returns
    -------
    int
        ``l``, the required length of ``w``.

    Raises
    ------
    TypeError
        If a dimension is not an integer.
    RefimplError
        If a dimension is not positive or a division is not exact.

    Examples
    --------
    >>> from refimpl import dual_lphm_l
    >>> dual_lphm_l(n=6, D=4, p=3, q=2, r=1)  # 1 * (3 + 2 + 6/3 + 4/2)
    9
    """
    return lphm_shape(n, D, p, q, r).l


def dual_lphm(w: Any, n: int, D: int, p: int, q: int | None, r: int) -> Any:
    r"""Dual-LPHM reconciliation: the Kronecker product of two rank-``r`` products.

    .. math::

        \psi(w) = (P Q^\top) \otimes (S T^\top) \in \mathbb{R}^{n \times D},
        \qquad \psi(w)_{i s + a,\; j t + b} = (P Q^\top)_{ij}\,(S T^\top)_{ab},

    where ``w = [vec(P) | vec(Q) | vec(S) | vec(T)]`` (each row-major), ``P`` is ``p x r``,
    ``Q`` is ``q x r``, ``S`` is ``s x r``, ``T`` is ``t x r``, ``s = n/p``, ``t = D/q``.

    Parameters
    ----------
    w : array_like, shape (l,) or (1, l)
        The parameter vector, ``l = r*(p + q + s + t)``.
    n, D, p, q, r : int
        As in :func:`dual_lphm_l`.

    Returns
    -------
    array, shape (n, D)
        A dense array of ``w``'s namespace, device and floating dtype.

    Raises
    ------
    TypeError
        If a dimension is not an integer or ``w`` is not numeric.
    RefimplError
        If the configuration is invalid or ``w`` does not have ``l`` entries.

    Examples
    --------
    With ``p = q = r = 1`` the left factor is the scalar ``P Q^T = 2``:

    >>> import numpy as np
    >>> from refimpl import dual_lphm
    >>> w = np.array([2.0, 1.0, 1.0, 2.0, 1.0, 3.0])  # P=[[2]], Q=[[1]], S=[[1],[2]], T=[[1],[3]]
    >>> print(dual_lphm(w, n=2, D=2, p=1, q=1, r=1))
    [[ 2.  6.]
     [ 4. 12.]]
    """
    shape = lphm_shape(n, D, p, q, r)
    xp, (w,) = namespace_and_arrays(w)
    w = check_parameter_vector(xp, w, shape.l, shape.rule)  # a wrong w first, then the size
    check_dense_size(xp, shape.R, shape.C, w.dtype, "dual_lphm", "use refimpl.dual_lphm_operator")
    return lphm_matrix(xp, w, shape)


def lphm_matrix(xp: ModuleType, w: Any, shape: LphmShape) -> Any:
    """The body of :func:`dual_lphm` for a checked ``shape`` and a ``w`` already in ``xp``."""
    return kron_of_products(xp, *lphm_factors(xp, w, shape))


def kron_of_products(xp: ModuleType, P: Any, Q: Any, S: Any, T: Any) -> Any:
    """``kron(P @ Q.T, S @ T.T)``: SPEC section 3, literally (``kron`` is ``numpy.kron``'s)."""
    return xpx.kron(P @ Q.T, S @ T.T, xp=xp)
