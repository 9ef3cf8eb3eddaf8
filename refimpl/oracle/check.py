"""The conformance oracle's checks of outputs: one output, or a candidate over many cases.

* :func:`assert_close_to_reference` judges one output, entry by entry, against a bound that
  follows from the arithmetic (:mod:`refimpl.oracle.tolerance`);
* :func:`check` drives Hypothesis over valid cases with a candidate implementation, shrinks a
  failure to a minimal case, runs cases a second time to see that the candidate is
  deterministic, and diagnoses the failures (:mod:`refimpl.oracle.diagnosis`).

Every failure of the candidate is a verdict in the report, never a traceback: a wrong output,
an exception it raised, an argument it changed in place, two calls that disagree. How a
candidate is called lives in :mod:`refimpl.oracle._candidates`, the reports and reproduction
lines in :mod:`refimpl.oracle._reports`, the probe check of huge matrices in
:mod:`refimpl.oracle._probes`. Hypothesis is needed by :func:`check` only
(``pip install refimpl[test]``).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np

from .._outputs import to_numpy
from .._validation import RefimplError
from ..functions import Function, get_function
from ._candidates import ArgumentModified, adapt, backend_namespace, candidate_vjp, in_backend
from ._cases import case_strategy
from ._reports import (
    CaseResult,
    CheckReport,
    ConformanceError,
    MinimalFailure,
    Settings,
    failure_message,
    reproduction,
)
from .diagnosis import Diagnosis, Failure, diagnose_failures
from .gradients import reference_vjp
from .tolerance import (
    Judgement,
    error_bound,
    expected_and_bound,
    gradient_rounding_count,
    judge,
    judge_output,
    result_dtype,
    wide,
)

__all__ = [
    "DEFAULT_DTYPES",
    "DEFAULT_EXAMPLES",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_MAX_SIDE",
    "assert_close_to_reference",
    "check",
]

#: ``check``'s defaults, shared by the command line and the pytest plugin.
DEFAULT_EXAMPLES = 100
DEFAULT_DTYPES = ("float64", "float32")
DEFAULT_MAX_SIDE = 4
DEFAULT_MAX_ROWS = 64
#: Every ``RERUN_EVERY``-th passing case (at least ``RERUN_AT_LEAST``) is run a second time.
RERUN_EVERY = 10
RERUN_AT_LEAST = 3


def assert_close_to_reference(
    actual: Any,
    function: str | Callable[..., Any],
    *args: Any,
    scale: float = 1.0,
    seed: Any = None,
    **kwargs: Any,
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
    name: Any = getattr(function, "__name__", function)  # a function stands for its name; get_function checks
    spec = get_function(name)
    config, inputs = spec.bind(args, kwargs)
    dtype = result_dtype(inputs)
    verdict = _judge(actual, spec, config, inputs, dtype, scale=scale)
    if not verdict.passed:
        raise ConformanceError(failure_message(spec, config, dtype, verdict, seed, None), verdict)


def check(
    candidate: Any,
    function: str,
    *,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
    backend: str = "numpy",
    grad: bool = False,
    dtypes: Sequence[str] = DEFAULT_DTYPES,
    max_side: int = DEFAULT_MAX_SIDE,
    max_rows: int = DEFAULT_MAX_ROWS,
    target: str | None = None,
    config: dict[str, Any] | None = None,
    raise_on_failure: bool | None = None,
    progress: Callable[[int, CaseResult], None] | None = None,
) -> CheckReport:
    """Check a candidate implementation against refimpl over generated cases.

    Hypothesis draws valid configurations (the edge cases weighted in) and inputs in each
    dtype, calls the candidate, judges its output with :func:`assert_close_to_reference`'s
    rule, and on a failure shrinks it to a minimal case. Every failure is a verdict, never a
    traceback: a wrong output, an exception the candidate raised (``"the candidate raised
    RuntimeError: ..."``, counted per case), an argument it changed in place, or two calls
    that disagree. The minimal failing case and every tenth passing case (at least three) are
    run a second time; when the two calls disagree the verdict is ``"non-deterministic: entry
    (i, j): call 1 gave ..., call 2 gave ..."``. The failures are then diagnosed.

    Parameters
    ----------
    candidate : callable or class
        A function with refimpl's signature for ``function`` (``f(w, n, D, p, q)``, ...) or a
        tinybig-style class (constructed with the configuration; ``calculate_l``, ``forward``).
    function : str
        The refimpl function it implements.
    examples : int, default 100
        Cases to draw (the shrinking of a failure and the second calls come on top).
    seed : int, default 0
        Hypothesis's seed: the same seed tries the same cases.
    backend : {"numpy", "torch", "cupy", "jax", "array_api_strict"}, default "numpy"
        The array library the candidate's inputs are given in.
    grad : bool, default False
        Also check the candidate's gradients (PyTorch or JAX) against :func:`reference_vjp`.
    dtypes : sequence of str, default ("float64", "float32")
        The dtypes of ``w`` to try (integer and bool ``w`` are promoted to float64).
    max_side : int, default 4
        The largest ``p, q, s, t`` and input width drawn.
    max_rows : int, default 64
        The largest number of input rows of the fusions drawn.
    target : str, optional
        The candidate's importable name (``"module:callable"``), for the report and the
        reproduction line; by default its module and qualified name.
    config : dict, optional
        Try only this configuration (inputs drawn from ``seed``), as a failure's reproduction does.
    raise_on_failure : bool, optional
        Raise :class:`ConformanceError` on failure; by default only when running under pytest.
    progress : callable, optional
        Called as ``progress(i, case)`` after each case.

    Raises
    ------
    RefimplError
        A dtype of ``dtypes`` that the backend cannot hold here: JAX holds no float64 unless
        its 64-bit mode is on (``jax.config.update("jax_enable_x64", True)`` or the environment
        variable ``JAX_ENABLE_X64=1``); otherwise every float64 case would fail on a dtype the
        candidate never chose.

    Returns
    -------
    CheckReport
        Every case tried, the calling convention, and the minimal failure with its
        reproduction (a command and a Python line) and diagnosis.
        ``refimpl.plotting.plot_failure(report, "failure.png")`` draws the minimal failure.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl.testing import check
    >>> def mine(w, n, D, p, q):   # an independent duplicated padding
    ...     W = np.reshape(np.asarray(w) * 1.0, (n // p, D // q))   # * 1.0: integer and bool w give float64
    ...     return np.block([[W] * q] * p)
    >>> check(mine, "duplicated_padding", examples=20, raise_on_failure=False).passed
    True
    >>> def unsupported(w, n, D, p, q):
    ...     if p > 1:
    ...         raise RuntimeError("p > 1 is not supported")
    ...     return mine(w, n, D, p, q)
    >>> report = check(unsupported, "duplicated_padding", dtypes=("float64",), examples=20, raise_on_failure=False)
    >>> print(report.failure.splitlines()[0])
    duplicated_padding(n=2, D=1, p=2, q=1), float64: the candidate raised RuntimeError: p > 1 is not supported
    """
    spec = get_function(function)
    settings = Settings(
        examples=examples,
        seed=seed,
        backend=backend,
        dtypes=tuple(dtypes),
        max_side=max_side,
        max_rows=max_rows,
        grad=grad,
    )
    name, importable = _names(candidate, target)
    xp = backend_namespace(backend)
    _check_dtypes_held(xp, backend, settings.dtypes)
    search = _Search(spec, adapt(candidate, spec), xp, settings)
    report = search.report(
        name, importable, config=None if config is None else dict(config), progress=progress
    )
    if report.failure and (raise_on_failure or (raise_on_failure is None and _under_pytest())):
        raise ConformanceError(str(report), report)
    return report


def _check_dtypes_held(xp: ModuleType, backend: str, dtypes: tuple[str, ...]) -> None:
    """Refuse the dtypes that the namespace cannot hold (its ``__array_namespace_info__().dtypes()``)."""
    info = getattr(xp, "__array_namespace_info__", None)
    if info is None:
        return
    held = {str(name) for name in info().dtypes()}
    missing = [dtype for dtype in dtypes if dtype not in held]
    if missing:
        hint = (
            "; or turn on JAX's 64-bit mode: jax.config.update('jax_enable_x64', True), or JAX_ENABLE_X64=1"
            if backend == "jax"
            else ""
        )
        raise RefimplError(
            f"backend {backend!r} cannot hold dtypes {missing} here; it holds {sorted(held)}. "
            f"pass dtypes among those{hint}"
        )


def _names(candidate: Any, target: str | None) -> tuple[str, str | None]:
    """The candidate's name in the report, and its importable name (``None`` when it has none)."""
    qualname = getattr(candidate, "__qualname__", repr(candidate))
    module = getattr(candidate, "__module__", "?")
    name = target or f"{module}:{qualname}"
    if target is None and "<locals>" not in qualname and module not in ("__main__", "?", None):
        target = name  # importable: the reproduction line can be a CLI command
    return name, target


def _under_pytest() -> bool:
    return "PYTEST_CURRENT_TEST" in os.environ


def _judge(
    actual: Any,
    spec: Function,
    config: dict[str, Any],
    inputs: dict[str, Any],
    dtype: Any,
    scale: float = 1.0,
) -> Judgement:
    """The one judgement of an output: :func:`refimpl.oracle.tolerance.judge_output`."""
    return judge_output(actual, spec, config, inputs, dtype, scale=scale)


class _CaseFailed(Exception):
    """Raised inside the Hypothesis test on a failing case, so that Hypothesis shrinks it."""


class _Outcome(NamedTuple):
    """One call as run: its result, the case drawn, the candidate's output, the exception it raised."""

    case: CaseResult
    drawn: Any
    actual: Any
    error: BaseException | None = None


def _raised(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


@dataclass
class _Search:
    """A candidate, adapted, with the array library and the settings it is checked under."""

    spec: Function
    candidate: Any
    xp: ModuleType
    settings: Settings
    notes: list[str] = field(default_factory=list)

    def report(
        self,
        name: str,
        target: str | None,
        *,
        config: dict[str, Any] | None,
        progress: Callable[[int, CaseResult], None] | None,
    ) -> CheckReport:
        """Search; run cases a second time; then diagnose and describe the minimal failure, if any."""
        s = self.settings
        report = CheckReport(
            function=self.spec.name,
            target=name,
            seed=s.seed,
            convention=self.candidate.convention,
            settings=s,
        )
        outcomes, flaky = self.search(config, progress)
        report.convention = self.candidate.convention  # a class's shape of w is settled by the search
        report.cases = [o.case for o in outcomes]
        failures = [o for o in outcomes if not o.case.passed]
        minimal, repeated = self.repeat(outcomes, failures, flaky)
        report.rerun = len(repeated)
        report.cases += [o.case for o in repeated]
        if minimal is None:
            return report
        deterministic = minimal.case.verdict.problem.startswith("non-deterministic") is False
        with _quiet():
            report.diagnosis = self.diagnose(failures) if deterministic and failures else None
        case = minimal.case
        again = {**case.config, **{k: None for k in case.omitted}}  # None: left out of the call again
        report.reproduce = reproduction(
            self.spec,
            again,
            np.asarray(minimal.drawn.inputs["w"]).dtype.name,
            s,
            target,
            name.rpartition(":")[2].rpartition(".")[2],
        )
        verdict = case.verdict if case.verdict.passed is False or case.gradient is None else case.gradient
        text = failure_message(
            self.spec, case.config, case.dtype, verdict, s.seed, target, report.diagnosis, report.reproduce
        )
        head, _, rest = text.partition("\n")
        if case.omitted:
            head += f"\n  left out of the call: {', '.join(sorted(case.omitted))} (the candidate's default was used)"
        report.failure = "\n".join([head, *self.notes, rest])
        report.minimal = MinimalFailure(
            case.config,
            minimal.drawn.inputs,
            case.dtype,
            _dense(minimal.actual),
            case.verdict.summary(),
            case.omitted,
        )
        return report

    def search(
        self, config: dict[str, Any] | None, progress: Callable[[int, CaseResult], None] | None
    ) -> tuple[list[_Outcome], bool]:
        """Let Hypothesis search for a failing case: every call made (the shrunk failure last), and
        whether Hypothesis found the candidate flaky (a failure that did not fail again)."""
        from hypothesis import HealthCheck, Phase, given, settings
        from hypothesis import seed as hypothesis_seed
        from hypothesis.errors import Flaky

        s, outcomes = self.settings, []
        cases = case_strategy(
            self.spec,
            dtypes=s.dtypes,
            max_side=s.max_side,
            max_rows=s.max_rows,
            config=config,
            optional=self.candidate.optional,
        )

        @settings(
            max_examples=s.examples,
            database=None,
            deadline=None,
            derandomize=False,
            report_multiple_bugs=False,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.generate, Phase.shrink],
            print_blob=False,
        )
        @given(drawn=cases)
        def trial(drawn: Any) -> None:
            outcome = self.case(self.adjusted(drawn))
            outcomes.append(outcome)
            if progress is not None:
                progress(len(outcomes), outcome.case)
            if not outcome.case.passed:
                raise _CaseFailed

        hypothesis_seed(s.seed)(trial)
        try:
            trial()
        except _CaseFailed:
            pass  # Hypothesis re-raises the shrunk failure: it is the last failing outcome
        except (
            Flaky
        ):  # a failing case passed when Hypothesis ran it again: the candidate is not deterministic
            return outcomes, True
        return outcomes, False

    def adjusted(self, drawn: Any) -> Any:
        """The case with the dtype its output must have in this backend: inputs of integers or bools
        only give the namespace's default floating dtype (float32 in PyTorch), SPEC's promotion."""
        arrays = [drawn.inputs["w"], *drawn.inputs.get("inputs", [])]
        if any(np.asarray(a).dtype.kind in "fc" for a in arrays):
            return drawn
        info = getattr(self.xp, "__array_namespace_info__", None)
        default = (
            "float64" if info is None else str(info().default_dtypes()["real floating"]).rpartition(".")[2]
        )
        if default == drawn.dtype:
            return drawn
        return dataclasses.replace(drawn, dtype=default)

    def call(self, drawn: Any) -> Any:
        """The candidate's output for a case, given fresh copies of its inputs in the backend's arrays.

        Numerical warnings are silenced: the cases hold inf and nan on purpose, and a test suite
        that turns warnings into errors must not fail a correct candidate for them."""
        inputs = in_backend(self.xp, copy.deepcopy(drawn.inputs))
        with _quiet():
            return self.candidate.call(drawn.config, inputs, drawn.omitted)

    def case(self, drawn: Any) -> _Outcome:
        """Run the candidate on one case and judge what it did: its output (and gradients), or what it raised."""

        def failed(problem: str, exc: BaseException, raised: str = "") -> _Outcome:
            return _Outcome(
                CaseResult(
                    drawn.config, drawn.dtype, Judgement(False, problem), raised=raised, omitted=drawn.omitted
                ),
                drawn,
                None,
                exc,
            )

        try:
            actual = self.call(drawn)
        except ArgumentModified as exc:
            return failed(f"side effect: {exc}", exc)
        except ConformanceError as exc:  # a class whose calculate_l is wrong
            return failed(str(exc), exc)
        except Exception as exc:
            return failed(f"the candidate raised {_raised(exc)}", exc, raised=_raised(exc))
        try:
            with _quiet():
                verdict = _judge(actual, self.spec, drawn.config, drawn.inputs, drawn.dtype)
        except Exception as exc:
            verdict = Judgement(False, f"refimpl could not read the output ({_raised(exc)})")
        arrays = [np.asarray(a) for a in [drawn.inputs["w"], *drawn.inputs.get("inputs", [])]]
        differentiable = all(
            a.dtype.kind in "fc" and np.all(np.isfinite(a)) for a in arrays
        )  # no gradient of inf
        gradient = self.gradient(drawn) if self.settings.grad and verdict.passed and differentiable else None
        return _Outcome(
            CaseResult(drawn.config, drawn.dtype, verdict, gradient, omitted=drawn.omitted), drawn, actual
        )

    def repeat(
        self, outcomes: list[_Outcome], failures: list[_Outcome], flaky: bool
    ) -> tuple[_Outcome | None, list[_Outcome]]:
        """Run the minimal failure and a sample of the passing cases again: the failure to report, and the second calls.

        The failure to report is the minimal one, or a non-determinism verdict where the second
        call disagrees with the first. Where Hypothesis saw a failure pass on its replay, the
        failing case is run up to five times to catch the disagreement.
        """
        passing = [o for o in outcomes if o.case.passed]
        sample = passing[RERUN_EVERY - 1 :: RERUN_EVERY]
        if len(sample) < RERUN_AT_LEAST:
            sample = passing[:: max(1, len(passing) // RERUN_AT_LEAST)][:RERUN_AT_LEAST]
        minimal = failures[-1] if failures else None
        tries = [(minimal, 5 if flaky else 1)] if minimal is not None else []
        tries += [(o, 1) for o in sample]
        repeated: list[_Outcome] = []
        for first, times in tries:
            for _ in range(times):
                second = self.case(first.drawn)
                repeated.append(second)
                problem = self.disagreement(first, second)
                if not problem:
                    continue
                verdict = Judgement(False, problem)
                nondeterministic = first._replace(
                    case=CaseResult(first.case.config, first.case.dtype, verdict, omitted=first.case.omitted)
                )
                if minimal is None or first is minimal:
                    return nondeterministic, repeated
                self.notes.append(
                    f"  also non-deterministic on {self.spec.describe(first.case.config)}: {problem}"
                )
                return minimal, repeated
        return minimal, repeated

    def disagreement(self, first: _Outcome, second: _Outcome) -> str:
        """``"non-deterministic: ..."`` when two calls on one case disagree beyond rounding, else ``""``."""
        if first.error is not None or second.error is not None:
            if (
                first.error is not None
                and second.error is not None
                and _raised(first.error) == _raised(second.error)
            ):
                return ""
            return f"non-deterministic: call 1 {_what(first)}, call 2 {_what(second)}"
        try:
            a1, a2 = to_numpy(first.actual), to_numpy(second.actual)
        except Exception:
            v1, v2 = first.case.verdict.summary(), second.case.verdict.summary()
            return "" if v1 == v2 else f"non-deterministic: call 1 was judged {v1!r}, call 2 {v2!r}"
        if a1.shape != a2.shape or a1.dtype != a2.dtype:
            return f"non-deterministic: call 1 {_what(first)}, call 2 {_what(second)}"
        with _quiet():
            differ = self.differing(first.drawn, a1, a2)
        if not np.any(differ):
            return ""
        index = tuple(int(i) for i in np.argwhere(differ)[0])
        return (
            f"non-deterministic: entry {index}: call 1 gave {a1[index].item()!r}, "
            f"call 2 gave {a2[index].item()!r}"
        )

    def differing(self, drawn: Any, a1: np.ndarray, a2: np.ndarray) -> np.ndarray:
        """Entries where two outputs differ: exactly for the padding functions, beyond twice the bound otherwise."""
        with np.errstate(invalid="ignore"):  # NumPy's stubs type the operators on an NDArray[Any] as Any
            differ: np.ndarray = ~((a1 == a2) | (np.isnan(a1) & np.isnan(a2)))
        if self.spec.exact or not np.any(differ):
            return differ
        bound = expected_and_bound(self.spec, drawn.config, drawn.inputs, drawn.dtype, scale=2.0).bound
        with np.errstate(invalid="ignore", over="ignore"):
            beyond: np.ndarray = differ & ~(np.abs(a1.astype(np.complex128) - a2) <= bound)
            return beyond

    def diagnose(self, failures: list[_Outcome]) -> Diagnosis | None:
        """The catalogued mistakes that reproduce every failure tried (:func:`diagnose_failures`);
        each rerun calls the candidate as the failing case did (its convention, omitted arguments, backend)."""
        omitted = {repr(o.drawn.config): o.drawn.omitted for o in failures}

        def rerun(config: dict[str, Any], inputs: dict[str, Any]) -> Any:
            leave_out = omitted.get(repr(config), frozenset())
            with _quiet():
                return self.candidate.call(config, in_backend(self.xp, copy.deepcopy(inputs)), leave_out)

        found = [Failure(o.drawn.config, o.drawn.inputs, o.actual) for o in failures]
        return diagnose_failures(self.spec.name, found, rerun)

    def gradient(self, drawn: Any) -> Judgement:
        """The candidate's VJP (PyTorch or JAX autodiff) against :func:`reference_vjp`."""
        spec, config, inputs, dtype = self.spec, drawn.config, drawn.inputs, drawn.dtype
        G = np.random.default_rng(0).standard_normal(spec.output_shape(config)).astype(dtype)
        names = ["w"] + [f"inputs[{i}]" for i in range(len(inputs.get("inputs", [])))]
        arrays = [np.asarray(a) for a in (inputs["w"], *inputs.get("inputs", []))]

        def run(c: dict[str, Any], given: dict[str, Any]) -> Any:
            return self.candidate.call(c, given, drawn.omitted)

        got = candidate_vjp(spec, run, config, arrays, G, self.settings.backend)
        as_inputs = {
            "w": wide(arrays[0]),
            **({"inputs": [wide(a) for a in arrays[1:]]} if spec.is_fusion else {}),
        }
        ref = reference_vjp(spec.name, config, as_inputs, wide(G))
        mag = reference_vjp(spec.name, config, {k: _abs(v) for k, v in as_inputs.items()}, np.abs(wide(G)))
        K = gradient_rounding_count(spec, config, complex_data=np.iscomplexobj(G))
        bound = error_bound(K, dtype)
        shaped = [np.reshape(ref["w"], arrays[0].shape), *ref.get("inputs", [])]  # w as given: (l,) or (1, l)
        magnitudes = [np.reshape(mag["w"], arrays[0].shape), *mag.get("inputs", [])]
        for name, g, r, m in zip(names, got, shaped, magnitudes):
            verdict = judge(g, r, bound(m), dtype=dtype, K=K)
            if not verdict.passed:
                verdict.problem = f"d/d{name}: {verdict.summary()}"
                return verdict
        return Judgement(True, K=K)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """No numerical warnings (the cases hold inf and nan on purpose), whatever the caller's filters say."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _what(outcome: _Outcome) -> str:
    """What one call did, in words: ``raised RuntimeError: ...`` or ``gave an output of shape (2, 2), float64``."""
    if outcome.error is not None:
        return f"raised {_raised(outcome.error)}"
    a = _dense(outcome.actual)
    return (
        "gave an output refimpl cannot read" if a is None else f"gave an output of shape {a.shape}, {a.dtype}"
    )


def _dense(actual: Any) -> np.ndarray | None:
    try:
        return None if actual is None else to_numpy(actual)
    except Exception:
        return None


def _abs(value: Any) -> Any:
    """``|value|`` of an array or of each array of a list."""
    return [np.abs(a) for a in value] if isinstance(value, list) else np.abs(value)
