"""Parameterized concatenation fusion (SPEC section 4), plain and with a Dual-LPHM weight.

Inputs ``A_1 .. A_k`` of shapes ``(..., m, n_i)`` (equal leading shapes) are joined along
their last axis into ``X`` of shape ``(..., m, N)``, ``N = n_1 + ... + n_k``, and multiplied by an
``N x n`` weight fabricated from ``w``: ``fusion(A_1..A_k) = X @ W``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import ModuleType
from typing import Any, Literal

import array_api_compat

from ._memory import check_dense_size, check_elements, itemsize
from ._validation import RefimplError, check_parameter_vector
from ._xp import namespace_and_arrays
from .lphm import lphm_factors, lphm_matrix
from .operators import DualLphmOperator
from .shapes import ConcatShape, concat_shape, fusion_shape, with_weight

__all__ = ["concatenation_fusion", "concatenation_fusion_l", "dual_lphm_fusion", "dual_lphm_fusion_l"]

_FEWER_ROWS = "fuse fewer rows at a time (Dask inputs chunked along their rows are fused chunk by chunk)"


def _concatenated(inputs: Any, w: Any, n: Any) -> tuple[ModuleType, Any, Any, ConcatShape]:
    """Check the inputs and return ``xp, X, w, shape`` with ``X = concat(inputs, axis=-1)``.

    Dask inputs keep a NumPy ``w``: it is small, and goes to every chunk.
    """
    if not isinstance(inputs, Sequence):  # no array type is a Sequence: arrays are refused too
        raise TypeError(
            "inputs must be a list or tuple of arrays A_1..A_k, got "
            f"{type(inputs).__name__}; wrap a single input as [A]"
        )
    if len(inputs) == 0:
        raise RefimplError("inputs must hold at least one array A_1..A_k, got an empty sequence")
    if any(array_api_compat.is_dask_array(a) for a in inputs):
        xp, arrays, w = _dask_inputs(inputs, w)
    else:
        xp, arrays = namespace_and_arrays(*inputs, w)
        *arrays, w = arrays
    shapes = [tuple(a.shape) for a in arrays]
    for i, shape in enumerate(shapes):
        if len(shape) < 2:
            raise RefimplError(f"inputs[{i}] must have shape (..., m, n_i), got shape {shape}")
    if len({shape[:-1] for shape in shapes}) > 1:
        raise RefimplError(
            "inputs must have equal leading shapes (..., m), got shapes "
            + ", ".join(str(shape) for shape in shapes)
        )
    plain = concat_shape([shape[-1] for shape in shapes], n)
    X = arrays[0] if len(arrays) == 1 else xp.concat(arrays, axis=-1)
    return xp, X, w, plain


def _check_output(xp: ModuleType, X: Any, n: int, what: str, advice: str) -> None:
    """The memory guard for the fusion's output ``(..., m, n)``, before it is computed.

    A Dask output is lazy and allocates nothing here; the structured method guards each
    chunk's ``X @ op`` when it is computed.
    """
    if array_api_compat.is_dask_array(X):
        return
    lead = tuple(int(d) for d in X.shape[:-1])
    check_elements(
        math.prod(lead) * n,
        itemsize(xp, X.dtype),
        f"{what} would allocate an output of shape {lead + (n,)} ({X.dtype})",
        advice,
    )


def _dask_inputs(inputs: Sequence[Any], w: Any) -> tuple[ModuleType, list[Any], Any]:
    """Dask inputs and a NumPy ``w``, all in the promoted floating dtype."""
    if not all(array_api_compat.is_dask_array(a) for a in inputs):
        raise TypeError("all inputs must be Dask arrays when one is; convert them to one library first")
    np_xp: ModuleType  # array_api_compat clones NumPy at run time: its names are not visible statically
    import array_api_compat.numpy as np_xp

    if array_api_compat.is_dask_array(w):
        w = w.compute()
    elif array_api_compat.is_array_api_obj(w) and not array_api_compat.is_numpy_array(w):
        raise TypeError(f"Dask inputs need a NumPy (or list) w, got a {type(w).__module__} array")
    xp = array_api_compat.array_namespace(*inputs)
    probes = [np_xp.zeros((), dtype=a.dtype) for a in inputs]
    _, (*probes, w) = namespace_and_arrays(*probes, w)
    arrays = [a if a.dtype == probes[0].dtype else a.astype(probes[0].dtype) for a in inputs]
    return xp, arrays, w


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
    DenseSizeError
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
    xp, X, w, plain = _concatenated(inputs, w, n)
    shape = with_weight(plain, p, q, r).weight
    weight_xp = array_api_compat.array_namespace(w)  # NumPy for Dask inputs: w goes to every chunk
    w = check_parameter_vector(weight_xp, w, shape.l, shape.rule)
    _check_output(xp, X, shape.C, "dual_lphm_fusion", _FEWER_ROWS)
    if method == "dense":
        check_dense_size(
            weight_xp,
            shape.R,
            shape.C,
            w.dtype,
            "dual_lphm_fusion(method='dense')",
            "use method='structured'",
        )
        return X @ lphm_matrix(weight_xp, w, shape)  # X @ refimpl.dual_lphm(w, N, n, p, q, r)
    operator = DualLphmOperator(weight_xp, *lphm_factors(weight_xp, w, shape))
    return operator.rmatmul(X)


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
    DenseSizeError
        If the output is over the memory guard's limit; checked before anything is allocated.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl import concatenation_fusion
    >>> A1, A2 = np.array([[1.0]]), np.array([[1.0, 1.0]])
    >>> print(concatenation_fusion([A1, A2], np.arange(6.0), n=2))
    [[6. 9.]]
    """
    xp, X, w, shape = _concatenated(inputs, w, n)
    weight_xp = array_api_compat.array_namespace(w)  # NumPy for Dask inputs
    w = check_parameter_vector(weight_xp, w, shape.l, shape.rule)
    _check_output(xp, X, shape.n, "concatenation_fusion", _FEWER_ROWS)
    return X @ weight_xp.reshape(w, (shape.N, shape.n))
