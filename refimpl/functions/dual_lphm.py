"""Dual-LPHM reconciliation (SPEC section 3): a Kronecker product of two low-rank matrices.

``w`` is cut into four row-major factors ``P (p x r)``, ``Q (q x r)``, ``S (s x r)`` and
``T (t x r)``, in this order, and the ``R x C`` matrix is ``kron(P @ Q.T, S @ T.T)`` with
``s = R/p`` and ``t = C/q``. The Dual-LPHM fusion
(:mod:`refimpl.functions.dual_lphm_fusion`) fabricates its weight this way. This module is the
function's home: the function and its ``l``, the one reading of ``w``'s layout
(:func:`lphm_factors`), its operator, and :class:`DualLphmFunction`.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat.numpy as npx
import numpy as np

from .._memory import check_dense_size
from .._validation import check_parameter_vector
from .._xp import namespace_and_arrays
from ..operators import DualLphmOperator, kron_of_products
from ..shapes import FACTORS, LphmShape, lphm_shape
from ._function import MatrixFunction, Stages
from ._mistakes import (
    FACTOR_LAYOUTS,
    KRONECKER,
    OUTPUT_TRANSPOSED,
    P_Q_EXCHANGED,
    SEGMENT_ORDERS,
    Mistake,
    kron_variant,
)
from ._picture import BREAK, Panel, Picture

__all__ = ["DualLphmFunction", "dual_lphm", "dual_lphm_l", "dual_lphm_operator", "lphm_factors"]


def lphm_factors(xp: ModuleType, w: Any, shape: LphmShape) -> tuple[Any, Any, Any, Any]:
    """Cut ``w`` into ``P, Q, S, T``: ``w = [vec(P) | vec(Q) | vec(S) | vec(T)]``, each row-major.

    Each factor has ``r`` columns, so ``w`` is the four stacked, ``[P; Q; S; T]``, read
    row-major as a ``(p + q + s + t) x r`` matrix: one reshape, then the rows of each factor.
    This is the one place the layout of ``w`` is read.
    """
    w = check_parameter_vector(xp, w, shape)
    stacked = xp.reshape(w, (shape.p + shape.q + shape.s + shape.t, shape.r))
    a, b, c = shape.p, shape.p + shape.q, shape.p + shape.q + shape.s
    return stacked[:a, :], stacked[a:b, :], stacked[b:c, :], stacked[c:, :]


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
    w = check_parameter_vector(xp, w, shape)  # a wrong w first, then the size
    check_dense_size(xp, shape.R, shape.C, w.dtype, "dual_lphm", "use refimpl.dual_lphm_operator")
    return lphm_matrix(xp, w, shape)


def lphm_matrix(xp: ModuleType, w: Any, shape: LphmShape) -> Any:
    """The body of :func:`dual_lphm` for a checked ``shape`` and a ``w`` already in ``xp``."""
    return kron_of_products(xp, *lphm_factors(xp, w, shape))


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


# -- what the rest of the package knows of it ------------------------------------------------


class DualLphmFunction(MatrixFunction):
    """Dual-LPHM, ``kron(P Q^T, S T^T)``, as the oracle sees it."""

    name = "dual_lphm"
    config_keys = ("n", "D", "p", "q", "r")
    vector_prefix = "lphm"
    mistakes = (P_Q_EXCHANGED, *SEGMENT_ORDERS, *FACTOR_LAYOUTS, *KRONECKER, OUTPUT_TRANSPOSED)
    generic = ({"n": 8, "D": 15, "p": 2, "q": 3, "r": 2}, {"n": 15, "D": 8, "p": 3, "q": 2, "r": 2})
    vectors = (
        ("basic", ("float32", "float64", "complex128"), {"n": 6, "D": 8, "p": 2, "q": 4, "r": 2}),
        ("square", ("float64",), {"n": 6, "D": 6, "p": 3, "q": 3, "r": 2}),
        ("p1", ("float64",), {"n": 4, "D": 6, "p": 1, "q": 2, "r": 2}),
        ("s1", ("float64",), {"n": 3, "D": 8, "p": 3, "q": 2, "r": 2}),
        ("t1", ("float64",), {"n": 6, "D": 4, "p": 2, "q": 4, "r": 2}),
        ("r1", ("float64",), {"n": 6, "D": 8, "p": 2, "q": 4, "r": 1}),
    )

    @property
    def function(self) -> Any:
        return dual_lphm

    def build_shape(self, config: dict[str, Any]) -> LphmShape:
        return lphm_shape(config["n"], config["D"], config["p"], config.get("q"), config["r"])

    def call(self, config: dict[str, Any], inputs: dict[str, Any], format: Any = None) -> Any:
        return dual_lphm(inputs["w"], config["n"], config["D"], config["p"], config.get("q"), config["r"])

    def operator(self, config: dict[str, Any], w: Any) -> Any:
        return dual_lphm_operator(w, config["n"], config["D"], config["p"], config.get("q"), config["r"])

    def rounding_count(self, config: dict[str, Any]) -> int:
        """``2r + 5``: two ``r``-term sums of products, one product of the two, 4 input roundings."""
        return 2 * int(config["r"]) + 5

    def vjp(
        self, config: dict[str, Any], w: np.ndarray, G: np.ndarray, arrays: list[np.ndarray]
    ) -> dict[str, Any]:
        return {"w": self.factor_vjp(G, w, self.build_shape(config))}

    def read_shape(self, config: dict[str, Any], p: int, q: int) -> LphmShape:
        R, C = self.weight_shape(config)
        return lphm_shape(R, C, p, q, config["r"])

    def applies(self, mistake: Mistake, config: dict[str, Any]) -> bool:
        if mistake.stage == "pq":
            return config["p"] != config["q"] and self.exchanged_shape(config) is not None
        return True

    def mistaken(self, stages: Stages, options: dict[str, Any]) -> np.ndarray | None:
        factors = self.factors(stages, options)
        if factors is None:
            return None
        P, Q, S, T = factors
        if "swap" in options:
            P, Q, S, T = S, T, P, Q
        if "outer" in options:
            return kron_variant(P @ Q.T, S @ T.T, outer=True)
        return kron_of_products(npx, P, Q, S, T)  # type: ignore[no-any-return]

    def blocks(self, config: dict[str, Any]) -> tuple[int, int]:
        shape = self.shape(config)
        return (shape.s, shape.t)

    def picture(self, config: dict[str, Any], w: np.ndarray, fmt: Any) -> Picture:
        """``P Q^T``, ``S T^T`` and their Kronecker product, and how ``w`` is cut."""
        shape = self.build_shape(config)
        (n, D, p, q, _, s, t, _) = shape
        psi = dual_lphm(w, n, D, p, q, shape.r)  # checks w first
        P, Q, S, T = lphm_factors(npx, w, shape)
        return Picture(
            (
                Panel(P @ Q.T, rf"$P Q^\top$  ({p}×{q})", cmap="cividis"),
                Panel(S @ T.T, rf"$S T^\top$  ({s}×{t})", cmap="cividis"),
                Panel(psi, rf"$\psi(w) = (P Q^\top) \otimes (S T^\top)$  ({n}×{D})", block=(s, t)),
            ),
            (r"$\otimes$", "="),
            f"{BREAK}   s = n/p = {s},  t = D/q = {t},  l = r(p + q + s + t) = {shape.l}",
            (
                self.layout_note(w, shape, fmt),
                f"block (i, j) of ψ(w) is (PQᵀ)[i, j] · STᵀ: {p}×{q} blocks of {s}×{t}",
            ),
        )

    @staticmethod
    def layout_note(w: np.ndarray, shape: LphmShape, fmt: Any) -> str:
        """``w = [vec P | vec Q | vec S | vec T], ...;   P = w[0:2], Q = w[2:5], ...`` (the values when short)."""
        cuts = shape.segments()
        slices = ",  ".join(f"{name} = w[{cut.start}:{cut.stop}]" for name, cut in cuts.items())
        layout = "w = [" + " | ".join(f"vec {name}" for name in FACTORS) + "]"
        if w.size <= 36:
            groups = " | ".join(" ".join(fmt(v) for v in w.reshape(-1)[cut]) for cut in cuts.values())
            return f"{layout} = [{groups}], each row-major;   {slices}"
        return f"{layout}, each row-major;   {slices}"

    def telling(self, config: dict[str, Any]) -> bool:
        shape = self.shape(config)
        return bool(min(shape.s, shape.t, shape.r) >= 2 and shape.p + shape.q >= 3)

    def grown(self, config: dict[str, Any]) -> list[dict[str, Any]]:
        c = self.normalize(config)
        return [{"n": 2 * c["n"], "D": k * c["D"], "p": c["p"], "q": c["q"], "r": c["r"] + 1} for k in (2, 3)]

    def ceiling(self, config: dict[str, Any], top: float) -> float:
        """An entry of ``|P'| |Q'|^T`` is at most ``r max|w|^2``; of the weight, ``r^2 max|w|^4``."""
        return float(config["r"]) ** 2 * top**4

    @staticmethod
    def factor_vjp(G: np.ndarray, w: np.ndarray, shape: LphmShape) -> np.ndarray:
        """``psi = kron(A, B)``, ``A = P Q^T``, ``B = S T^T``; with ``G`` seen as ``(p, s, q, t)``:
        ``dA = sum_ab G[:, a, :, b] conj(B[a, b])``, ``dB = sum_ij G[i, :, j, :] conj(A[i, j])``,
        ``dP = dA conj(Q)``, ``dQ = dA^T conj(P)``, ``dS = dB conj(T)``, ``dT = dB^T conj(S)``."""
        P, Q, S, T = (np.conj(f) for f in lphm_factors(npx, w, shape))
        A, B = P @ Q.T, S @ T.T  # conj(A), conj(B)
        G4 = G.reshape(shape.p, shape.s, shape.q, shape.t)
        dA = np.einsum("iajb,ab->ij", G4, B)
        dB = np.einsum("iajb,ij->ab", G4, A)
        grads = (dA @ Q, dA.T @ P, dB @ T, dB.T @ S)
        return np.concatenate([g.reshape(-1) for g in grads])

    @staticmethod
    def factors(stages: Stages, options: dict[str, Any]) -> tuple[Any, Any, Any, Any] | None:
        """``P, Q, S, T`` as a mistaken reading of ``w`` finds them: ``p`` and ``q`` exchanged (the
        ``pq`` stage), the segments in another order (``order``), some factors read as ``(r, rows)``
        (``layout``). Each reading is SPEC's reading of ``w`` rearranged, so :func:`lphm_factors`
        cuts it; ``None`` where ``p`` and ``q`` exchanged do not fit."""
        shape = stages.shape("pq" in options)
        if shape is None:
            return None
        read = shape.segments(tuple(options.get("order") or FACTORS))
        transposed = tuple(options.get("layout") or ())
        parts = []
        for name in FACTORS:  # SPEC's order: the segment the mistaken reading takes as each factor
            segment = stages.w[read[name]]
            if name in transposed:  # read as (r, rows): SPEC's (rows, r) reading of its transpose
                segment = segment.reshape(shape.r, shape.rows[name]).T.reshape(-1)
            parts.append(segment)
        return lphm_factors(npx, np.concatenate(parts), shape)
