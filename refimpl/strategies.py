"""Hypothesis strategies for property tests of the functions of SPEC, in any array namespace.

Valid configurations with the edge cases weighted in, invalid configurations paired with the
exception refimpl raises for them, parameter vectors and fusion inputs of a chosen dtype in a
chosen array namespace, and whole ``(config, inputs)`` cases. The conventions (what a *config*
and *inputs* hold) are those of :mod:`refimpl.functions`.

This module only re-exports :mod:`refimpl.oracle.strategies`; it imports Hypothesis, a test
dependency: ``import refimpl`` does not import it.
"""

from .oracle.strategies import (
    INVALID_KINDS,
    MAX_MAGNITUDE,
    cases,
    configs,
    fusion_inputs,
    invalid_configs,
    parameter_vectors,
)

__all__ = [
    "INVALID_KINDS",
    "MAX_MAGNITUDE",
    "cases",
    "configs",
    "fusion_inputs",
    "invalid_configs",
    "parameter_vectors",
]
