"""The inputs of the fusions (SPEC section 4): checked, promoted and joined along their last axis."""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import array_api_compat

from .._memory import check_elements, itemsize
from .._validation import RefimplError
from .._xp import namespace_and_arrays
from ..shapes import ConcatShape, concat_shape

__all__ = ["FEWER_ROWS", "check_output", "checked_inputs", "concatenated"]

FEWER_ROWS = "fuse fewer rows at a time (Dask inputs chunked along their rows are fused chunk by chunk)"


def concatenated(inputs: Any, w: Any, n: Any) -> tuple[ModuleType, Any, Any, ConcatShape]:
    """Check the inputs and return ``xp, X, w, shape`` with ``X = concat(inputs, axis=-1)``.

    Dask inputs keep a NumPy ``w``: it is small, and goes to every chunk. Joining several
    inputs allocates ``X``: the memory guard counts it first.
    """
    xp, arrays, w, widths = checked_inputs(inputs, w)
    plain = concat_shape(widths, n)
    if len(arrays) == 1:
        return xp, arrays[0], w, plain
    if not array_api_compat.is_dask_array(arrays[0]):
        lead = tuple(int(d) for d in arrays[0].shape[:-1])
        check_elements(
            math.prod(lead) * plain.N,
            itemsize(xp, arrays[0].dtype),
            f"joining the inputs would allocate an array of shape {lead + (plain.N,)} ({arrays[0].dtype})",
            FEWER_ROWS,
        )
    return xp, xp.concat(arrays, axis=-1), w, plain


def checked_inputs(inputs: Any, w: Any) -> tuple[ModuleType, list[Any], Any, tuple[Any, ...]]:
    """Check the inputs and return ``xp, arrays, w, widths``: the ``A_i`` in one namespace and
    the promoted floating dtype, with equal leading shapes, and their widths ``n_i`` (unchecked:
    :func:`refimpl.shapes.concat_shape` checks them).

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
    return xp, arrays, w, tuple(shape[-1] for shape in shapes)


def check_output(xp: ModuleType, X: Any, n: int, what: str, advice: str) -> None:
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
        lambda: f"{what} would allocate an output of shape {lead + (n,)} ({X.dtype})",
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
