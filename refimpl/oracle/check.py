"""The conformance oracle's checks of outputs: one output, or a candidate over many cases.

* :func:`assert_close_to_reference` judges one output, entry by entry, against a bound that
  follows from the arithmetic (:mod:`refimpl.oracle.tolerance`);
* :func:`check` drives Hypothesis over valid configurations with a candidate implementation,
  shrinks a failure to a minimal configuration, and diagnoses it
  (:func:`refimpl.oracle.diagnosis.diagnose`).

How a candidate is called lives in :mod:`refimpl.oracle._candidates`, the reports in
:mod:`refimpl.oracle._reports`, the probe check of huge matrices in
:mod:`refimpl.oracle._probes`. Hypothesis is needed by :func:`check` only
(``pip install refimpl[test]``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np

from ._candidates import Runner, adapt, backend_namespace, candidate_vjp, in_backend
from ._reports import CaseResult, CheckReport, ConformanceError, failure_message
from .adapters import to_numpy
from .diagnosis import Diagnosis, diagnose
from .gradients import reference_vjp
from .registry import FunctionSpec, bind, get_spec
from .tolerance import (
    Judgement,
    error_bound,
    expected_and_bound,
    gradient_rounding_count,
    judge,
    result_dtype,
    wide,
)

__all__ = ["assert_close_to_reference", "check"]


def assert_close_to_reference(
    actual: Any, function: str | Callable[..., Any], *args: Any, scale: float = 1.0, seed: Any = None, **kwargs: Any
) -> None:
    r"""Assert that ``actual`` is refimpl's value of ``function(*args, **kwargs)`` up to rounding.

    The expected value is computed in float64 (complex128) from the same inputs. Each entry
    of ``actual`` may differ from it by at most :math:`\gamma_K(u)\,\tilde y`, where
    :math:`u` is the unit roundoff of ``actual``'s dtype, :math:`K` the number of roundings
    a term of the defining sum can go through, and :math:`\tilde y` the same computation on the
    absolute values of the inputs (the docs' oracle page derives it). The padding functions
    only copy entries of ``w``: their check is exact. Shape, dtype and the placement of
    ``nan`` and ``inf`` are checked exactly.

    Parameters
    ----------
    actual : array or sparse matrix
        The candidate's output, from any array library.
    function : str or callable
        A refimpl function (``refimpl.dual_lphm``) or its name (``"dual_lphm"``).
    *args, **kwargs
        The arguments of that function, exactly as refimpl takes them.
    scale : float, default 1.0
        A factor on the bound.
    seed : optional
        Printed in the failure message, to reproduce the inputs.

    Raises
    ------
    ConformanceError
        An ``AssertionError`` whose message says how many entries are off, the worst one
        (index, expected, actual, error, allowed error), the configuration and the seed.

    Examples
    --------
    >>> import numpy as np
    >>> import refimpl
    >>> from refimpl.testing import assert_close_to_reference
    >>> w = np.arange(1.0, 9.0, dtype=np.float32)
    >>> assert_close_to_reference(refimpl.dual_lphm(w, 4, 4, 2, 2, 1), "dual_lphm", w, 4, 4, 2, 2, 1)
    >>> wrong = refimpl.dual_lphm(w, 4, 4, 2, 2, 1).T
    >>> try:
    ...     assert_close_to_reference(wrong, "dual_lphm", w, 4, 4, 2, 2, 1)
    ... except AssertionError as exc:
    ...     print(str(exc).splitlines()[0])
    dual_lphm(n=4, D=4, p=2, q=2, r=1), float32: 12 of 16 entries are off
    """
    spec = get_spec(getattr(function, "__name__", function))
    config, inputs = bind(spec, args, kwargs)
    dtype = result_dtype(inputs)
    expected, bound, K = expected_and_bound(spec, config, inputs, dtype, scale=scale)
    verdict = judge(actual, expected, bound, dtype=dtype, K=K, exact=spec.exact)
    if not verdict.passed:
        raise ConformanceError(failure_message(spec, config, dtype, verdict, seed, None), verdict)


def check(
    candidate: Any, function: str, *, examples: int = 100, seed: int = 0, backend: str = "numpy",
    grad: bool = False, dtypes: Sequence[str] = ("float64", "float32"), max_side: int = 4,
    target: str | None = None, config: dict[str, Any] | None = None, raise_on_failure: bool | None = None,
    progress: Callable[[int, CaseResult], None] | None = None,
) -> CheckReport:
    """Check a candidate implementation against refimpl over generated configurations.

    Hypothesis draws valid configurations (the edge cases weighted in) and inputs in each
    dtype, calls the candidate, judges its output with :func:`assert_close_to_reference`'s
    rule, and on a failure shrinks to a minimal configuration and diagnoses it.

    Parameters
    ----------
    candidate : callable or class
        A function with refimpl's signature for ``function`` (``f(w, n, D, p, q)``, ...) or a
        tinybig-style class (constructed with the configuration; ``calculate_l``, ``forward``).
    function : str
        The refimpl function it implements.
    examples : int, default 100
        Configurations to try.
    seed : int, default 0
        Hypothesis's seed: the same seed tries the same cases.
    backend : {"numpy", "torch", "cupy", "jax", "array_api_strict"}, default "numpy"
        The array library the candidate's inputs are given in.
    grad : bool, default False
        Also check the candidate's gradients (PyTorch or JAX) against :func:`reference_vjp`.
    dtypes : sequence of str, default ("float64", "float32")
        The dtypes to try.
    max_side : int, default 4
        The largest ``p, q, s, t`` and input width drawn.
    target : str, optional
        How to name the candidate in the report (``"module:callable"``).
    config : dict, optional
        Try only this configuration (inputs drawn from ``seed``), as a failure's reproduction does.
    raise_on_failure : bool, optional
        Raise :class:`ConformanceError` on failure; by default only when running under pytest.
    progress : callable, optional
        Called as ``progress(i, case)`` after each case.

    Returns
    -------
    CheckReport
        Every case tried, and the minimal failure with its diagnosis.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl.testing import check
    >>> def mine(w, n, D, p, q):   # an independent duplicated padding
    ...     return np.block([[np.reshape(w, (n // p, D // q))] * q] * p)
    >>> check(mine, "duplicated_padding", examples=20, raise_on_failure=False).passed
    True
    """
    spec = get_spec(function)
    name, target = _names(candidate, target)
    search = _Search(spec, adapt(candidate, spec), backend_namespace(backend), backend, grad)
    report = search.report(name, target, examples=examples, seed=seed, dtypes=dtypes, max_side=max_side,
                           config=config, progress=progress)
    if report.failure and (raise_on_failure or (raise_on_failure is None and _under_pytest())):
        raise ConformanceError(str(report), report)
    return report


def _names(candidate: Any, target: str | None) -> tuple[str, str | None]:
    """The candidate's name in the report, and its importable name (``None`` when it has none)."""
    qualname = getattr(candidate, "__qualname__", repr(candidate))
    module = getattr(candidate, "__module__", "?")
    name = target or f"{module}:{qualname}"
    if target is None and "<locals>" not in qualname and module not in ("__main__", "?"):
        target = name  # importable: the reproduction line can be a CLI command
    return name, target


def _under_pytest() -> bool:
    return "PYTEST_CURRENT_TEST" in os.environ


class _Outcome(NamedTuple):
    """One case as run: its result, the inputs it was drawn with, the candidate's output (if any)."""

    case: CaseResult
    inputs: dict[str, Any]
    actual: Any


@dataclass(frozen=True)
class _Search:
    """A candidate, adapted, with the array library and the checks it is run under."""

    spec: FunctionSpec
    run_candidate: Runner
    xp: ModuleType
    backend: str
    grad: bool

    def report(self, name: str, target: str | None, *, seed: int, config: dict[str, Any] | None, **options: Any) -> CheckReport:
        """Search, then diagnose and describe the minimal failure, if any."""
        report = CheckReport(function=self.spec.name, target=name, seed=seed)
        failures = self.run(report, seed=seed, config=None if config is None else dict(config), **options)
        if failures:
            report.diagnosis = _diagnose_failures(self.spec, failures)
            report.failure = _failure_text(self.spec, failures[-1], seed, target, report.diagnosis)
        return report

    def run(self, report: CheckReport, *, examples: int, seed: int, dtypes: Sequence[str], max_side: int,
            config: dict[str, Any] | None, progress: Callable[[int, CaseResult], None] | None) -> list[_Outcome]:
        """Let Hypothesis search for a failing case; the failures seen, the shrunk one last."""
        try:
            from hypothesis import HealthCheck, Phase, given, settings
            from hypothesis import seed as hypothesis_seed
            from hypothesis import strategies as st
        except ImportError as exc:  # pragma: no cover
            raise ImportError("refimpl.testing.check needs Hypothesis: pip install refimpl[test]") from exc
        from . import strategies as rs

        spec, failures = self.spec, []
        configs = st.just(config) if config is not None else rs.configs(spec.name, max_side=max_side)

        @settings(max_examples=examples, database=None, deadline=None, derandomize=False,
                  suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink])
        @given(data=st.data())
        def trial(data: Any) -> None:
            dtype = data.draw(st.sampled_from(list(dtypes)), label="dtype")
            drawn = data.draw(configs, label="config")
            tagged = spec.exact and data.draw(st.booleans(), label="tagged")
            inputs = {"w": data.draw(rs.parameter_vectors(spec.name, drawn, dtype=dtype, tagged=tagged), label="w")}
            if spec.is_fusion:
                inputs["inputs"] = data.draw(rs.fusion_inputs(drawn, dtype=dtype), label="inputs")
            outcome = self.case(drawn, inputs, dtype)
            report.cases.append(outcome.case)
            if progress is not None:
                progress(len(report.cases), outcome.case)
            if not outcome.case.passed:
                failures.append(outcome)
                raise ConformanceError(outcome.case.verdict.summary())

        hypothesis_seed(seed)(trial)
        try:
            trial()
        except ConformanceError:
            pass  # Hypothesis re-raises the shrunk failure: it is the last of `failures`
        return failures

    def case(self, config: dict[str, Any], inputs: dict[str, Any], dtype: str) -> _Outcome:
        """Run the candidate on one case and judge its output (and gradients)."""
        spec = self.spec
        expected, bound, K = expected_and_bound(spec, config, inputs, dtype)
        try:
            actual = self.run_candidate(config, in_backend(self.xp, inputs))
        except ConformanceError as exc:  # a class whose calculate_l is wrong
            return _Outcome(CaseResult(config, dtype, Judgement(False, str(exc))), inputs, None)
        except Exception as exc:  # noqa: BLE001 - any crash of the candidate's code is its failure
            problem = f"the candidate raised {type(exc).__name__}: {exc}"
            return _Outcome(CaseResult(config, dtype, Judgement(False, problem)), inputs, None)
        verdict = judge(actual, expected, bound, dtype=dtype, K=K, exact=spec.exact)
        gradient = self.gradient(config, inputs, dtype) if self.grad and verdict.passed else None
        return _Outcome(CaseResult(config, dtype, verdict, gradient), inputs, actual)

    def gradient(self, config: dict[str, Any], inputs: dict[str, Any], dtype: str) -> Judgement:
        """The candidate's VJP (PyTorch or JAX autodiff) against :func:`reference_vjp`."""
        spec = self.spec
        shape = spec.output_shape(config)
        G = np.random.default_rng(0).standard_normal(shape).astype(dtype)
        names = ["w"] + [f"inputs[{i}]" for i in range(len(inputs.get("inputs", [])))]
        arrays = [np.asarray(a) for a in (inputs["w"], *inputs.get("inputs", []))]
        got = candidate_vjp(spec, self.run_candidate, config, arrays, G, self.backend)
        as_inputs = {"w": wide(arrays[0]), **({"inputs": [wide(a) for a in arrays[1:]]} if spec.is_fusion else {})}
        ref = reference_vjp(spec.name, config, as_inputs, wide(G))
        mag = reference_vjp(spec.name, config, {k: _abs(v) for k, v in as_inputs.items()}, np.abs(wide(G)))
        K = gradient_rounding_count(spec, config, complex_data=np.iscomplexobj(G))
        bound = error_bound(K, dtype)
        for name, g, r, m in zip(names, got, [ref["w"], *ref.get("inputs", [])], [mag["w"], *mag.get("inputs", [])]):
            verdict = judge(g, r, bound(m), dtype=dtype, K=K)
            if not verdict.passed:
                verdict.problem = f"d/d{name}: {verdict.summary()}"
                return verdict
        return Judgement(True, K=K)


def _abs(value: Any) -> Any:
    """``|value|`` of an array or of each array of a list."""
    return [np.abs(a) for a in value] if isinstance(value, list) else np.abs(value)


def _diagnosable(outcome: _Outcome) -> bool:
    """Whether a catalogued mistake can explain the output: values off, or numbers in a wrong shape."""
    problem = outcome.case.verdict.problem
    if not problem:
        return True
    return problem.startswith("shape") and to_numpy(outcome.actual).dtype.kind in "biufc"


def _diagnose_failures(spec: FunctionSpec, failures: list[_Outcome]) -> Diagnosis | None:
    """Diagnose the minimal failure, keeping only the mistakes that explain the larger ones too.

    A tiny configuration is often reproduced by several mistakes (with one row, row- and
    column-major agree); the larger failing cases seen on the way tell them apart.
    """
    minimal = failures[-1]
    if not _diagnosable(minimal):
        return None
    larger = [f for f in failures[:-1] if _diagnosable(f)]
    larger = sorted(larger, key=lambda f: -int(np.prod(spec.output_shape(f.case.config))))[:8]
    first, *others = [diagnose(f.actual, spec.name, f.case.config, f.inputs) for f in [minimal, *larger]]
    common = [m for m in first.matches if all(m in d.matches for d in others if not d.correct)]
    if common:
        first.matches = common
    return first


def _failure_text(spec: FunctionSpec, minimal: _Outcome, seed: int, target: str | None, diagnosis: Diagnosis | None) -> str:
    case = minimal.case
    message = failure_message(spec, case.config, case.dtype, case.verdict, seed, target, diagnosis)
    if case.gradient is not None and not case.gradient.passed:
        message += "\n  gradient: " + case.gradient.summary()
    return message
