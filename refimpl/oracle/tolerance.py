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
added, and callers may scale the bound. Results near underflow are allowed
:math:`K` times the smallest normal number of the candidate's dtype on top.

This module is the one home of the rule: :func:`gamma` is the only :math:`\gamma_K`,
:func:`error_bound` the only way :math:`\gamma_K`, the reference's error and the underflow
allowance are put together, and the ``*_rounding_count`` functions give every :math:`K` the
oracle uses (outputs, probe products :math:`Mv` in :func:`refimpl.testing.check_matrix`,
gradients in :func:`refimpl.testing.check`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from .._validation import RefimplError
from .adapters import to_numpy
from .registry import FunctionSpec, get_spec

__all__ = [
    "ErrorBound",
    "Judgement",
    "Reference",
    "error_bound",
    "expected_and_bound",
    "gamma",
    "gradient_rounding_count",
    "judge",
    "probe_rounding_count",
    "result_dtype",
    "rounding_count",
    "unit_roundoff",
    "wide",
]


# -- the rule --------------------------------------------------------------------------------


def gamma(K: int, u: float) -> float:
    r""":math:`\gamma_K(u) = K u / (1 - K u)`, Higham's bound on ``K`` roundings of unit roundoff ``u``.

    Examples
    --------
    >>> from refimpl.oracle.tolerance import gamma
    >>> gamma(0, 2.0**-24), round(gamma(7, 2.0**-24) / (7 * 2.0**-24), 6)
    (0.0, 1.0)
    """
    if K * u >= 0.5:
        raise RefimplError(
            f"a sum this long (K={K} roundings) leaves no significant digit at unit roundoff {u:.3g}"
        )
    return K * u / (1 - K * u)


def unit_roundoff(dtype: Any) -> float:
    """Half the machine epsilon of ``dtype`` (of its real part for complex dtypes)."""
    return float(np.finfo(np.dtype(dtype)).eps) / 2


class ErrorBound(NamedTuple):
    """The allowed error of an entry as a function of its magnitude: ``gamma * magnitude + tiny``."""

    gamma: float
    tiny: float

    def __call__(self, magnitude: Any) -> Any:
        return self.gamma * magnitude + self.tiny


def error_bound(K: int, dtype: Any, *, scale: float = 1.0) -> ErrorBound:
    r"""The oracle's rule for a candidate in ``dtype`` against a float64 reference, ``K`` roundings.

    :math:`\gamma_K(u) + \gamma_K(2^{-53})` times the magnitude (the candidate's rounding and
    the reference's own), plus ``K`` smallest normal numbers of ``dtype`` for results near
    underflow; ``scale`` multiplies both.

    Examples
    --------
    >>> from refimpl.oracle.tolerance import error_bound
    >>> bound = error_bound(7, "float32")
    >>> f"{bound(192.0):.3g}"
    '8.01e-05'
    """
    tiny = K * float(np.finfo(np.dtype(dtype)).smallest_normal)
    return ErrorBound(scale * (gamma(K, unit_roundoff(dtype)) + gamma(K, unit_roundoff(np.float64))), scale * tiny)


def _complex(K: int, complex_data: bool) -> int:
    """Complex data double ``K``: a complex product costs up to about three real roundings."""
    return 2 * K if complex_data else K


def _rank(spec: FunctionSpec, config: dict[str, Any]) -> int:
    """``r`` of a Dual-LPHM configuration; 0 for the functions without factors."""
    shape = spec.shape(config)
    return getattr(getattr(shape, "weight", shape), "r", 0)


def rounding_count(spec: FunctionSpec, config: dict[str, Any], *, complex_data: bool) -> int:
    """:math:`K` of the module docstring's table, for one output entry."""
    if spec.exact:
        return 0
    r = _rank(spec, config)
    if spec.name == "dual_lphm":
        return _complex(2 * r + 5, complex_data)
    N = spec.shape(config).N
    return _complex(N + 2 if spec.name == "concatenation_fusion" else N + 2 * r + 6, complex_data)


def probe_rounding_count(spec: FunctionSpec, config: dict[str, Any], *, complex_data: bool) -> int:
    """:math:`K` of an entry of :math:`M v`: an entry's own :math:`K` and a ``D``-term sum."""
    return rounding_count(spec, config, complex_data=complex_data) + _complex(config["D"], complex_data)


def gradient_rounding_count(spec: FunctionSpec, config: dict[str, Any], *, complex_data: bool) -> int:
    """:math:`K` of a gradient entry: a sum over at most every output entry of products of the factors."""
    entries = int(np.prod(spec.output_shape(config)))
    return _complex(entries + 2 * _rank(spec, config) + 8, complex_data)


# -- the reference and its bound -------------------------------------------------------------


def wide(a: Any) -> np.ndarray:
    """``a`` (of any array library) in float64, or complex128 for complex data; integers and bools too."""
    a = to_numpy(a)
    return a.astype(np.complex128 if np.iscomplexobj(a) else np.float64)


def _inputs_as(inputs: dict[str, Any], convert: Any) -> dict[str, Any]:
    out = {"w": convert(inputs["w"])}
    if "inputs" in inputs:
        out["inputs"] = [convert(a) for a in inputs["inputs"]]
    return out


class Reference(NamedTuple):
    """What a candidate's output is judged against: the float64 value, each entry's allowed error, ``K``."""

    expected: np.ndarray
    bound: np.ndarray
    K: int


def expected_and_bound(
    function: str | FunctionSpec, config: dict[str, Any], inputs: dict[str, Any], dtype: Any, *, scale: float = 1.0
) -> Reference:
    """The float64 reference, the allowed error of each entry for a candidate in ``dtype``, and ``K``.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl.oracle.tolerance import expected_and_bound
    >>> config = {"n": 4, "D": 4, "p": 2, "q": 2, "r": 1}
    >>> ref = expected_and_bound("dual_lphm", config, {"w": np.arange(1.0, 9.0)}, "float32")
    >>> float(ref.expected[1, 3]), f"{ref.bound[1, 3]:.3g}", ref.K
    (192.0, '8.01e-05', 7)
    """
    spec = get_spec(function)
    given = _inputs_as(inputs, wide)
    expected = to_numpy(spec.call(config, given))
    if spec.exact:  # copies of w: exact, or one rounding into a narrower dtype
        if np.finfo(np.dtype(dtype)).eps <= np.finfo(result_dtype(inputs)).eps:
            return Reference(expected, np.zeros(expected.shape), 0)
        bound = scale * gamma(1, unit_roundoff(dtype)) * np.abs(expected)
        return Reference(expected, np.nan_to_num(bound, nan=0.0, posinf=0.0), 1)
    K = rounding_count(spec, config, complex_data=np.iscomplexobj(expected))
    magnitude = to_numpy(spec.call(config, _inputs_as(given, np.abs)))
    return Reference(expected, error_bound(K, dtype, scale=scale)(magnitude), K)


def result_dtype(inputs: dict[str, Any]) -> np.dtype:
    """The dtype refimpl gives for these inputs: the promotion of the floating ones (float64 if none).

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl.oracle.tolerance import result_dtype
    >>> result_dtype({"w": np.ones(2, np.float32), "inputs": [np.ones((1, 2), np.int64)]})
    dtype('float32')
    """
    dtypes = [to_numpy(a).dtype for a in (inputs["w"], *inputs.get("inputs", []))]
    floating = [d for d in dtypes if d.kind in "fc"]
    return np.result_type(*floating) if floating else np.dtype(np.float64)


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
