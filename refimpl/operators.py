"""Structured operators: apply the matrices of SPEC without materialising them.

Nobody needs ``psi(w)`` itself so much as ``X @ psi(w)`` for a batch of rows. Each operator
holds only the small pieces of its matrix (``W``, or ``P, Q, S, T``) and applies them at the
cost the structure allows:

========================================  ==========================  ===============================
operator                                  matrix                      ``X @ op`` for ``m`` rows costs
========================================  ==========================  ===============================
:class:`DuplicatedPaddingOperator`        ``kron(ones(p, q), W)``     ``O(m*(n + s*t + D))``
:class:`DuplicatedDiagonalPaddingOperator`  ``kron(eye(p, q), W)``    ``O(m*min(p, q)*s*t)``
:class:`DualLphmOperator`                 ``kron(P Q^T, S T^T)``      ``O(m*r*(n + D) + m*r^2*(p+q))``
========================================  ==========================  ===============================

against ``O(m*n*D)`` for the materialised product. Every operator supports ``X @ op`` and
``op @ Y`` over any leading batch shape, ``op.T``, ``op.H``, ``op.shape``, ``op.dtype``,
``op.toarray()`` (the literal definition, under the memory guard) and ``op.aslinearoperator()``.

Dask arrays chunked along their rows are applied chunk by chunk, lazily: the small factors go
to every chunk and ``X`` is never gathered.

Building an operator copies nothing of a floating ``w``: its pieces are views of ``w`` (as SciPy's
``aslinearoperator`` of an array holds the array), so a later in-place change of ``w`` shows in
the operator. An integer ``w`` is converted to floating first, and that copy is the operator's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

import array_api_compat

from ._memory import check_dense_size
from ._operator import StructuredOperator
from ._validation import RefimplError
from ._xp import namespace_and_arrays
from .lphm import kron_of_products, lphm_factors
from .padding import (
    SparseFormat,
    _parameter_matrix,
    check_format,
    check_sparse_size,
    duplicated_diagonal_padding,
)
from .shapes import LphmShape, fusion_shape, lphm_shape, padding_shape

__all__ = [
    "DualLphmOperator",
    "DuplicatedDiagonalPaddingOperator",
    "DuplicatedPaddingOperator",
    "StructuredOperator",
    "dual_lphm_fusion_operator",
    "dual_lphm_operator",
    "duplicated_diagonal_padding_operator",
    "duplicated_padding_operator",
]


# -- duplicated padding ----------------------------------------------------------------------


class _BlockOperator(StructuredOperator):
    """What the two padding operators share: a block ``W`` (``s x t``) on a ``p x q`` grid."""

    def __init__(self, xp: ModuleType, W: Any, p: int, q: int) -> None:
        s, t = W.shape
        super().__init__(xp, (p * s, q * t), W.dtype, array_api_compat.device(W))
        self.W, self.p, self.q = W, p, q

    def _transpose(self) -> Any:
        return type(self)(self.xp, self.W.T, self.q, self.p)

    def _conj(self) -> Any:
        return type(self)(self.xp, self.xp.conj(self.W), self.p, self.q)

    def _astype(self, dtype: Any) -> Any:
        return type(self)(self.xp, self.xp.astype(self.W, dtype), self.p, self.q)


class DuplicatedPaddingOperator(_BlockOperator):
    r"""``kron(ones(p, q), W)`` applied without materialising it.

    With ``X`` cut into ``p`` column blocks ``X_i`` of width ``s``:

    .. math:: X (\mathbf{1}_{p \times q} \otimes W) = [\,Y \;\cdots\; Y\,] \;(q \text{ times}),
        \qquad Y = \Big(\sum_{i} X_i\Big) W,

    one pass over ``X``, one small product and one pass over the output. Build it with
    :func:`duplicated_padding_operator`.

    Parameters
    ----------
    xp : module
        The array namespace of ``W``.
    W : array, shape (s, t)
        The block.
    p, q : int
        Block rows and block columns.

    Examples
    --------
    >>> import numpy as np
    >>> import refimpl
    >>> op = refimpl.duplicated_padding_operator(np.arange(1.0, 5.0), n=4, D=4, p=2)
    >>> bool(np.array_equal(np.eye(4) @ op, op.toarray()))
    True
    """

    def _apply(self, X: Any) -> Any:
        xp, s = self.xp, self.W.shape[0]
        block_sum = xp.sum(xp.reshape(X, (X.shape[0], self.p, s)), axis=1)
        return xp.tile(block_sum @ self.W, (1, self.q))

    def _dense(self) -> Any:
        return self.xp.tile(self.W, (self.p, self.q))  # kron(ones(p, q), W), as duplicated_padding


class DuplicatedDiagonalPaddingOperator(_BlockOperator):
    r"""``kron(eye(p, q), W)`` applied without materialising it.

    With ``X`` cut into ``p`` column blocks ``X_i`` of width ``s`` and ``k = min(p, q)``:

    .. math:: X (I_{p \times q} \otimes W) = [\,X_0 W \;\cdots\; X_{k-1} W \;\; 0 \cdots 0\,],

    computed as one matrix product ``(m*k, s) @ (s, t)``: the compute floor of the structure.
    Structural zeros stay exact: the zero blocks are written, never computed. Build it with
    :func:`duplicated_diagonal_padding_operator`.

    Parameters
    ----------
    xp : module
        The array namespace of ``W``.
    W : array, shape (s, t)
        The block.
    p, q : int
        Block rows and block columns.

    Examples
    --------
    >>> import numpy as np
    >>> import refimpl
    >>> op = refimpl.duplicated_diagonal_padding_operator(np.arange(1.0, 5.0), n=4, D=4, p=2)
    >>> bool(np.array_equal(np.eye(4) @ op, op.toarray()))
    True
    """

    def _apply(self, X: Any) -> Any:
        xp, (s, t), m = self.xp, self.W.shape, X.shape[0]
        k = min(self.p, self.q)
        if k < self.p:
            X = X[:, : k * s]
        out = xp.reshape(xp.reshape(X, (m * k, s)) @ self.W, (m, k * t))
        if k < self.q:
            zeros = xp.zeros((m, (self.q - k) * t), dtype=out.dtype, device=array_api_compat.device(out))
            out = xp.concat([out, zeros], axis=1)
        return out

    def _dense(self) -> Any:
        return self.tosparse("dense")

    def tosparse(self, format: SparseFormat = "csr") -> Any:
        """The matrix from :func:`refimpl.duplicated_diagonal_padding` in ``format``.

        Parameters
        ----------
        format : {"csr", "csc", "coo", "bsr", "dense"}
            As for :func:`refimpl.duplicated_diagonal_padding`.

        Returns
        -------
        sparse array or array

        Raises
        ------
        DenseSizeError
            If the result is over the memory guard's limit; checked before anything is built.

        Examples
        --------
        >>> import numpy as np
        >>> import refimpl
        >>> op = refimpl.duplicated_diagonal_padding_operator(np.ones(4), 10**9, 10**9, 5 * 10**8)
        >>> op.tosparse()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
            ...
        refimpl._memory.DenseSizeError: DuplicatedDiagonalPaddingOperator.tosparse('csr') would allocate ... of 37.3 GiB, over the dense limit of 4.0 GiB; apply the operator instead (X @ op, op @ Y), ...
        """
        s, t = self.W.shape
        if check_format(format) != "dense":  # the dense result is guarded by the function
            shape = padding_shape(self.p * s, self.q * t, self.p, self.q)
            check_sparse_size(
                self.xp,
                shape,
                format,
                self.dtype,
                f"{type(self).__name__}.tosparse({format!r})",
                "apply the operator instead (X @ op, op @ Y)",
            )
        w = self.xp.reshape(self.W, (s * t,))
        return duplicated_diagonal_padding(w, self.p * s, self.q * t, self.p, self.q, format=format)


# -- Dual-LPHM -------------------------------------------------------------------------------


class DualLphmOperator(StructuredOperator):
    r"""``kron(P Q^T, S T^T)`` applied through its rank-``r`` factors.

    With ``X`` seen as ``(m, p, s)``, ``X @ kron(P Q^T, S T^T)`` is ``Q (P^T X S) T^T`` for each row:

    .. math:: Y_{\cdot, j b} = \sum_{c,d} Q_{jc} \Big(\sum_{i,a} P_{ic} X_{\cdot, i a} S_{ad}\Big) T_{bd},

    costing ``O(m*r*(n + D))`` plus small terms, against ``O(m*n*D)`` for the dense product.
    The contraction order is chosen from the shapes (see :meth:`contraction_costs`): each order
    is a few large matrix products, and none forms a product larger than needed. Build it with
    :func:`dual_lphm_operator` or :func:`dual_lphm_fusion_operator`.

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
        p, q, r, s, t = self.p, self.q, self.r, self.s, self.t
        n, D = p * s, q * t
        middle = min(m * r * r * (p + q), m * r * p * q + p * q * r)
        return {
            "factored": m * n * r + middle + m * D * r,
            "blocks": s * t * r + p * q * r + m * n * t + m * p * q * t + m * D,
            "dense": p * q * r + s * t * r + n * D + m * n * D,
        }

    def contraction_order(self, m: int) -> str:
        """The cheapest order of :meth:`contraction_costs` for ``m`` rows."""
        costs = self.contraction_costs(m)
        return min(self.ORDERS, key=costs.__getitem__)

    def _apply(self, X: Any, order: str | None = None) -> Any:
        m = X.shape[0]
        order = order or self.contraction_order(m)
        if order == "factored":
            return self._apply_factored(X)
        if order == "blocks":
            return self._apply_blocks(X)
        if order == "dense":
            check_dense_size(
                self.xp,
                *self.shape,
                self.dtype,
                "X @ op in the 'dense' contraction order",
                "use the 'factored' order",
            )
            return X @ self._dense()
        raise RefimplError(f"order must be one of {self.ORDERS}, got {order!r}")

    # Both orders work on X^T, so that the rank (or t) index leads and every step is one
    # large matrix product on a reshape, with no copy of an intermediate in between.

    def _apply_factored(self, X: Any) -> Any:
        xp, m = self.xp, X.shape[0]
        p, q, r, s, t = self.p, self.q, self.r, self.s, self.t
        Z = self.S.T @ xp.reshape(X, (m * p, s)).T  # (r, m*p), Z[d, (row, i)]: the one pass over X
        Y = self._times_p_qt(xp.reshape(Z, (r * m, p)))  # (r*m, q), Y[(d, row), j]
        if r == 1:  # an outer product: BLAS is slow with a single-term sum, broadcasting is not
            out = xp.reshape(Y, (m * q, 1)) * xp.reshape(self.T_factor, (1, t))
        else:
            out = xp.reshape(Y, (r, m * q)).T @ self.T_factor.T  # (m*q, t): the one pass over the output
        return xp.reshape(out, (m, q * t))

    def _times_p_qt(self, Z: Any) -> Any:
        """``Z @ P @ Q^T`` for ``Z`` of shape ``(k, p)``, in the association with fewer
        multiply-adds per row of ``Z``: ``(Z P) Q^T`` costs ``r*(p + q)``, ``Z (P Q^T)`` costs ``p*q``
        (after ``P Q^T`` once); on a tie, ``(Z P) Q^T``. The two agree to rounding."""
        if self.r * (self.p + self.q) <= self.p * self.q:
            return (Z @ self.P) @ self.Q.T
        return Z @ (self.P @ self.Q.T)

    def _apply_blocks(self, X: Any) -> Any:
        xp, m = self.xp, X.shape[0]
        p, q, s, t = self.p, self.q, self.s, self.t
        B = self.S @ self.T_factor.T  # (s, t)
        Z = xp.reshape(B.T @ xp.reshape(X, (m * p, s)).T, (t * m, p))  # Z[(b, row), i]
        Y = Z @ (self.P @ self.Q.T)  # (t*m, q), Y[(b, row), j]
        out = xp.permute_dims(xp.reshape(Y, (t, m, q)), (1, 2, 0))  # (m, q, t)
        return xp.reshape(out, (m, q * t))

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


# -- constructors ----------------------------------------------------------------------------


def duplicated_padding_operator(
    w: Any, n: int, D: int, p: int, q: int | None = None
) -> DuplicatedPaddingOperator:
    """The operator of :func:`refimpl.duplicated_padding`: ``kron(ones(p, q), reshape(w, (s, t)))``.

    Parameters
    ----------
    w : array_like, shape (l,) or (1, l)
        The parameter vector, ``l = n*D/(p*q)``.
    n, D, p, q : int
        As in :func:`refimpl.duplicated_padding_l`.

    Returns
    -------
    DuplicatedPaddingOperator
        ``X @ op`` costs ``O(m*(n + s*t + D))`` for ``m`` rows.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl import duplicated_padding, duplicated_padding_operator
    >>> w, X = np.arange(1.0, 5.0), np.ones((3, 4))
    >>> op = duplicated_padding_operator(w, n=4, D=6, p=2, q=3)
    >>> op.shape
    (4, 6)
    >>> print(X @ op)
    [[ 8. 12.  8. 12.  8. 12.]
     [ 8. 12.  8. 12.  8. 12.]
     [ 8. 12.  8. 12.  8. 12.]]
    >>> bool(np.array_equal(X @ op, X @ duplicated_padding(w, 4, 6, 2, 3)))
    True
    """
    shape = padding_shape(n, D, p, q)
    xp, W = _parameter_matrix(w, shape)
    return DuplicatedPaddingOperator(xp, W, shape.p, shape.q)


def duplicated_diagonal_padding_operator(
    w: Any, n: int, D: int, p: int, q: int | None = None
) -> DuplicatedDiagonalPaddingOperator:
    """The operator of :func:`refimpl.duplicated_diagonal_padding`: ``kron(eye(p, q), W)``.

    Parameters
    ----------
    w : array_like, shape (l,) or (1, l)
        The parameter vector, ``l = n*D/(p*q)``.
    n, D, p, q : int
        As in :func:`refimpl.duplicated_padding_l`.

    Returns
    -------
    DuplicatedDiagonalPaddingOperator
        ``X @ op`` is one ``(m*min(p, q), s) @ (s, t)`` product; ``op.tosparse(format)``
        gives the sparse matrix.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl import duplicated_diagonal_padding_operator
    >>> op = duplicated_diagonal_padding_operator(np.arange(1.0, 5.0), n=4, D=6, p=2, q=3)
    >>> print(np.array([[1.0, 0.0, 0.0, 1.0]]) @ op)
    [[1. 2. 3. 4. 0. 0.]]
    >>> op.tosparse("csr").nnz
    8
    """
    shape = padding_shape(n, D, p, q)
    xp, W = _parameter_matrix(w, shape)
    return DuplicatedDiagonalPaddingOperator(xp, W, shape.p, shape.q)


def _lphm_operator(w: Any, shape: LphmShape) -> DualLphmOperator:
    xp, (w,) = namespace_and_arrays(w)
    return DualLphmOperator(xp, *lphm_factors(xp, w, shape))


def dual_lphm_operator(w: Any, n: int, D: int, p: int, q: int | None, r: int) -> DualLphmOperator:
    """The operator of :func:`refimpl.dual_lphm`: ``kron(P @ Q.T, S @ T.T)``.

    Parameters
    ----------
    w : array_like, shape (l,) or (1, l)
        The parameter vector, ``l = r*(p + q + n/p + D/q)``.
    n, D, p, q, r : int
        As in :func:`refimpl.dual_lphm_l`.

    Returns
    -------
    DualLphmOperator
        ``X @ op`` costs ``O(m*r*(n + D))`` plus small terms for ``m`` rows.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl import dual_lphm, dual_lphm_operator
    >>> w = np.arange(1.0, 9.0)
    >>> op = dual_lphm_operator(w, n=4, D=4, p=2, q=2, r=1)
    >>> X = np.eye(4)
    >>> bool(np.array_equal(X @ op, dual_lphm(w, 4, 4, 2, 2, 1)))
    True
    >>> bool(np.array_equal(op.T.toarray(), dual_lphm(w, 4, 4, 2, 2, 1).T))
    True
    """
    return _lphm_operator(w, lphm_shape(n, D, p, q, r))


def dual_lphm_fusion_operator(
    dims: Sequence[int], w: Any, *, p: int, q: int | None = None, r: int, n: int | None = None
) -> DualLphmOperator:
    """The ``N x n`` weight of :func:`refimpl.dual_lphm_fusion` as an operator, ``N = sum(dims)``.

    Parameters
    ----------
    dims : sequence of int
        The input widths ``n_1 .. n_k``.
    w : array_like, shape (l,) or (1, l)
        The parameter vector, ``l = r*(p + q + N/p + n/q)``.
    p, q, r, n : int
        As in :func:`refimpl.dual_lphm_fusion`.

    Returns
    -------
    DualLphmOperator
        ``concat(A_1..A_k) @ op`` is the fusion.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl import dual_lphm_fusion_operator
    >>> op = dual_lphm_fusion_operator([2, 2], np.ones(7), p=2, q=1, r=1)
    >>> op.shape
    (4, 2)
    """
    return _lphm_operator(w, fusion_shape(dims, n, p, q, r).weight)
