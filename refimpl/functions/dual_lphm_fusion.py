"""Dual-LPHM parameterized concatenation fusion (SPEC section 4).

Inputs ``A_1 .. A_k`` of shapes ``(..., m, n_i)`` (equal leading shapes) are joined along their
last axis into ``X`` of shape ``(..., m, N)``, ``N = n_1 + ... + n_k``, and multiplied by the
``N x n`` Dual-LPHM weight of ``w`` (:mod:`refimpl.functions.dual_lphm`):
``fusion(A_1..A_k) = X @ kron(P Q^T, S T^T)``. This module is the function's home: the function
and its ``l``, the weight's operator, and :class:`DualLphmFusionFunction`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import array_api_compat
import array_api_compat.numpy as npx
import numpy as np

from .._memory import check_dense_size
from .._validation import RefimplError, check_parameter_vector
from .._xp import namespace_and_arrays
from ..operators import DualLphmOperator
from ..shapes import FusionShape, LphmShape, checked_fusion_shape, fusion_shape, lphm_shape
from ._concatenate import FEWER_ROWS, check_output, checked_inputs
from ._function import FusionFunction, Stages
from ._mistakes import (
    CONCATENATION,
    FACTOR_LAYOUTS,
    KRONECKER,
    OUTPUT_TRANSPOSED,
    P_Q_EXCHANGED,
    SEGMENT_ORDERS,
    WEIGHT_TRANSPOSED,
    Mistake,
    times_outer_variant,
)
from ._picture import WeightPicture
from .dual_lphm import DualLphmFunction, lphm_factors, lphm_matrix

__all__ = ["DualLphmFusionFunction", "dual_lphm_fusion", "dual_lphm_fusion_l", "dual_lphm_fusion_operator"]


def dual_lphm_fusion_l(dims: Sequence[int], n: int | None, p: int, q: int | None, r: int) -> int:
    r"""Length of the parameter vector of :func:`dual_lphm_fusion`.

    .. math:: l = r \left(p + q + \frac{N}{p} + \frac{n}{q}\right), \qquad N = \sum_i n_i.

    Parameters
    ----------
    dims : sequence of int
        The input widths ``n_1 .. n_k``.
    n : int or None
        The output width; ``None`` means the common input width (the widths must then be equal).
    p, q : int
        ``p`` divides ``N`` and ``q`` divides ``n``; ``q=None`` means ``q = p``.
    r : int
        Rank of the two Kronecker factors.

    Returns
    -------
    int
        ``l``, the required length of ``w``.

    Raises
    ------
    TypeError
        If a dimension is not an integer, or ``dims`` is not a sequence.
    RefimplError
        If a dimension is not positive, a division is not exact, or ``n`` is missing for
        unequal widths.

    Examples
    --------
    >>> from refimpl import dual_lphm_fusion_l
    >>> dual_lphm_fusion_l([2, 4], n=3, p=2, q=3, r=1)  # 1 * (2 + 3 + 6/2 + 3/3)
    9
    """
    return fusion_shape(dims, n, p, q, r).l


def dual_lphm_fusion(
    inputs: Sequence[Any],
    w: Any,
    *,
    p: int,
    q: int | None = None,
    r: int,
    n: int | None = None,
    method: Literal["structured", "dense"] = "structured",
) -> Any:
    r"""Dual-LPHM parameterized concatenation fusion.

    .. math::

        \operatorname{fusion}(A_1, \dots, A_k) = (A_1 \sqcup \cdots \sqcup A_k)\, W,
        \qquad W = (P Q^\top) \otimes (S T^\top) \in \mathbb{R}^{N \times n},

    where ``⊔`` joins each row of the ``A_i`` (``concat(..., axis=-1)``), ``N = sum(n_i)``,
    and ``W`` is :func:`refimpl.dual_lphm` of ``w`` for the ``N x n`` target:
    ``w = [vec(P) | vec(Q) | vec(S) | vec(T)]`` with ``P (p x r)``, ``Q (q x r)``,
    ``S (N/p x r)``, ``T (n/q x r)``, and ``l = r*(p + q + N/p + n/q)``.

    Parameters
    ----------
    inputs : sequence of arrays, each of shape (..., m, n_i)
        ``k >= 1`` inputs with equal leading shapes; ``m`` may be 0. Dask arrays chunked
        along their rows are accepted (with a NumPy or list ``w``) and give a lazy Dask result.
    w : array_like, shape (l,) or (1, l)
        The parameter vector.
    p, q, r : int
        ``p`` divides ``N``, ``q`` divides ``n``; ``q=None`` means ``q = p``.
    n : int, optional
        The output width; by default the common input width (the widths must be equal).
    method : {"structured", "dense"}, default "structured"
        ``"structured"`` applies ``W`` through its factors (:class:`refimpl.DualLphmOperator`,
        ``O(m*r*(N + n))``); ``"dense"`` is the literal definition: materialise ``W``
        (under the memory guard), then multiply (``O(m*N*n)``). They agree to rounding.

    Returns
    -------
    array, shape (..., m, n)
        In the inputs' namespace and device, in the promoted floating dtype of inputs and ``w``.

    Raises
    ------
    TypeError
        For arrays from several libraries, non-numeric dtypes, or ``inputs`` not a sequence.
    RefimplError
        For an empty ``inputs``, unequal leading shapes, unequal widths without ``n``,
        an invalid configuration or a ``w`` of the wrong length.
    MemoryLimitError
        If the output (``prod(...) * m * n`` entries) is over the memory guard's limit, or with
        ``method="dense"`` if ``W`` is; checked before anything is allocated.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl import dual_lphm_fusion, dual_lphm_fusion_l
    >>> A1, A2 = np.ones((1, 2)), np.ones((1, 2))
    >>> dual_lphm_fusion_l([2, 2], n=2, p=2, q=1, r=1)
    7
    >>> w = np.array([1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 3.0])  # P=[[1],[2]], Q=[[1]], S=[[1],[1]], T=[[1],[3]]
    >>> print(dual_lphm_fusion([A1, A2], w, p=2, q=1, r=1))
    [[ 6. 18.]]
    >>> print(dual_lphm_fusion([A1, A2], w, p=2, q=1, r=1, method="dense"))
    [[ 6. 18.]]
    """
    if not isinstance(method, str):
        raise TypeError(f"method must be 'structured' or 'dense', got {method!r}")
    if method not in ("structured", "dense"):
        raise RefimplError(f"method must be 'structured' or 'dense', got {method!r}")
    xp, arrays, w, widths = checked_inputs(inputs, w)
    shape = checked_fusion_shape(widths, n, p, q, r).weight  # remembered: a repeated call checks it once
    dask = array_api_compat.is_dask_array(arrays[0])
    weight_xp = array_api_compat.array_namespace(w) if dask else xp  # Dask: w goes to every chunk
    w = check_parameter_vector(weight_xp, w, shape)
    check_output(xp, arrays[0], shape.C, "dual_lphm_fusion", FEWER_ROWS)
    if method == "dense" or dask:
        X = arrays[0] if len(arrays) == 1 else xp.concat(arrays, axis=-1)
        if method == "structured":  # Dask: the operator goes to every chunk of rows
            return DualLphmOperator(weight_xp, *lphm_factors(weight_xp, w, shape)).rmatmul(X)
        check_dense_size(
            weight_xp,
            shape.R,
            shape.C,
            w.dtype,
            "dual_lphm_fusion(method='dense')",
            "use method='structured'",
        )
        return X @ lphm_matrix(weight_xp, w, shape)  # X @ refimpl.dual_lphm(w, N, n, p, q, r)
    operator = DualLphmOperator(xp, *lphm_factors(xp, w, shape))
    names = [f"inputs[{i}]" for i in range(len(arrays))]
    out = operator.rmatmul_segments(arrays, names, "dual_lphm_fusion")  # each input read where it lies
    if arrays[0].ndim == 2:  # (m, n) already
        return out
    return xp.reshape(out, tuple(arrays[0].shape[:-1]) + (shape.C,))


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
    xp, (w,) = namespace_and_arrays(w)
    return DualLphmOperator(xp, *lphm_factors(xp, w, fusion_shape(dims, n, p, q, r).weight))


# -- what the rest of the package knows of it ------------------------------------------------


class DualLphmFusionFunction(FusionFunction):
    """The Dual-LPHM fusion, ``concat(A_1..A_k) @ kron(P Q^T, S T^T)``, as the oracle sees it."""

    name = "dual_lphm_fusion"
    config_keys = ("dims", "n", "p", "q", "r", "m", "batch")
    vector_prefix = "lphmf"
    mistakes = (
        *CONCATENATION,
        P_Q_EXCHANGED,
        *SEGMENT_ORDERS,
        *FACTOR_LAYOUTS,
        *KRONECKER,
        WEIGHT_TRANSPOSED,
        OUTPUT_TRANSPOSED,
    )
    generic = (
        {"dims": [4, 4], "n": 15, "p": 2, "q": 3, "r": 2},
        {"dims": [5, 4, 6], "n": 8, "p": 3, "q": 2, "r": 2},
    )
    vectors = (
        ("basic", ("float32", "float64", "complex128"), {"dims": [2, 4], "n": 6, "p": 3, "q": 2, "r": 2}),
        ("equal", ("float64",), {"dims": [3, 3, 3], "n": None, "p": 3, "q": 1, "r": 2, "m": 2}),  # n = 3
        ("k1", ("float64",), {"dims": [4], "n": 6, "p": 2, "q": 3, "r": 2}),
        ("m0", ("float64", "float32"), {"dims": [2, 4], "n": 6, "p": 3, "q": 2, "r": 2, "m": 0}),
        ("batch", ("float64",), {"dims": [2, 4], "n": 6, "p": 3, "q": 2, "r": 2, "m": 2, "batch": [2, 3]}),
        ("p1", ("float64",), {"dims": [1, 3], "n": 4, "p": 1, "q": 2, "r": 2}),
        ("s1t1", ("float64",), {"dims": [2, 1], "n": 2, "p": 3, "q": 2, "r": 2}),  # N == p, n == q
        ("large", ("float32", "float64"), {"dims": [256, 768], "n": 1024, "p": 8, "q": 4, "r": 4, "m": 16}),
    )

    @property
    def function(self) -> Any:
        return dual_lphm_fusion

    def build_shape(self, config: dict[str, Any]) -> FusionShape:
        return fusion_shape(config["dims"], config.get("n"), config["p"], config.get("q"), config["r"])

    def call(self, config: dict[str, Any], inputs: dict[str, Any], format: Any = None) -> Any:
        return dual_lphm_fusion(
            inputs["inputs"], inputs["w"], p=config["p"], q=config.get("q"), r=config["r"], n=config.get("n")
        )

    def rounding_count(self, config: dict[str, Any]) -> int:
        """``N + 2r + 6``: the ``N``-term sum, the weight's ``2r + 1``, and 5 input roundings."""
        return int(sum(config["dims"])) + 2 * int(config["r"]) + 6

    def vjp(
        self, config: dict[str, Any], w: np.ndarray, G: np.ndarray, arrays: list[np.ndarray]
    ) -> dict[str, Any]:
        """``dX = G W^H`` split by the widths, ``dW = sum over batch and rows of X^H G``, then
        ``dw`` is Dual-LPHM's VJP with cotangent ``dW``."""
        shape = self.build_shape(config)
        dW, dAs = self.weight_vjp(
            G, np.concatenate(arrays, axis=-1), lphm_matrix(npx, w, shape.weight), shape.widths
        )
        return {"w": DualLphmFunction.factor_vjp(dW, w, shape.weight), "inputs": dAs}

    @staticmethod
    def weight_vjp(
        G: np.ndarray, X: np.ndarray, W: np.ndarray, widths: Sequence[int]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """``out = X @ W`` over leading batch dims: ``dX = G W^H`` split by ``widths``,
        ``dW = sum over batch and rows of X^H G``."""
        dX = G @ np.conj(W).T
        rows = np.conj(X).reshape(-1, X.shape[-1])  # every row of every batch entry
        dW = rows.T @ G.reshape(-1, G.shape[-1])
        return dW, np.split(dX, np.cumsum(widths)[:-1], axis=-1)

    def read_shape(self, config: dict[str, Any], p: int, q: int) -> LphmShape:
        R, C = self.weight_shape(config)
        return lphm_shape(R, C, p, q, config["r"], names=("N", "n"))

    def applies(self, mistake: Mistake, config: dict[str, Any]) -> bool:
        if mistake.stage == "pq":
            return config["p"] != config["q"] and self.exchanged_shape(config) is not None
        return super().applies(mistake, config)

    def mistaken(self, stages: Stages, options: dict[str, Any]) -> np.ndarray | None:
        """``X @ W`` with the mistaken joins and weights, through the weight's factors: the
        weight is never materialised."""
        X = stages.joined(options.get("concat"))
        R, C = self.weight_shape(stages.config)
        factors = DualLphmFunction.factors(stages, options)
        if X is None or factors is None or ("weight_T" in options and R != C):
            return None
        P, Q, S, T = factors
        if "swap" in options:
            P, Q, S, T = S, T, P, Q
        if "outer" in options:
            return times_outer_variant(X, (P, Q), (S, T), "weight_T" in options)
        op = DualLphmOperator(npx, P, Q, S, T)
        return np.asarray((op.T if "weight_T" in options else op).rmatmul(X))

    def weight_picture(
        self, config: dict[str, Any], w: np.ndarray, inputs: list[np.ndarray], fmt: Any
    ) -> WeightPicture:
        shape = self.build_shape(config)
        N, n, p, q, r = shape.N, shape.n, config["p"], config["q"], config["r"]
        return WeightPicture(
            dual_lphm_fusion(inputs, w, p=p, q=q, r=r, n=n),
            lphm_matrix(npx, w, shape.weight),
            rf"$W = (P Q^\top) \otimes (S T^\top)$   ({N}×{n})",
            (shape.weight.s, shape.weight.t),
            r"fusion = $X W$,  $W = (P Q^\top) \otimes (S T^\top)$",
            DualLphmFunction.layout_note(w, shape.weight, fmt),
        )

    def telling(self, config: dict[str, Any]) -> bool:
        c, weight = self.normalize(config), self.shape(config).weight
        return bool(min(weight.R, weight.C, c["m"]) >= 2 and min(weight.s, weight.t, weight.r) >= 2)

    def ceiling(self, config: dict[str, Any], top: float) -> float:
        """An entry of the weight is at most ``r^2 max|w|^4``."""
        return float(config["r"]) ** 2 * top**4
