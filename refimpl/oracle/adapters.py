"""What the oracle meets from the outside: a candidate named on a command line, its outputs.

* :func:`load_target` finds a candidate from its ``MODULE:CALLABLE`` name;
* :func:`to_numpy` turns an array of any library into NumPy, the one way every part of the
  oracle (judgement, gradients, diagnosis, vectors, plotting, the command line) reads arrays;
* :func:`numpy_dtype` names the dtype of an array of any library as a NumPy dtype.
"""

from __future__ import annotations

import importlib
from typing import Any

import array_api_compat
import numpy as np

from .._validation import RefimplError

__all__ = ["load_target", "numpy_dtype", "to_numpy"]


def to_numpy(x: Any, name: str = "the array") -> np.ndarray:
    """Any array (NumPy, CuPy, PyTorch, JAX, ``array_api_strict``, SciPy or CuPy sparse) as NumPy.

    Arrays go through DLPack where they can, and keep their dtype; CuPy arrays are copied to
    the host; PyTorch tensors are detached, moved to the CPU and their lazy conjugation or
    negation resolved; sparse matrices are densified; lists become arrays. ``name`` is what a
    :class:`TypeError` calls ``x`` when it is none of these.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from refimpl.oracle.adapters import to_numpy
    >>> to_numpy(sp.eye_array(2, format="csr"))
    array([[1., 0.],
           [0., 1.]])
    >>> to_numpy([1, 2]).dtype
    dtype('int64')
    """
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "toarray") and not array_api_compat.is_array_api_obj(x):  # SciPy / CuPy sparse
        x = x.toarray()
    if array_api_compat.is_cupy_array(x):
        return x.get()
    if array_api_compat.is_torch_array(x):
        x = x.detach().cpu().resolve_conj().resolve_neg()
    if array_api_compat.is_array_api_obj(x) and not array_api_compat.is_dask_array(x):
        try:
            return np.from_dlpack(x)
        except (BufferError, RuntimeError, TypeError, ValueError):
            pass  # a DLPack the CPU cannot take (JAX on a GPU, say): __array__ below
    try:
        return np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be an array or a nested sequence of numbers, got {type(x).__name__}: {exc}"
        ) from None


def numpy_dtype(x: Any) -> np.dtype:
    """The dtype of the array ``x`` of any library as a NumPy dtype, without converting ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl.oracle.adapters import numpy_dtype
    >>> numpy_dtype(np.ones(3, dtype=np.float32))
    dtype('float32')
    """
    try:
        return np.dtype(x.dtype)
    except TypeError:  # a dtype object NumPy does not know (PyTorch's, say): an empty array of it
        xp = array_api_compat.array_namespace(x)
        return to_numpy(xp.empty(0, dtype=x.dtype, device=array_api_compat.device(x))).dtype


def load_target(target: str) -> Any:
    """The object named by ``MODULE:CALLABLE`` (``CALLABLE`` may be dotted, ``pkg.mod:Class.method``)."""
    module, _, attribute = target.partition(":")
    if not module or not attribute:
        raise RefimplError(f"a candidate is named MODULE:CALLABLE, got {target!r}")
    obj = importlib.import_module(module)
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise RefimplError(f"{target!r}: module {module!r} has no attribute {attribute!r}") from None
    return obj
