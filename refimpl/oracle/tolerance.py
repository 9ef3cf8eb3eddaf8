r"""The tolerance rule of the oracle, and the judgement of a candidate's output.

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

Non-finite values (the docs' conventions page, "Non-finite values"): the padding functions are
exact, every ``nan``, ``inf`` and ``-inf`` where the reference has it; for the functions that
multiply and add, only the *set* of non-finite entries is judged, the set where a term of the
defining sum has a non-finite factor, which no order of evaluation changes.
:func:`judge_output` is the one entry point for a candidate's output: it reads any library and
layout (:func:`refimpl._outputs.read_output`), judges a sparse diagonal padding's stored
entries (SPEC section 2) before its values, and applies :func:`disagreeing`, the entry-by-entry
rule the diagnosis uses too. That rule and the verdict it gives (:func:`judge`,
:class:`Judgement`) are written in :mod:`refimpl.oracle.judgement`, and re-exported here.

This module is the one home of the rule: :func:`gamma` is the only :math:`\gamma_K`,
:func:`error_bound` the only way :math:`\gamma_K`, the reference's error and the underflow
allowance are put together, and the ``*_rounding_count`` functions give every :math:`K` the
oracle uses (outputs, probe products :math:`Mv` in :func:`refimpl.testing.check_matrix`,
gradients in :func:`refimpl.testing.check`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._outputs import UnreadableOutput, read_counted, to_numpy
from .._validation import RefimplError
from ..functions import Function, get_function
from .judgement import Judgement, disagreeing, judge

__all__ = [
    "ErrorBound",
    "Judgement",
    "Reference",
    "disagreeing",
    "error_bound",
    "expected_and_bound",
    "gamma",
    "gradient_rounding_count",
    "judge",
    "judge_clauses",
    "judge_output",
    "output_bound",
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
    """The oracle's one bound: the allowed error of an entry as a function of its magnitude,
    ``gamma * magnitude + tiny``, for ``K`` roundings.

    Every comparison of the oracle takes its bound from here: an output (:func:`output_bound`,
    :func:`expected_and_bound`), the diagnosis' mistaken outputs, the second call of a
    candidate (twice the bound), the probes of :func:`refimpl.testing.check_matrix` and the
    gradients (:func:`error_bound` with their ``K``), and the golden vectors.
    """

    gamma: float
    tiny: float
    K: int = 0

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
    return ErrorBound(
        scale * (gamma(K, unit_roundoff(dtype)) + gamma(K, unit_roundoff(np.float64))), scale * tiny, K
    )


def output_bound(
    spec: Function, config: dict[str, Any], inputs: dict[str, Any], dtype: Any, *, scale: float = 1.0
) -> ErrorBound:
    """The bound on an output entry of ``spec`` for a candidate in ``dtype``, as a function of the
    entry's magnitude.

    An exact function (its entries are copies of ``w``'s) allows no error, or one rounding into
    a ``dtype`` narrower than its inputs' (the magnitude is then the entry itself); the others
    :func:`error_bound` with the function's ``K`` (the magnitude is the computation on
    ``|inputs|``).

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl.functions import get_function
    >>> from refimpl.oracle.tolerance import output_bound
    >>> output_bound(get_function("duplicated_padding"), {"n": 2, "D": 2, "p": 1}, {"w": np.ones(4)}, "float32")
    ErrorBound(gamma=5.960464832810452e-08, tiny=0.0, K=1)
    """
    if spec.exact:
        if np.finfo(np.dtype(dtype)).eps <= np.finfo(result_dtype(inputs)).eps:
            return ErrorBound(0.0, 0.0, 0)
        return ErrorBound(scale * gamma(1, unit_roundoff(dtype)), 0.0, 1)
    arrays = [to_numpy(x) for x in [inputs["w"], *inputs.get("inputs", [])]]
    K = rounding_count(spec, config, complex_data=any(np.iscomplexobj(x) for x in arrays))
    return error_bound(K, dtype, scale=scale)


def _complex(K: int, complex_data: bool) -> int:
    """Complex data double ``K``: a complex product costs up to about three real roundings."""
    return 2 * K if complex_data else K


def rounding_count(spec: Function, config: dict[str, Any], *, complex_data: bool) -> int:
    """:math:`K` of the module docstring's table, for one output entry (the function's own count,
    :meth:`refimpl.functions.Function.rounding_count`, doubled for complex data)."""
    return _complex(spec.rounding_count(spec.normalize(config)), complex_data)


def probe_rounding_count(spec: Function, config: dict[str, Any], *, complex_data: bool) -> int:
    """:math:`K` of an entry of :math:`M v`: an entry's own :math:`K` and a ``D``-term sum."""
    return rounding_count(spec, config, complex_data=complex_data) + _complex(config["D"], complex_data)


def gradient_rounding_count(spec: Function, config: dict[str, Any], *, complex_data: bool) -> int:
    """:math:`K` of a gradient entry: a sum over at most every output entry of products of the factors."""
    entries = int(np.prod(spec.output_shape(config)))
    return _complex(entries + 2 * int(spec.normalize(config).get("r", 0)) + 8, complex_data)


# -- the reference and its bound -------------------------------------------------------------


def wide(a: Any) -> np.ndarray:
    """``a`` (of any array library) in float64, or complex128 for complex data; integers and bools too."""
    array = to_numpy(a)
    return array.astype(np.complex128 if np.iscomplexobj(array) else np.float64, copy=False)


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
    function: str | Function,
    config: dict[str, Any],
    inputs: dict[str, Any],
    dtype: Any,
    *,
    scale: float = 1.0,
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
    spec = get_function(function)
    given = _inputs_as(inputs, wide)
    with np.errstate(invalid="ignore", over="ignore"):  # 0 * inf and inf - inf are the formula's own
        expected = to_numpy(spec.call(config, given))
    rule = output_bound(spec, config, inputs, dtype, scale=scale)
    if spec.exact:  # copies of w: exact, or one rounding into a narrower dtype
        if rule.K == 0:
            return Reference(expected, np.zeros(expected.shape), 0)
        with np.errstate(invalid="ignore"):
            bound = np.nan_to_num(rule(np.abs(expected)), nan=0.0, posinf=0.0)
        return Reference(expected, bound, rule.K)
    with np.errstate(invalid="ignore", over="ignore"):
        magnitude = to_numpy(spec.call(config, _inputs_as(given, np.abs)))
    return Reference(_nonfinite_marked(spec, config, given, expected), rule(magnitude), rule.K)


def _nonfinite_marked(
    spec: Function, config: dict[str, Any], given: dict[str, Any], expected: np.ndarray
) -> np.ndarray:
    """``expected``, ``nan`` wherever a term of the defining sum has a non-finite factor.

    The formula evaluated on markers (1 for a finite entry, ``inf`` for a non-finite one) is
    ``inf`` exactly there, in every order of evaluation (no ``0 * inf``, no ``inf - inf``, no
    overflow). That set is the contract of the multiplying functions; it is the set of the
    float64 reference too unless finite values overflow, which stays non-finite here.
    """
    arrays = [given["w"], *given.get("inputs", [])]
    if all(np.isfinite(a).all() for a in arrays):
        return expected
    markers = _inputs_as(given, lambda a: np.where(np.isfinite(a), 1.0, np.inf))
    with np.errstate(invalid="ignore", over="ignore"):  # BLAS may raise the flag on inf alone
        marker = to_numpy(spec.call(config, markers))
    return np.where(np.isinf(marker) & np.isfinite(expected), np.nan, expected)


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


# -- the judgement of an output --------------------------------------------------------------


def judge_output(
    actual: Any,
    spec: str | Function,
    config: dict[str, Any],
    inputs: dict[str, Any],
    dtype: Any,
    *,
    scale: float = 1.0,
) -> Judgement:
    """The oracle's verdict on a candidate's output for ``spec`` at ``config`` and ``inputs``.

    The one entry point: the output is read by :func:`refimpl._outputs.read_output`
    (any library, any layout; an output that is no array is a verdict), a sparse output's
    structure is judged first (for ``duplicated_diagonal_padding``, SPEC section 2: stored
    entries only inside the ``min(p, q)`` diagonal blocks, at most ``min(p, q) * s * t`` of
    them), then its shape, its dtype against ``dtype``, its non-finite entries and its values
    (:func:`disagreeing`; the bound of :func:`expected_and_bound`, times ``scale``).

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from refimpl.oracle.tolerance import judge_output
    >>> config = {"n": 4, "D": 4, "p": 2, "q": 2}
    >>> w = np.arange(1.0, 5.0)
    >>> right = np.kron(np.eye(2), w.reshape(2, 2))
    >>> judge_output(sp.csr_array(right), "duplicated_diagonal_padding", config, {"w": w}, "float64").passed
    True
    >>> every = sp.csr_array((right.ravel(), np.tile(np.arange(4), 4), np.arange(0, 17, 4)), shape=(4, 4))
    >>> print(judge_output(every, "duplicated_diagonal_padding", config, {"w": w}, "float64").summary())
    the scipy csr_array stores 8 of its 16 entries outside the diagonal blocks (SPEC section 2: only inside the min(p, q) = 2 diagonal blocks of 2 x 2), the first at entry (0, 2), in block (0, 1)
    """
    spec = get_function(spec)
    try:
        out, count = read_counted(actual)
    except UnreadableOutput as exc:
        return Judgement(
            False, str(exc), K=rounding_count(spec, config, complex_data=False), exact=spec.exact
        )
    expected, bound, K = expected_and_bound(spec, config, inputs, dtype, scale=scale)
    if out.stored is not None and out.dense.shape == expected.shape:
        problem = spec.structure_problem(out.stored, count, out.layout, spec.normalize(config))
        if problem:
            return Judgement(False, problem, K=K, exact=spec.exact, layout=out.layout)
    verdict = judge(out.dense, expected, bound, dtype=dtype, K=K, exact=spec.exact)
    verdict.layout = out.layout
    return verdict


def judge_clauses(
    actual: Any, spec: str | Function, config: dict[str, Any], inputs: dict[str, Any], dtype: Any
) -> dict[str, Judgement]:
    """One verdict per clause of an output (SPEC, "What a check judges"): ``"values"``,
    ``"shape"``, ``"dtype"`` and, for a sparse output, ``"structure"``; none hides another.

    The values are judged whatever the shape and the dtype say: an output of the right size whose
    shape differs only by axes of length 1 is compared entry by entry in the reference's shape,
    and the bound is that of the least precise of the output's dtype, ``dtype`` and the inputs'
    floating dtypes (a float32 output where float64 is due fails the dtype clause, not the values). A clause that cannot be
    judged on this output is absent: the values of an output of another size, the structure of
    a dense output. An output that is no array of numbers fails the values clause.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl.oracle.tolerance import judge_clauses
    >>> w = np.arange(1.0, 5.0)
    >>> right = np.tile(w.reshape(2, 2), (1, 1))
    >>> verdicts = judge_clauses(right.astype(np.float32)[None], "duplicated_padding", {"n": 2, "D": 2, "p": 1}, {"w": w}, "float64")
    >>> {name: v.passed for name, v in verdicts.items()}
    {'shape': False, 'dtype': False, 'values': True}
    """
    spec = get_function(spec)
    try:
        out, count = read_counted(actual)
    except UnreadableOutput as exc:
        return {"values": Judgement(False, str(exc), exact=spec.exact)}
    a, verdicts = out.dense, {}
    numbers = a.dtype.kind in "biufc"
    # the bound of the least precise of the output's dtype, the due one and the inputs' (a candidate
    # may compute a product of float32 factors in float32 before it meets float64 data)
    given = [to_numpy(x).dtype for x in (inputs["w"], *inputs.get("inputs", []))]
    rough = max([np.dtype(dtype), *(d for d in [a.dtype, *given] if d.kind in "fc")], key=unit_roundoff)
    expected, bound, K = expected_and_bound(spec, config, inputs, rough)
    if out.stored is not None and a.shape == expected.shape:
        problem = spec.structure_problem(out.stored, count, out.layout, spec.normalize(config))
        verdicts["structure"] = Judgement(not problem, problem, K=K, exact=spec.exact, layout=out.layout)
    verdicts["shape"] = Judgement(
        a.shape == expected.shape,
        "" if a.shape == expected.shape else f"shape {a.shape}, expected {expected.shape}",
    )
    if numbers:
        same = a.dtype == np.dtype(dtype)
        verdicts["dtype"] = Judgement(same, "" if same else f"dtype {a.dtype}, expected {np.dtype(dtype)}")
    if a.size == expected.size and _squeezed(a.shape) == _squeezed(expected.shape):
        verdicts["values"] = judge(
            a.reshape(expected.shape), expected, bound, dtype=a.dtype, K=K, exact=spec.exact
        )
        verdicts["values"].layout = out.layout
    return verdicts


def _squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(d for d in shape if d != 1)
