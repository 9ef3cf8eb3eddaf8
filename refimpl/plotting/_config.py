"""What a picture is drawn from: the function, its configuration with refimpl's defaults, ``w``
and the fusion inputs, checked by refimpl's own rules (:mod:`refimpl.functions`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from .._outputs import to_numpy
from .._validation import RefimplError
from ..functions import Function, get_function

__all__ = ["Drawing", "prepare"]

#: The rows of each fusion input drawn when neither ``m`` nor the inputs are given.
DEFAULT_ROWS = 2


class Drawing(NamedTuple):
    """One configuration of one function, ready to draw."""

    spec: Function
    #: Normalized: every default applied (``q = p``, a fusion's ``n``, ``m``, ``batch``).
    config: dict[str, Any]
    w: np.ndarray
    #: The fusion inputs ``A_1 .. A_k`` (none for the matrices).
    inputs: list[np.ndarray]

    @property
    def title(self) -> str:
        """``dual_lphm(n=4, D=6, p=2, q=3, r=1)``: the configuration as a call."""
        return self.spec.describe({k: v for k, v in self.config.items() if k not in ("m", "batch")})

    @property
    def default_w(self) -> bool:
        """Whether ``w`` is ``1, 2, ..., l``: each entry of a padding then tells where it came from."""
        flat = self.w.reshape(-1)
        return bool(flat.size and np.isrealobj(flat) and np.array_equal(flat, np.arange(1, flat.size + 1)))

    @property
    def default_inputs(self) -> bool:
        """Whether the inputs are numbered as :func:`numbered_inputs` numbers them."""
        if not self.inputs:
            return False
        numbered = numbered_inputs(self.config["dims"], self.config["m"], self.inputs[0].shape[:-2])
        return all(np.array_equal(a, b) for a, b in zip(self.inputs, numbered))


def prepare(function: str | Function, config: Any, w: Any, inputs: Any) -> Drawing:
    """The :class:`Drawing` of ``plot_function``'s arguments (see there)."""
    spec = get_function(function)
    if not isinstance(config, Mapping):
        raise TypeError(
            f"config must be a dict with the keys {spec.config_keys}, got {type(config).__name__}"
        )
    config = dict(config)
    arrays, w_given = _arrays_of(inputs)
    w = w_given if w is None else w
    if spec.is_fusion and arrays is not None:
        config = _with_shapes_of(spec, config, arrays)
    elif spec.is_fusion and config.get("m") is None:
        config["m"] = DEFAULT_ROWS
    config = spec.normalize(config)
    w = np.arange(1.0, spec.l(config) + 1.0) if w is None else to_numpy(w)
    if spec.is_fusion and arrays is None:
        arrays = numbered_inputs(config["dims"], config["m"], config["batch"])
    return Drawing(spec, config, w, arrays or [])


def _arrays_of(inputs: Any) -> tuple[list[np.ndarray] | None, Any]:
    """``(A_1..A_k, w)`` from ``inputs``: a list of arrays, or the oracle's dict ``{"w", "inputs"}``."""
    if inputs is None:
        return None, None
    if isinstance(inputs, Mapping):
        arrays = inputs.get("inputs")
        return (None if arrays is None else [to_numpy(a) for a in arrays]), inputs.get("w")
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Sequence):
        raise TypeError(f"inputs must be a list of arrays A_1..A_k, got {type(inputs).__name__}")
    return [to_numpy(a) for a in inputs], None


def _with_shapes_of(spec: Function, config: dict[str, Any], arrays: list[np.ndarray]) -> dict[str, Any]:
    """``config`` with the ``dims``, ``m`` and ``batch`` the inputs' shapes give (refimpl's reading)."""
    given: dict[str, Any] = {
        k: config[k] for k in ("n", "p", "q", "r") if k in spec.config_keys and k in config
    }
    derived, _ = spec.bind((arrays, None), given)
    for key in ("dims", "m", "batch"):
        value = config.get(key)
        if value is not None and _plain(value) != _plain(derived[key]):
            raise RefimplError(f"config has {key}={value!r} but the inputs give {key}={derived[key]!r}")
    return {**config, **derived}


def _plain(value: Any) -> Any:
    return tuple(value) if isinstance(value, (list, tuple)) else value


def numbered_inputs(dims: Sequence[int], m: Any, batch: Sequence[int]) -> list[np.ndarray]:
    """Inputs numbered 1, 2, ... row by row, across ``A_1`` then ``A_2`` ... (the same in each batch
    element): every entry of ``X`` then tells which input, row and column it came from."""
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 0:
        raise RefimplError(f"m must be a non-negative integer number of rows, got m={m!r}")
    if any(b <= 0 for b in batch):
        raise RefimplError(f"batch must hold positive sizes, got batch={tuple(batch)}")
    arrays, start = [], 1.0
    for width in dims:
        a = np.arange(start, start + m * width).reshape(m, width)
        arrays.append(np.broadcast_to(a, (*batch, int(m), width)).copy())
        start += m * width
    return arrays


def first(a: np.ndarray) -> np.ndarray:
    """The first batch element of ``(..., m, n)``."""
    return a[(0,) * (a.ndim - 2)] if a.ndim > 2 else a
