"""Hypothesis strategies for property tests of the functions of SPEC, in any array namespace.

For people testing their own implementation of these functions (and for refimpl's oracle):
valid configurations with the edge cases weighted in, invalid configurations paired with the
exception refimpl raises for them, parameter vectors and fusion inputs of a chosen dtype in a
chosen array namespace, and whole ``(config, inputs)`` cases.

Everything follows the conventions of :mod:`refimpl.functions`:

* a *config* is a dict of Python ints keyed by the function's ``config_keys``: ``n, D, p, q``
  for the paddings, ``n, D, p, q, r`` for ``dual_lphm``, ``dims, n, p, q, r, m, batch`` for
  ``dual_lphm_fusion`` and ``dims, n, m, batch`` for ``concatenation_fusion`` (``dims`` is a
  list of input widths, ``batch`` a tuple, ``m`` the number of input rows; ``n`` is ``None``
  only when all widths are equal, meaning "the common width");
* *inputs* is a dict: ``{"w": w}`` for the matrices, ``{"w": w, "inputs": [A_1, ..., A_k]}``
  for the fusions, ``A_i`` of shape ``batch + (m, n_i)``.

The edge cases each valid configuration may force are listed in
:mod:`refimpl.oracle.strategies._configurations`. Arrays come from :mod:`hypothesis.extra.numpy`
for NumPy (the default) and from :func:`hypothesis.extra.array_api.make_strategies_namespace` for
any other array-API namespace (``array_api_strict``, ``array_api_compat.torch``, ...).

The parts: the draws a seed fixes (integers and choices made of booleans) in ``_draws``; valid
configurations in ``_configurations``, invalid ones in ``_invalid``; arrays and whole cases in
``_arrays``.

This module imports Hypothesis, which is a test dependency: ``import refimpl`` does not import it.
"""

from ._arrays import MAX_MAGNITUDE, cases, fusion_inputs, parameter_vectors
from ._configurations import configs
from ._invalid import INVALID_KINDS, invalid_configs

__all__ = [
    "INVALID_KINDS",
    "MAX_MAGNITUDE",
    "cases",
    "configs",
    "fusion_inputs",
    "invalid_configs",
    "parameter_vectors",
]
