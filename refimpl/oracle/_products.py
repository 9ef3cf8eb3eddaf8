"""The products the catalogue of mistakes builds its outputs from, in float64 (complex128).

One Kronecker product for the whole oracle, :func:`product`, which also builds the
"flattened outer product" mistake, and the application of a fusion weight
``kron(A, B)`` to the joined inputs through the factors of ``A`` and ``B``, so that a large
weight is never materialised (the diagnosis tries dozens of mistaken weights).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse

__all__ = ["LowRank", "apply_kron", "apply_outer", "product"]

# NumPy's stubs type the operators (``*``, ``@``) on an NDArray[Any] as Any: the results below are
# bound to annotated names before they are returned.

#: Weights up to this many entries are materialised for the outer-product mistake.
SMALL = 1 << 16


@dataclass(frozen=True)
class LowRank:
    """The matrix ``U @ V.T``, kept as its factors."""

    U: np.ndarray
    V: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return (self.U.shape[0], self.V.shape[0])

    @property
    def T(self) -> LowRank:
        return LowRank(self.V, self.U)

    def dense(self) -> np.ndarray:
        out: np.ndarray = self.U @ self.V.T
        return out


def _times(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a * b`` broadcast, where a boolean operand *selects* (so ``inf`` never becomes ``nan``)."""
    if a.dtype == bool:
        return np.where(a, b, np.zeros((), b.dtype))
    if b.dtype == bool:
        return np.where(b, a, np.zeros((), a.dtype))
    out: np.ndarray = a * b
    return out


def product(A: np.ndarray, B: np.ndarray, *, outer: bool = False) -> np.ndarray:
    """``kron(A, B)`` (numpy.kron's layout), or with ``outer`` the flattened outer product
    reshaped to the same shape. A boolean operand selects the other's entries; a numeric one
    multiplies (``0 * inf = nan``, the ``zero_times_w`` mistake).

    >>> import numpy as np
    >>> product(np.eye(2, dtype=bool), np.array([[np.inf]]))
    array([[inf,  0.],
           [ 0., inf]])
    >>> with np.errstate(invalid="ignore"):
    ...     print(product(np.eye(2), np.array([[np.inf]])))
    [[inf nan]
     [nan inf]]
    """
    (a0, a1), (b0, b1) = A.shape, B.shape
    if outer:
        return _times(A[:, :, None, None], B[None, None, :, :]).reshape(a0 * b0, a1 * b1)
    return _times(A[:, None, :, None], B[None, :, None, :]).reshape(a0 * b0, a1 * b1)


def apply_kron(X: np.ndarray, A: LowRank, B: LowRank) -> np.ndarray:
    """``X @ kron(A, B)`` through the low-rank factors (the weight may be large where the output is not)."""
    (a0, a1), (b0, b1) = A.shape, B.shape
    blocks = (X.reshape(*X.shape[:-1], a0, b0) @ B.U) @ B.V.T  # (..., a0, b1)
    out: np.ndarray = (A.V @ (A.U.T @ blocks)).reshape(*X.shape[:-1], a1 * b1)
    return out


def apply_outer(X: np.ndarray, A: LowRank, B: LowRank, transposed: bool) -> np.ndarray:
    """``X @ W`` (``X @ W.T`` if ``transposed``) for ``W = product(A, B, outer=True)``,
    without materialising ``W``.

    Entry ``F = R*a1*b1 + C`` of ``W`` is ``vec(A)[g // b0] * B[g % b0, b]`` with
    ``g = R*a1 + C // b1`` and ``b = C % b1``: so ``W = G @ blockdiag(B, ..., B)`` for the sparse
    ``G[R, c*b0 + a] = vec(A)[g // b0]`` where ``g = R*a1 + c`` and ``a = g % b0``.
    """
    (a0, a1), (b0, b1) = A.shape, B.shape
    if a0 * a1 * b0 * b1 <= SMALL:  # small enough to materialise: quicker than building G
        W = product(A.dense(), B.dense(), outer=True)
        small: np.ndarray = X @ (W.T if transposed else W)
        return small
    rows = np.repeat(np.arange(a0 * b0), a1)
    g = rows * a1 + np.tile(np.arange(a1), a0 * b0)
    G = scipy.sparse.csr_array(
        (A.dense().reshape(-1)[g // b0], (rows, (g % a1) * b0 + g % b0)), shape=(a0 * b0, a1 * b0)
    )
    lead, X2 = X.shape[:-1], X.reshape(-1, X.shape[-1])
    out: np.ndarray
    if transposed:  # X @ W.T = (X @ blockdiag(B.T)) @ G.T
        Z = ((X2.reshape(-1, a1, b1) @ B.V) @ B.U.T).reshape(-1, a1 * b0)
        out = (G @ Z.T).T.reshape(*lead, a0 * b0)
        return out
    Z = (G.T @ X2.T).T.reshape(-1, a1, b0)
    out = ((Z @ B.U) @ B.V.T).reshape(*lead, a1 * b1)
    return out
