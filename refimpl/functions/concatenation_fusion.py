"""Plain parameterized concatenation fusion (SPEC section 4): ``concat(A_1..A_k) @ reshape(w, (N, n))``.

This module is the function's home: the function and its ``l``, and
:class:`ConcatenationFusionFunction`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import array_api_compat
import numpy as np

from .._validation import check_parameter_vector
from ..shapes import ConcatShape, concat_shape
from ._concatenate import FEWER_ROWS, check_output, concatenated
from ._function import FusionFunction, Stages, leading_shape
from ._mistakes import COLUMN_MAJOR_W, CONCATENATION, OUTPUT_TRANSPOSED, WEIGHT_TRANSPOSED
from ._picture import BREAK, WeightPicture
from .dual_lphm_fusion import DualLphmFusionFunction

__all__ = ["ConcatenationFusionFunction", "concatenation_fusion", "concatenation_fusion_l"]


def concatenation_fusion_l(dims: Sequence[int], n: int | None = None) -> int:
    r"""Length of the parameter vector of :func:`concatenation_fusion`: ``l = N*n``, ``N = sum(dims)``.

    Parameters
    ----------
    dims : sequence of int
        The input widths ``n_1 .. n_k``.
    n : int, optional
        The output width; by default the common input width.

    Returns
    -------
    int
        ``l``, the required length of ``w``.

    Raises
    ------
    TypeError
        If a width is not an integer, or ``dims`` is not a sequence.
    RefimplError
        If a width is not positive, or ``n`` is missing for unequal widths.

    Examples
    --------
    >>> from refimpl import concatenation_fusion_l
    >>> concatenation_fusion_l([2, 4], n=3)
    18
    """
    return concat_shape(dims, n).l


def concatenation_fusion(inputs: Sequence[Any], w: Any, *, n: int | None = None) -> Any:
    r"""Plain parameterized concatenation fusion: ``concat(A_1..A_k) @ reshape(w, (N, n))``.

    .. math::

        \operatorname{fusion}(A_1, \dots, A_k) = (A_1 \sqcup \cdots \sqcup A_k)\, W,
        \qquad W = \operatorname{reshape}(w, (N, n)),\; l = N n.

    Parameters
    ----------
    inputs : sequence of arrays, each of shape (..., m, n_i)
        As in :func:`dual_lphm_fusion`.
    w : array_like, shape (l,) or (1, l)
        The parameter vector, ``l = N*n``, read row-major.
    n : int, optional
        The output width; by default the common input width.

    Returns
    -------
    array, shape (..., m, n)
        In the inputs' namespace and device, in the promoted floating dtype of inputs and ``w``.

    Raises
    ------
    TypeError, RefimplError
        As for :func:`dual_lphm_fusion`.
    MemoryLimitError
        If the output is over the memory guard's limit; checked before anything is allocated.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl import concatenation_fusion
    >>> A1, A2 = np.array([[1.0]]), np.array([[1.0, 1.0]])
    >>> print(concatenation_fusion([A1, A2], np.arange(6.0), n=2))
    [[6. 9.]]
    """
    xp, X, w, shape = concatenated(inputs, w, n)
    weight_xp = array_api_compat.array_namespace(w)  # NumPy for Dask inputs
    w = check_parameter_vector(weight_xp, w, shape)
    check_output(xp, X, shape.n, "concatenation_fusion", FEWER_ROWS)
    return X @ weight_xp.reshape(w, (shape.N, shape.n))


# -- what the rest of the package knows of it ------------------------------------------------


class ConcatenationFusionFunction(FusionFunction):
    """The plain fusion, ``concat(A_1..A_k) @ reshape(w, (N, n))``, as the oracle sees it."""

    name = "concatenation_fusion"
    config_keys = ("dims", "n", "m", "batch")
    vector_prefix = "cf"
    optional_keys = frozenset({"n"})
    mistakes = (*CONCATENATION, COLUMN_MAJOR_W, WEIGHT_TRANSPOSED, OUTPUT_TRANSPOSED)
    generic = ({"dims": [3, 3], "n": 4}, {"dims": [5, 4, 6], "n": 7})
    vectors = (
        ("basic", ("float32", "float64", "complex128"), {"dims": [2, 3], "n": 4}),
        ("equal", ("float64",), {"dims": [2, 2, 2], "n": None}),
        ("k1", ("float64",), {"dims": [3], "n": 5, "m": 2}),
        ("m0", ("float64",), {"dims": [2, 3], "n": 4, "m": 0}),
        ("batch", ("float64", "complex128"), {"dims": [2, 3], "n": 4, "m": 2, "batch": [2, 2]}),
        ("large", ("float32",), {"dims": [256, 256], "n": 512, "m": 8}),
    )

    @property
    def function(self) -> Any:
        return concatenation_fusion

    def build_shape(self, config: dict[str, Any]) -> ConcatShape:
        return concat_shape(config["dims"], config.get("n"))

    def defaults(self, config: dict[str, Any], shape: Any) -> dict[str, Any]:
        *batch, m = leading_shape(config)
        return {**config, "dims": list(shape.widths), "n": shape.n, "m": m, "batch": tuple(batch)}

    def call(self, config: dict[str, Any], inputs: dict[str, Any], format: Any = None) -> Any:
        return concatenation_fusion(inputs["inputs"], inputs["w"], n=config.get("n"))

    def rounding_count(self, config: dict[str, Any]) -> int:
        """``N + 2``: an ``N``-term sum of products, 2 input roundings."""
        return int(sum(config["dims"])) + 2

    def vjp(
        self, config: dict[str, Any], w: np.ndarray, G: np.ndarray, arrays: list[np.ndarray]
    ) -> dict[str, Any]:
        """``dX = G W^H`` split by the widths, ``dw = vec(sum over batch and rows of X^H G)``."""
        shape = self.build_shape(config)
        X = np.concatenate(arrays, axis=-1)
        dW, dAs = DualLphmFusionFunction.weight_vjp(G, X, w.reshape(shape.N, shape.n), shape.widths)
        return {"w": dW.reshape(-1), "inputs": dAs}

    def mistaken(self, stages: Stages, options: dict[str, Any]) -> np.ndarray | None:
        X = stages.joined(options.get("concat"))
        N, n = self.weight_shape(stages.config)
        if X is None or ("weight_T" in options and N != n):
            return None
        W = stages.w.reshape(n, N).T if "layout" in options else stages.w.reshape(N, n)
        out: np.ndarray = X @ (W.T if "weight_T" in options else W)
        return out

    def weight_picture(
        self, config: dict[str, Any], w: np.ndarray, inputs: list[np.ndarray], fmt: Any
    ) -> WeightPicture:
        plain = self.build_shape(config)
        N, n = plain.N, plain.n
        return WeightPicture(
            concatenation_fusion(inputs, w, n=n),
            w.reshape(N, n),
            f"$W$ ={BREAK} reshape(w, ({N}, {n}))",
            None,
            r"fusion = $X W$,  $W$ = reshape(w, (N, n))",
            f"W = reshape(w, ({N}, {n})), row-major; l = N·n = {plain.l}",
        )

    def telling(self, config: dict[str, Any]) -> bool:
        c = self.normalize(config)
        return bool(sum(c["dims"]) >= 2 and c["n"] >= 2 and c["m"] >= 2)

    def ceiling(self, config: dict[str, Any], top: float) -> float:
        """An entry of the weight is an entry of ``w``."""
        return top
