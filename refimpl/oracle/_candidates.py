"""How :func:`refimpl.testing.check` calls a candidate: its array library, its signature, its autodiff.

A candidate is a function with refimpl's signature or a tinybig-style class (constructed with
the configuration, with ``calculate_l`` and ``forward``). :func:`adapt` turns either into one
``run(config, inputs)`` in the oracle's convention (:mod:`refimpl.oracle.registry`), called
with the configuration as drawn: a fusion's ``n=None`` is passed on, so that the candidate's
own default is what is tested.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from .._validation import RefimplError
from ._reports import ConformanceError
from .registry import FunctionSpec

__all__ = ["BACKENDS", "Runner", "adapt", "backend_namespace", "candidate_vjp", "in_backend"]

#: ``run(config, inputs)``: the candidate's output for one case.
Runner = Callable[[dict[str, Any], dict[str, Any]], Any]

#: The array libraries a candidate's inputs can come in, and the namespace that makes them.
BACKENDS: dict[str, str] = {
    "numpy": "array_api_compat.numpy",
    "torch": "array_api_compat.torch",
    "cupy": "array_api_compat.cupy",
    "jax": "jax.numpy",
    "array_api_strict": "array_api_strict",
}

#: The configuration keys that describe the inputs' shapes rather than the candidate's arguments.
_SHAPE_KEYS = ("dims", "m", "batch")


def backend_namespace(backend: str) -> ModuleType:
    """The array namespace named ``backend`` (a key of :data:`BACKENDS`)."""
    if backend not in BACKENDS:
        raise RefimplError(f"backend must be one of {sorted(BACKENDS)}, got {backend!r}")
    try:
        return importlib.import_module(BACKENDS[backend])
    except ImportError as exc:
        raise ImportError(f"backend {backend!r} is not usable here: {exc}") from exc


def in_backend(xp: ModuleType, inputs: dict[str, Any]) -> dict[str, Any]:
    """``inputs`` with every array in the namespace ``xp``."""
    out = {"w": xp.asarray(inputs["w"])}
    if "inputs" in inputs:
        out["inputs"] = [xp.asarray(a) for a in inputs["inputs"]]
    return out


def _arguments(spec: FunctionSpec, config: dict[str, Any]) -> dict[str, Any]:
    """The configuration's values that the candidate takes as arguments, in refimpl's names."""
    return {k: config.get(k) for k in spec.config_keys if k not in _SHAPE_KEYS}


def adapt(candidate: Any, spec: FunctionSpec) -> Runner:
    """``run(config, inputs)`` for a functional candidate or a tinybig-style class."""
    if isinstance(candidate, type) and hasattr(candidate, "forward"):
        return _adapt_class(candidate, spec)

    def run_function(config: dict[str, Any], inputs: dict[str, Any]) -> Any:
        arguments = _arguments(spec, config)
        if spec.is_fusion:
            return candidate(inputs["inputs"], inputs["w"], **arguments)
        return candidate(inputs["w"], *arguments.values())

    return run_function


def _adapt_class(candidate: type, spec: FunctionSpec) -> Runner:
    """Construct the class from the configuration, check its ``calculate_l``, call ``forward``."""

    def run_class(config: dict[str, Any], inputs: dict[str, Any]) -> Any:
        arguments = _arguments(spec, config)
        if spec.is_fusion:
            obj = candidate(**arguments, dims=config["dims"])
            _check_l(spec, config, obj.calculate_l())
            return obj.forward(inputs["inputs"], inputs["w"])
        n, D = arguments.pop("n"), arguments.pop("D")
        obj = candidate(**arguments)
        _check_l(spec, config, obj.calculate_l(n, D))
        return obj.forward(n, D, inputs["w"])

    return run_class


def _check_l(spec: FunctionSpec, config: dict[str, Any], l: Any) -> None:
    if l != spec.l(config):
        raise ConformanceError(f"calculate_l returned {l!r} for {spec.describe(config)}, expected {spec.l(config)}")


def candidate_vjp(
    spec: FunctionSpec, run: Runner, config: dict[str, Any], arrays: list[np.ndarray], G: np.ndarray, backend: str
) -> list[np.ndarray]:
    """The candidate's gradients of ``w`` and each fusion input by its library's autodiff (PyTorch or JAX)."""

    def given(leaves: Any) -> dict[str, Any]:
        return {"w": leaves[0], "inputs": list(leaves[1:])} if spec.is_fusion else {"w": leaves[0]}

    if backend == "torch":
        import torch

        leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
        got = torch.autograd.grad(run(config, given(leaves)), leaves, torch.as_tensor(G), allow_unused=True)
        return [np.zeros(a.shape, G.dtype) if g is None else g.detach().numpy() for g, a in zip(got, arrays)]
    if backend == "jax":
        import jax
        import jax.numpy as jnp

        _, vjp = jax.vjp(lambda *leaves: run(config, given(leaves)), *[jnp.asarray(a) for a in arrays])
        return [np.asarray(g) for g in vjp(jnp.asarray(G))]
    raise RefimplError(f"grad=True needs backend 'torch' or 'jax', got {backend!r}")
