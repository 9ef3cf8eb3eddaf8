r"""Reference gradients: the vector-Jacobian products of every function of SPEC.

An autodiff implementation (a PyTorch layer, a JAX port) checks its backward pass against
:func:`reference_vjp`. Every VJP here is written in closed form from the definition, vectorised,
and computed in float64 NumPy (complex128 when any of ``w``, the inputs or the cotangent is
complex), whatever library the arguments come from.

For an output ``out = f(w)`` (or ``f(w, A_1, ..., A_k)``) and a cotangent ``G`` of the output's
shape, the VJP is

* real data: :math:`\bar w = J^\top G`, the gradient of :math:`L = \sum G \odot \mathrm{out}`;
* complex data: :math:`\bar w = J^H G = \overline{J}^\top G`, PyTorch's convention for the
  gradient of a real-valued loss (the conjugate Wirtinger derivative
  :math:`2\,\partial L/\partial \bar w` of :math:`L = \mathrm{Re} \sum \bar G \odot \mathrm{out}`).
  All the functions are holomorphic in their arguments, so the formulas below are the real ones
  with every *primal* factor conjugated (``conj`` is the identity on real data); this is what
  ``torch.autograd.grad(out, w, G)`` returns.

The formulas (``G4 = reshape(G, (p, s, q, t))``, row-major, for the ``n x D`` matrices), each
written in its function's home (:meth:`refimpl.functions.Function.vjp`):

===============================  ======================================================================
function                         VJP
===============================  ======================================================================
``duplicated_padding``           ``dW = sum_{k,l} G4[k, :, l, :]`` (every ``p*q`` block), ``dw = vec(dW)``
``duplicated_diagonal_padding``  ``dW = sum_{k < min(p,q)} G4[k, :, k, :]`` (the diagonal blocks only)
``dual_lphm``                    ``dA[i,j] = sum_ab G4[i,a,j,b] conj(B[a,b])``,
                                 ``dB[a,b] = sum_ij G4[i,a,j,b] conj(A[i,j])`` with ``A = P Q^T``,
                                 ``B = S T^T``; ``dP = dA conj(Q)``, ``dQ = dA^T conj(P)``,
                                 ``dS = dB conj(T)``, ``dT = dB^T conj(S)``;
                                 ``dw = [vec(dP) | vec(dQ) | vec(dS) | vec(dT)]``
``dual_lphm_fusion``             ``dX = G W^H`` split by the widths ``n_i`` into ``dA_i``;
                                 ``dW = sum over batch and rows of X^H G``, then ``dw`` is the
                                 ``dual_lphm`` VJP with cotangent ``dW``
``concatenation_fusion``         ``dX = G W^H`` as above, ``dw = vec(sum X^H G)``
===============================  ======================================================================
"""

from __future__ import annotations

from typing import Any

import array_api_compat
import array_api_compat.numpy as np_xp
import numpy as np

from .._outputs import to_numpy
from .._validation import RefimplError, check_parameter_vector
from ..functions import Function, get_function, leading_shape

__all__ = ["reference_vjp"]


# --- arguments ----------------------------------------------------------------------------


def _numeric(x: Any, name: str) -> np.ndarray:
    """``x`` as a NumPy array of a numeric dtype (float64 or complex128 later)."""
    a = to_numpy(x, name)
    if a.dtype.kind not in "biufc":
        raise TypeError(f"{name} must have a numeric dtype, got dtype {a.dtype}")
    return a


def _as_work_dtype(arrays: list[np.ndarray]) -> list[np.ndarray]:
    """All arrays in float64, or complex128 when any of them is complex."""
    dtype = np.complex128 if any(a.dtype.kind == "c" for a in arrays) else np.float64
    return [a.astype(dtype, copy=False) for a in arrays]


def _checked(
    spec: Function, config: Any, inputs: Any, cotangent: Any
) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """The normalized configuration, ``w`` as a vector and the cotangent, each checked."""
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict of {spec.config_keys}, got {type(config).__name__}")
    if not isinstance(inputs, dict) or "w" not in inputs:
        raise TypeError(f"inputs must be a dict with the key 'w', got {inputs!r:.80}")
    config = spec.normalize(config)  # validates the configuration
    expected = spec.output_shape(config)
    w = _numeric(inputs["w"], "w")
    G = _numeric(cotangent, "cotangent")
    if tuple(G.shape) != expected:
        raise RefimplError(
            f"cotangent must have the output's shape {expected} for {spec.describe(config)}, "
            f"got shape {tuple(G.shape)}"
        )
    shape = spec.shape(config)
    return config, check_parameter_vector(np_xp, w, shape), G


def _fusion_inputs(spec: Function, config: dict[str, Any], inputs: dict[str, Any]) -> list[np.ndarray]:
    """The fusion inputs ``A_1, ..., A_k`` as NumPy arrays of the configuration's shapes."""
    As = inputs.get("inputs")
    if As is None or array_api_compat.is_array_api_obj(As) or not isinstance(As, (list, tuple)):
        raise TypeError(
            f"inputs['inputs'] must be a list of arrays A_1..A_k for {spec.name}, got {type(As).__name__}"
        )
    As = [_numeric(a, f"inputs[{i}]") for i, a in enumerate(As)]
    wanted = [(*leading_shape(config), d) for d in config["dims"]]
    if [tuple(a.shape) for a in As] != wanted:
        raise RefimplError(
            f"inputs must have shapes {wanted} for {spec.describe(config)}, "
            f"got shapes {[tuple(a.shape) for a in As]}"
        )
    return As


# --- the public entry point ---------------------------------------------------------------


def reference_vjp(
    function: str, config: dict[str, Any], inputs: dict[str, Any], cotangent: Any
) -> dict[str, Any]:
    r"""The vector-Jacobian product of a function of SPEC, in float64 (complex128) NumPy.

    For ``out = f(w)`` (matrices) or ``out = f(w, A_1, ..., A_k)`` (fusions) and a cotangent
    ``G`` of ``out``'s shape, returns :math:`J^\top G` (real data) or :math:`J^H G` (complex
    data), what ``torch.autograd.grad(out, [w, *A], G)`` gives. The closed forms are in the
    table of :mod:`refimpl.oracle.gradients`.

    Parameters
    ----------
    function : str
        A name of ``refimpl.functions.FUNCTIONS``, e.g. ``"dual_lphm"``.
    config : dict
        The configuration in the oracle's convention (:mod:`refimpl.functions`); the
        defaults (``q = p``, the common input width for ``n``, ``batch = ()``) apply.
    inputs : dict
        ``{"w": w}`` for the matrices, ``{"w": w, "inputs": [A_1, ..., A_k]}`` for the fusions,
        arrays of any library or lists; ``w`` of shape ``(l,)`` or ``(1, l)``.
    cotangent : array_like
        ``G``, of the output's shape ``(n, D)`` or ``(*batch, m, n)``.

    Returns
    -------
    dict
        ``{"w": dw}``, and ``"inputs": [dA_1, ..., dA_k]`` for the fusions: NumPy arrays of the
        arguments' shapes, float64, or complex128 when any argument or the cotangent is complex.

    Raises
    ------
    RefimplError
        If ``function`` is unknown, the configuration is invalid, or an array does not have the
        configuration's shape (the message names both shapes).
    TypeError
        If an argument is not numeric or ``inputs`` is not the dict described.

    Examples
    --------
    Duplicated padding copies each entry of ``w`` into ``p*q`` places, so the gradient of
    ``sum(psi)`` is ``p*q`` everywhere:

    >>> import numpy as np
    >>> from refimpl.testing import reference_vjp
    >>> config = {"n": 4, "D": 6, "p": 2, "q": 3}
    >>> reference_vjp("duplicated_padding", config, {"w": np.arange(4.0)}, np.ones((4, 6)))
    {'w': array([6., 6., 6., 6.])}

    A fusion returns the gradients of ``w`` and of each input:

    >>> inputs = {"w": np.arange(6.0), "inputs": [np.ones((1, 1)), np.ones((1, 2))]}
    >>> grads = reference_vjp("concatenation_fusion", {"dims": [1, 2], "n": 2, "m": 1}, inputs, np.ones((1, 2)))
    >>> grads["w"], grads["inputs"]
    (array([1., 1., 1., 1., 1., 1.]), [array([[1.]]), array([[5., 9.]])])
    """
    spec = get_function(function)
    config, w, G = _checked(spec, config, inputs, cotangent)
    arrays = _fusion_inputs(spec, config, inputs) if spec.is_fusion else []
    w, G, *arrays = _as_work_dtype([w, G, *arrays])
    return spec.vjp(config, w, G, arrays)
