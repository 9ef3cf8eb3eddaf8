"""The registry the oracle works from: each function of SPEC, its configuration and its inputs.

One convention for every part of the oracle (strategies, tolerance, diagnosis, gradients,
golden vectors, ``check``):

* ``config`` is a dict of Python ints (and a list for ``dims``):

  ====================================  ===================================================
  function                              config keys
  ====================================  ===================================================
  ``duplicated_padding``                ``n, D, p, q``
  ``duplicated_diagonal_padding``       ``n, D, p, q``
  ``dual_lphm``                         ``n, D, p, q, r``
  ``dual_lphm_fusion``                  ``dims, n, p, q, r`` and ``m, batch`` (input rows and
                                        leading batch shape; ``n`` may be ``None``)
  ``concatenation_fusion``              ``dims, n`` and ``m, batch``
  ====================================  ===================================================

* ``inputs`` is a dict: ``{"w": w}`` for the matrices, ``{"w": w, "inputs": [A_1, ..., A_k]}``
  for the fusions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .._validation import RefimplError
from ..fusion import concatenation_fusion, dual_lphm_fusion
from ..lphm import dual_lphm
from ..padding import duplicated_diagonal_padding, duplicated_padding
from ..shapes import (
    ConcatShape,
    FusionShape,
    LphmShape,
    PaddingShape,
    concat_shape,
    fusion_shape,
    lphm_shape,
    padding_shape,
)

__all__ = ["FUNCTIONS", "FunctionSpec", "bind", "get_spec", "leading_shape"]


Shape = PaddingShape | LphmShape | ConcatShape | FusionShape
_S = TypeVar("_S", bound=Shape)


@dataclass(frozen=True)
class FunctionSpec:
    """How the oracle calls one function of SPEC."""

    name: str
    config_keys: tuple[str, ...]
    #: ``True`` for the padding functions: they only copy entries of ``w``, so their check is exact.
    exact: bool
    #: ``build_shape(config)``: the checked shape (:mod:`refimpl.shapes`), with refimpl's messages.
    build_shape: Callable[[dict[str, Any]], Shape]
    #: ``call(config, inputs)``: refimpl's value (dense for the diagonal padding).
    #: ``format`` (the diagonal padding's only, ``"dense"`` by default) is passed on; the others ignore it.
    call: Callable[..., Any]

    @property
    def is_fusion(self) -> bool:
        return "dims" in self.config_keys

    @property
    def required_keys(self) -> tuple[str, ...]:
        """The keys a configuration must have; the others have defaults (``q``; a fusion's ``n``, ``m``, ``batch``)."""
        optional = {"q", "m", "batch"} | ({"n"} if self.is_fusion else set())
        return tuple(k for k in self.config_keys if k not in optional)

    @property
    def optional_arguments(self) -> frozenset[str]:
        """The arguments a call may leave out, for their defaults: ``q``, and a fusion's ``n``."""
        return frozenset(k for k in ("q", "n") if k in self.config_keys and (k == "q" or self.is_fusion))

    def shape(self, config: dict[str, Any]) -> Shape:
        """The checked shape of ``config`` (:mod:`refimpl.shapes`), with refimpl's messages.

        Raises
        ------
        RefimplError
            If ``config`` lacks a required key (the message names the missing keys), or if
            refimpl refuses the configuration.
        TypeError
            If a dimension is not an integer, or ``config`` is not a dict.

        Examples
        --------
        >>> from refimpl.oracle.registry import FUNCTIONS
        >>> FUNCTIONS["dual_lphm"].shape({"n": 4, "D": 6, "p": 2})
        Traceback (most recent call last):
            ...
        refimpl._validation.RefimplError: a dual_lphm configuration needs the keys ['n', 'D', 'p', 'r'], missing ['r']
        """
        if not isinstance(config, dict):
            raise TypeError(f"a {self.name} configuration is a dict, got {type(config).__name__}")
        missing = [k for k in self.required_keys if k not in config]
        if missing:
            raise RefimplError(
                f"a {self.name} configuration needs the keys {list(self.required_keys)}, missing {missing}"
            )
        return self.build_shape(config)

    def shape_as(self, config: dict[str, Any], kind: type[_S]) -> _S:
        """:meth:`shape`, for code that knows which class of :mod:`refimpl.shapes` this function's is.

        Raises
        ------
        TypeError
            If the shape is not a ``kind``: the caller asked for another function's shape.

        Examples
        --------
        >>> from refimpl.oracle.registry import FUNCTIONS
        >>> from refimpl.shapes import LphmShape
        >>> FUNCTIONS["dual_lphm"].shape_as({"n": 4, "D": 6, "p": 2, "r": 1}, LphmShape).s
        2
        """
        shape = self.shape(config)
        if not isinstance(shape, kind):
            raise TypeError(f"{self.name} has a {type(shape).__name__}, not a {kind.__name__}")
        return shape

    def l(self, config: dict[str, Any]) -> int:
        """The length of ``w`` for ``config``."""
        return self.shape(config).l

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        """``config`` checked, with every default applied (``q = p``; a fusion's ``n``, ``m``, ``batch``).

        The defaults of ``q`` and ``n`` come from :mod:`refimpl.shapes`, so they are the ones
        refimpl applies; the fusion inputs' leading shape is :func:`leading_shape`'s.

        Examples
        --------
        >>> from refimpl.oracle.registry import FUNCTIONS
        >>> FUNCTIONS["dual_lphm_fusion"].normalize({"dims": [2, 2], "p": 2, "r": 1})
        {'dims': [2, 2], 'p': 2, 'r': 1, 'q': 2, 'n': 2, 'm': 1, 'batch': ()}
        """
        shape = self.shape(config)
        out = dict(config)
        weight = shape.weight if isinstance(shape, FusionShape) else shape
        if not isinstance(weight, ConcatShape):  # every function but concatenation_fusion has a q
            out["q"] = weight.q
        if isinstance(shape, (ConcatShape, FusionShape)):  # the fusions
            *batch, m = leading_shape(config)
            out.update(dims=list(shape.widths), n=shape.n, m=m, batch=tuple(batch))
        return out

    def output_shape(self, config: dict[str, Any]) -> tuple[int, ...]:
        """The shape of the output: ``(n, D)``, or ``(*batch, m, n)`` for the fusions."""
        c = self.normalize(config)
        return (*c["batch"], c["m"], c["n"]) if self.is_fusion else (c["n"], c["D"])

    def describe(self, config: dict[str, Any]) -> str:
        """``name(n=4, D=6, p=2, q=3)``: the configuration as a call."""
        args = ", ".join(f"{k}={config[k]!r}" for k in self.config_keys if k in config)
        return f"{self.name}({args})"


def leading_shape(config: dict[str, Any]) -> tuple[int, ...]:
    """``batch + (m,)``: the leading shape of every input of a fusion (``batch = ()``, ``m = 1`` by default).

    Examples
    --------
    >>> from refimpl.oracle.registry import leading_shape
    >>> leading_shape({"dims": [2, 3], "m": 4, "batch": [2]}), leading_shape({"dims": [2]})
    ((2, 4), (1,))
    """
    return (*config.get("batch", ()), config.get("m", 1))


FUNCTIONS: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in (
        FunctionSpec(
            "duplicated_padding",
            ("n", "D", "p", "q"),
            True,
            lambda c: padding_shape(c["n"], c["D"], c["p"], c.get("q")),
            lambda c, i, format=None: duplicated_padding(i["w"], c["n"], c["D"], c["p"], c.get("q")),
        ),
        FunctionSpec(
            "duplicated_diagonal_padding",
            ("n", "D", "p", "q"),
            True,
            lambda c: padding_shape(c["n"], c["D"], c["p"], c.get("q")),
            lambda c, i, format="dense": duplicated_diagonal_padding(
                i["w"], c["n"], c["D"], c["p"], c.get("q"), format=format
            ),
        ),
        FunctionSpec(
            "dual_lphm",
            ("n", "D", "p", "q", "r"),
            False,
            lambda c: lphm_shape(c["n"], c["D"], c["p"], c.get("q"), c["r"]),
            lambda c, i, format=None: dual_lphm(i["w"], c["n"], c["D"], c["p"], c.get("q"), c["r"]),
        ),
        FunctionSpec(
            "dual_lphm_fusion",
            ("dims", "n", "p", "q", "r", "m", "batch"),
            False,
            lambda c: fusion_shape(c["dims"], c.get("n"), c["p"], c.get("q"), c["r"]),
            lambda c, i, format=None: dual_lphm_fusion(
                i["inputs"], i["w"], p=c["p"], q=c.get("q"), r=c["r"], n=c.get("n")
            ),
        ),
        FunctionSpec(
            "concatenation_fusion",
            ("dims", "n", "m", "batch"),
            False,
            lambda c: concat_shape(c["dims"], c.get("n")),
            lambda c, i, format=None: concatenation_fusion(i["inputs"], i["w"], n=c.get("n")),
        ),
    )
}


def get_spec(function: str | FunctionSpec) -> FunctionSpec:
    """The :class:`FunctionSpec` of a function name (or the spec itself)."""
    if isinstance(function, FunctionSpec):
        return function
    if not isinstance(function, str):
        raise TypeError(f"function must be one of {sorted(FUNCTIONS)}, got {function!r}")
    if function not in FUNCTIONS:
        raise RefimplError(f"function must be one of {sorted(FUNCTIONS)}, got {function!r}")
    return FUNCTIONS[function]


def bind(
    function: str | FunctionSpec, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(config, inputs)`` from the arguments of a refimpl call, e.g. ``(w, 4, 6, 2, 3)``.

    The configuration is normalized (:meth:`FunctionSpec.normalize`): a bad one raises refimpl's
    error here, and every default is applied.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl.oracle.registry import bind
    >>> config, inputs = bind("duplicated_padding", (np.ones(4), 4, 4, 2), {})
    >>> config
    {'n': 4, 'D': 4, 'p': 2, 'q': 2}
    """
    import inspect

    from .. import fusion, lphm, padding

    spec = get_spec(function)
    module = {"dual_lphm": lphm, "dual_lphm_fusion": fusion, "concatenation_fusion": fusion}.get(
        spec.name, padding
    )
    signature = inspect.signature(getattr(module, spec.name))
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as exc:
        raise TypeError(f"the arguments do not fit refimpl.{spec.name}{signature}: {exc}") from None
    bound.apply_defaults()
    given = dict(bound.arguments)
    given.pop("format", None)
    given.pop("method", None)
    inputs = {"w": given["w"]}
    if spec.is_fusion:
        inputs["inputs"] = arrays = list(given.pop("inputs"))
        shapes = [tuple(getattr(a, "shape", ())) for a in arrays]
        if not shapes or any(len(s) < 2 for s in shapes):
            raise RefimplError(f"inputs must be arrays of shape (..., m, n_i), got shapes {shapes}")
        given.update(dims=[s[-1] for s in shapes], m=shapes[0][-2], batch=shapes[0][:-2])
    config = {k: given[k] for k in spec.config_keys}
    return spec.normalize(config), inputs  # refimpl's checks and messages, and its defaults
