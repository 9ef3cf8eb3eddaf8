"""The check of a candidate's gradients, with ``check(..., grad=True)``.

The candidate's vector-Jacobian product, by its library's autodiff (PyTorch or JAX,
:func:`refimpl.oracle.check._candidates.candidate_vjp`), against :func:`refimpl.oracle.gradients.reference_vjp`,
within the oracle's bound for a gradient entry (:func:`refimpl.oracle.tolerance.error_bound`
with :func:`refimpl.oracle.tolerance.gradient_rounding_count`) on the same VJP computed on the
absolute values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...functions import Function
from ..gradients import reference_vjp
from ..judgement import Judgement, judge
from ..tolerance import error_bound, gradient_rounding_count, unit_roundoff, wide
from ._candidates import Runner, candidate_vjp

__all__ = ["gradient_verdict"]


def gradient_verdict(spec: Function, run: Runner, drawn: Any, backend: str) -> Judgement:
    """The candidate's VJP (PyTorch or JAX autodiff) against :func:`reference_vjp`, on one case.

    ``run(config, inputs)`` calls the candidate; ``drawn`` is the case (its configuration,
    NumPy inputs and the dtype of the output); ``backend`` is ``"torch"`` or ``"jax"``. Each
    gradient has the dtype of its argument (float32 inputs beside a float64 ``w`` have float32
    gradients), within the bound of the least precise dtype of the case.
    """
    config, inputs, dtype = drawn.config, drawn.inputs, drawn.dtype
    G = np.random.default_rng(0).standard_normal(spec.output_shape(config)).astype(dtype)
    names = ["w"] + [f"inputs[{i}]" for i in range(len(inputs.get("inputs", [])))]
    arrays = [np.asarray(a) for a in (inputs["w"], *inputs.get("inputs", []))]
    got = candidate_vjp(spec, run, config, arrays, G, backend)
    as_inputs = {
        "w": wide(arrays[0]),
        **({"inputs": [wide(a) for a in arrays[1:]]} if spec.is_fusion else {}),
    }
    ref = reference_vjp(spec.name, config, as_inputs, wide(G))
    mag = reference_vjp(spec.name, config, {k: _abs(v) for k, v in as_inputs.items()}, np.abs(wide(G)))
    K = gradient_rounding_count(spec, config, complex_data=np.iscomplexobj(G))
    shaped = [np.reshape(ref["w"], arrays[0].shape), *ref.get("inputs", [])]  # w as given: (l,) or (1, l)
    magnitudes = [np.reshape(mag["w"], arrays[0].shape), *mag.get("inputs", [])]
    coarsest = max([np.dtype(dtype), *(a.dtype for a in arrays if a.dtype.kind in "fc")], key=unit_roundoff)
    bound = error_bound(K, coarsest)
    for name, g, r, m, a in zip(names, got, shaped, magnitudes, arrays):
        own = a.dtype if a.dtype.kind in "fc" else np.dtype(dtype)  # a cotangent has its primal's dtype
        verdict = judge(g, r, bound(m), dtype=own, K=K)
        if not verdict.passed:
            verdict.problem = f"d/d{name}: {verdict.summary()}"
            return verdict
    return Judgement(True, K=K)


def _abs(value: Any) -> Any:
    """``|value|`` of an array or of each array of a list."""
    return [np.abs(a) for a in value] if isinstance(value, list) else np.abs(value)
