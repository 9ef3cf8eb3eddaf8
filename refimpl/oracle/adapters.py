"""What the oracle meets from the outside: a candidate named on a command line, its outputs.

* :func:`load_target` finds a candidate from its ``MODULE:CALLABLE`` name;
* :func:`to_numpy` turns an output of any array library into NumPy, the one way every part of
  the oracle (judgement, diagnosis, vectors, plotting, the command line) reads outputs.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from .._validation import RefimplError

__all__ = ["load_target", "to_numpy"]


def to_numpy(x: Any) -> np.ndarray:
    """Any array (NumPy, CuPy, PyTorch, JAX, ``array_api_strict``, SciPy or CuPy sparse) as NumPy.

    Goes through DLPack where it can; the dtype is kept.
    """
    if hasattr(x, "toarray") and not isinstance(x, np.ndarray):  # SciPy / CuPy sparse
        x = x.toarray()
    if isinstance(x, np.ndarray):
        return x
    if type(x).__module__.split(".")[0] == "cupy":
        return x.get()
    if hasattr(x, "detach"):  # a PyTorch tensor that may require grad or live on a GPU
        x = x.detach().cpu()
    if hasattr(x, "__dlpack__"):
        try:
            return np.from_dlpack(x)
        except (BufferError, TypeError, RuntimeError):
            pass
    return np.asarray(x)


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
