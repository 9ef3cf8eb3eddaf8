"""The conformance oracle, for your tests: check another implementation against refimpl.

* :func:`assert_close_to_reference` judges one output, entry by entry, against a bound that
  follows from the arithmetic (see the oracle page of the docs);
* :func:`check` drives Hypothesis over valid configurations with a candidate implementation,
  shrinks a failure to a minimal configuration, and diagnoses it;
* :func:`diagnose` names the catalogued mistake a wrong output reproduces;
* :func:`check_matrix` compares a matrix too large to materialise with refimpl's structured
  operator through random probe vectors;
* :func:`reference_vjp` gives the reference gradients.

This module only re-exports: the oracle lives in :mod:`refimpl.oracle`.
"""

from .oracle.check import (
    CaseResult,
    CheckReport,
    ConformanceError,
    ProbeReport,
    assert_close_to_reference,
    check,
    check_matrix,
)
from .oracle.diagnosis import Diagnosis, diagnose
from .oracle.gradients import reference_vjp

__all__ = [
    "CaseResult",
    "CheckReport",
    "ConformanceError",
    "Diagnosis",
    "ProbeReport",
    "assert_close_to_reference",
    "check",
    "check_matrix",
    "diagnose",
    "reference_vjp",
]
