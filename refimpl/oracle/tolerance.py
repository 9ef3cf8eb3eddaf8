r"""The tolerance rule of the oracle, and the entry-by-entry judgement of a candidate.

The expected value is computed in float64 (complex128) from the candidate's own inputs, so it
is the exact answer up to float64 rounding. A correct candidate working in a dtype of unit
roundoff :math:`u` differs from it by rounding alone, and the classical bound for a sum of
products (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., section 3.1) is

.. math::

    |\hat y - y| \le \gamma_K \, \tilde y, \qquad \gamma_K = \frac{K u}{1 - K u},

where :math:`\tilde y` is the same computation done on the absolute values of the inputs and
:math:`K` bounds the number of roundings any one term of the sum goes through:

======================================  ======================================================
function                                :math:`K` (real data)
======================================  ======================================================
duplicated (diagonal) padding           0: entries are copied, the check is exact (1 if the
                                        candidate's dtype is less precise than its inputs')
``dual_lphm``                           :math:`2r + 5`: two ``r``-term sums of products, one
                                        product of the two, and 4 input roundings
``concatenation_fusion``                :math:`N + 2`: an ``N``-term sum of products, 2 input
                                        roundings
``dual_lphm_fusion``                    :math:`N + 2r + 6`: the ``N``-term sum, the weight's
                                        :math:`2r + 1`, and 5 input roundings
======================================  ======================================================

Any order of summation keeps each term's chain of roundings within these counts (the
structured orders sum over ``s`` then ``p`` entries, ``s + p <= N``), so a correct candidate
never fails on rounding. Complex data double :math:`K` (a complex product costs up to about
three real roundings). The reference's own float64 error, :math:`\gamma_K(2^{-53})\tilde y`, is
added, and callers may scale the bound.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .adapters import to_numpy
from .registry import FunctionSpec, get_spec
from .._validation import RefimplError

__all__ = ["Judgement", "expected_and_bound", "judge", "rounding_count", "to_numpy"]


def _wide(a: np.ndarray) -> np.ndarray:
    """``a`` in float64 (complex128 for complex data); integers and bools become float64."""
    return a.astype(np.complex128 if np.iscomplexobj(a) else np.float64)


def _inputs_as(inputs: dict[str, Any], convert: Any) -> dict[str, Any]:
    out = {"w": convert(inputs["w"])}
    if "inputs" in inputs:
        out["inputs"] = [convert(a) for a in inputs["inputs"]]
    return out


def rounding_count(spec: FunctionSpec, config: dict[str, Any], *, complex_data: bool) -> int:
    """:math:`K` of the module docstring's table."""
    if spec.exact:
        return 0
    r = config.get("r", 0)
    if spec.name == "dual_lphm":
        K = 2 * r + 5
    else:
        N = sum(config["dims"])
        K = N + 2 if spec.name == "concatenation_fusion" else N + 2 * r + 6
    return 2 * K if complex_data else K


def _gamma(K: int, u: float) -> float:
    if K * u >= 0.5:
        raise RefimplError(
            f"a sum this long (K={K} roundings) leaves no significant digit at unit roundoff {u:.3g}"
        )
    return K * u / (1 - K * u)


def unit_roundoff(dtype: Any) -> float:
    """Half the machine epsilon of ``dtype`` (of its real part for complex dtypes)."""
    return float(np.finfo(np.dtype(dtype)).eps) / 2


def expected_and_bound(
    function: str | FunctionSpec, config: dict[str, Any], inputs: dict[str, Any], dtype: Any, *, scale: float = 1.0
) -> tuple[np.ndarray, np.ndarray, int]:
    """The float64 reference, the allowed error of each entry for a candidate in ``dtype``, and ``K``."""
    spec = get_spec(function)
    wide = _inputs_as(inputs, lambda a: _wide(to_numpy(a)))
    expected = to_numpy(spec.call(config, wide))
    complex_data = np.iscomplexobj(expected)
    K = rounding_count(spec, config, complex_data=complex_data)
    u = unit_roundoff(dtype)
    if spec.exact:
        given = np.result_type(*[to_numpy(a).dtype for a in [inputs["w"]]])
        narrower = np.finfo(np.dtype(dtype)).eps > np.finfo(given if given.kind in "fc" else np.float64).eps
        bound = u * np.abs(expected) * scale if narrower else np.zeros(expected.shape)
        return expected, np.nan_to_num(bound, posinf=0.0), 1 if narrower else 0
    magnitude = to_numpy(spec.call(config, _inputs_as(wide, np.abs)))
    gamma = _gamma(K, u) + _gamma(K, unit_roundoff(np.float64))
    tiny = K * float(np.finfo(np.dtype(dtype)).smallest_normal)  # results near underflow
    return expected, scale * (gamma * magnitude + tiny), K


@dataclass
class Judgement:
    """The verdict on one candidate output: what is wrong, and the worst entry."""

    passed: bool
    problem: str = ""  # shape, dtype or non-finite placement: a structural problem
    wrong: int = 0
    total: int = 0
    worst: dict[str, Any] = field(default_factory=dict)
    K: int = 0
    exact: bool = False

    def summary(self) -> str:
        if self.passed:
            return "pass"
        if self.problem:
            return self.problem
        w = self.worst
        return (
            f"{self.wrong} of {self.total} entries are off; worst: entry {w['index']}: "
            f"expected {w['expected']!r}, actual {w['actual']!r}, error {w['error']:.3g}, "
            f"allowed {w['allowed']:.3g}"
        )


def judge(actual: Any, expected: np.ndarray, bound: np.ndarray, *, dtype: Any, K: int = 0, exact: bool = False) -> Judgement:
    """Compare ``actual`` with ``expected`` entry by entry: shape, dtype and non-finite placement exactly."""
    a = to_numpy(actual)
    if a.shape != expected.shape:
        return Judgement(False, f"shape {a.shape}, expected {expected.shape}", K=K, exact=exact)
    if a.dtype != np.dtype(dtype):
        return Judgement(False, f"dtype {a.dtype}, expected {np.dtype(dtype)}", K=K, exact=exact)
    total = expected.size
    parts = ((".real", np.real), (".imag", np.imag)) if np.iscomplexobj(expected) or np.iscomplexobj(a) else (("", np.real),)
    for part, take in parts:
        for name, where in (("nan", np.isnan), ("+inf", np.isposinf), ("-inf", np.isneginf)):
            e, c = where(take(expected)), where(take(a))
            if np.any(e != c):
                index = tuple(int(i) for i in np.argwhere(e != c)[0])
                return Judgement(
                    False,
                    f"{name} placement{' in the ' + part[1:] + ' part' if part else ''} differs: entry {index} is "
                    f"{a[index].item()!r}, expected {expected[index].item()!r}",
                    wrong=int(np.count_nonzero(e != c)), total=total, K=K, exact=exact,
                )
    finite = np.isfinite(expected)
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf where both are inf: not compared
        error = np.where(finite, np.abs(a.astype(expected.dtype) - expected), 0.0)
    over = error > bound
    if not np.any(over):
        return Judgement(True, wrong=0, total=total, K=K, exact=exact)
    excess = np.where(over, error - bound, -np.inf)
    index = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), expected.shape))
    worst = {
        "index": index,
        "expected": expected[index].item(),
        "actual": a[index].item(),
        "error": float(error[index]),
        "allowed": float(bound[index]),
    }
    return Judgement(False, wrong=int(np.count_nonzero(over)), total=total, worst=worst, K=K, exact=exact)
