"""The conformance oracle: check another implementation against refimpl.

* :func:`assert_close_to_reference` judges one output, entry by entry, against a bound that
  follows from the arithmetic (see the tolerance page of the docs);
* :func:`check` drives Hypothesis over valid configurations with a candidate implementation,
  shrinks a failure to a minimal configuration, and diagnoses it;
* :func:`diagnose` names the catalogued mistake a wrong output reproduces;
* :func:`check_matrix` compares a matrix too large to materialise with refimpl's structured
  operator through random probe vectors;
* :func:`reference_vjp` gives the reference gradients.

Hypothesis is needed by :func:`check` only (``pip install refimpl[test]``).
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .diagnosis import Diagnosis, diagnose
from .registry import FUNCTIONS, FunctionSpec, bind, get_spec
from .gradients import reference_vjp
from .adapters import to_numpy
from .tolerance import Judgement, expected_and_bound, judge, unit_roundoff
from .._validation import RefimplError

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


class ConformanceError(AssertionError):
    """A candidate disagrees with refimpl; ``report`` holds the details."""

    def __init__(self, message: str, report: Any = None) -> None:
        super().__init__(message)
        self.report = report


def _expected_dtype(inputs: dict[str, Any]) -> np.dtype:
    """The dtype refimpl gives for these inputs: the promotion of the floating ones (float64 if none)."""
    arrays = [inputs["w"], *inputs.get("inputs", [])]
    dtypes = [to_numpy(a).dtype for a in arrays]
    floating = [d for d in dtypes if d.kind in "fc"]
    return np.result_type(*floating) if floating else np.dtype(np.float64)


def _reproduction(spec: FunctionSpec, config: dict[str, Any], seed: Any, target: str | None) -> str:
    if target:
        return (
            f"refimpl check {target} --function {spec.name} --config '{json.dumps(_jsonable(config))}'"
            + (f" --seed {seed}" if seed is not None else "")
        )
    return f"refimpl.testing.check(candidate, {spec.name!r}, config={_jsonable(config)!r}, seed={seed!r})"


def _jsonable(config: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()}


def assert_close_to_reference(
    actual: Any, function: str | Callable[..., Any], *args: Any, scale: float = 1.0, seed: Any = None, **kwargs: Any
) -> None:
    r"""Assert that ``actual`` is refimpl's value of ``function(*args, **kwargs)`` up to rounding.

    The expected value is computed in float64 (complex128) from the same inputs. Each entry
    of ``actual`` may differ from it by at most :math:`\gamma_K(u)\,\tilde y`, where
    :math:`u` is the unit roundoff of ``actual``'s dtype, :math:`K` the number of roundings
    a term of the defining sum can go through, and :math:`\tilde y` the same computation on the
    absolute values of the inputs (the docs' tolerance page derives it). The padding functions
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
    dtype = _expected_dtype(inputs)
    expected, bound, K = expected_and_bound(spec, config, inputs, dtype, scale=scale)
    verdict = judge(actual, expected, bound, dtype=dtype, K=K, exact=spec.exact)
    if not verdict.passed:
        raise ConformanceError(_failure_message(spec, config, dtype, verdict, seed, None), verdict)


def _failure_message(
    spec: FunctionSpec, config: dict[str, Any], dtype: Any, verdict: Judgement, seed: Any, target: str | None,
    diagnosis: Diagnosis | None = None,
) -> str:
    head = f"{spec.describe(config)}, {np.dtype(dtype)}: "
    if verdict.problem:
        head += verdict.problem
    else:
        head += f"{verdict.wrong} of {verdict.total} entries are off"
    lines = [head]
    if verdict.worst:
        w = verdict.worst
        lines.append(
            f"  worst entry {w['index']}: expected {w['expected']!r}, actual {w['actual']!r}, "
            f"error {w['error']:.3g}, allowed {w['allowed']:.3g}"
            + (" (exact check)" if verdict.exact else f" (gamma_K u |.| bound, K={verdict.K})")
        )
    if seed is not None:
        lines.append(f"  seed: {seed}")
    lines.append(f"  reproduce: {_reproduction(spec, config, seed, target)}")
    if diagnosis is not None:
        lines.append("  diagnosis: " + str(diagnosis).replace("\n", "\n  "))
    return "\n".join(lines)


# -- candidates ------------------------------------------------------------------------------


def _namespace(backend: str) -> Any:
    names = {
        "numpy": "array_api_compat.numpy",
        "torch": "array_api_compat.torch",
        "cupy": "array_api_compat.cupy",
        "jax": "jax.numpy",
        "array_api_strict": "array_api_strict",
    }
    if backend not in names:
        raise RefimplError(f"backend must be one of {sorted(names)}, got {backend!r}")
    try:
        return importlib.import_module(names[backend])
    except ImportError as exc:
        raise ImportError(f"backend {backend!r} is not usable here: {exc}") from exc


def _adapt(candidate: Any, spec: FunctionSpec) -> Callable[[dict[str, Any], dict[str, Any]], Any]:
    """``run(config, inputs)`` for a functional candidate or a tinybig-style class."""
    if isinstance(candidate, type) and hasattr(candidate, "forward"):
        def run_class(config: dict[str, Any], inputs: dict[str, Any]) -> Any:
            c = config
            if spec.is_fusion:
                kw = {"r": c.get("r"), "p": c.get("p"), "q": c.get("q"), "n": c.get("n"), "dims": c["dims"]}
                obj = candidate(**{k: v for k, v in kw.items() if v is not None or k == "n"})
                l = obj.calculate_l()
                _check_l(spec, config, l)
                return obj.forward(inputs["inputs"], inputs["w"])
            kw = {"p": c["p"], "q": c["q"]} if spec.config_keys[-1] == "q" else {"p": c["p"], "q": c["q"], "r": c["r"]}
            obj = candidate(**kw)
            _check_l(spec, config, obj.calculate_l(c["n"], c["D"]))
            return obj.forward(c["n"], c["D"], inputs["w"])

        return run_class

    def run_function(config: dict[str, Any], inputs: dict[str, Any]) -> Any:
        c = config
        if spec.name == "dual_lphm_fusion":
            return candidate(inputs["inputs"], inputs["w"], p=c["p"], q=c["q"], r=c["r"], n=c.get("n"))
        if spec.name == "concatenation_fusion":
            return candidate(inputs["inputs"], inputs["w"], n=c.get("n"))
        args = [c[k] for k in spec.config_keys]
        return candidate(inputs["w"], *args)

    return run_function


def _check_l(spec: FunctionSpec, config: dict[str, Any], l: Any) -> None:
    if l != spec.l(config):
        raise ConformanceError(f"calculate_l returned {l!r} for {spec.describe(config)}, expected {spec.l(config)}")


def _to_backend(xp: Any, inputs: dict[str, Any]) -> dict[str, Any]:
    out = {"w": xp.asarray(inputs["w"])}
    if "inputs" in inputs:
        out["inputs"] = [xp.asarray(a) for a in inputs["inputs"]]
    return out


# -- check -----------------------------------------------------------------------------------


@dataclass
class CaseResult:
    """One configuration tried by :func:`check`."""

    config: dict[str, Any]
    dtype: str
    verdict: Judgement
    gradient: Judgement | None = None

    @property
    def passed(self) -> bool:
        return self.verdict.passed and (self.gradient is None or self.gradient.passed)


@dataclass
class CheckReport:
    """What :func:`check` found: every case tried, and the minimal failure with its diagnosis."""

    function: str
    target: str
    cases: list[CaseResult] = field(default_factory=list)
    failure: str = ""
    diagnosis: Diagnosis | None = None
    seed: Any = None

    @property
    def passed(self) -> bool:
        return not self.failure

    def table(self, limit: int = 12) -> str:
        rows = [f"  {'configuration':<58} {'dtype':<11} {'result':<6} worst error / bound"]
        shown = self.cases if len(self.cases) <= limit else self.cases[:limit // 2] + self.cases[-(limit // 2):]
        spec = get_spec(self.function)
        for case in shown:
            v = case.verdict
            ratio = f"{v.worst['error']:.2g} / {v.worst['allowed']:.2g}" if v.worst else (v.problem[:40] if v.problem else "-")
            rows.append(f"  {spec.describe(case.config)[:58]:<58} {case.dtype:<11} {'pass' if case.passed else 'FAIL':<6} {ratio}")
        if len(self.cases) > limit:
            rows.insert(limit // 2 + 1, f"  ... {len(self.cases) - limit} more ...")
        return "\n".join(rows)

    def __str__(self) -> str:
        n_fail = sum(not c.passed for c in self.cases)
        head = (
            f"refimpl check: {self.target} against refimpl.{self.function}: "
            + ("PASS" if self.passed else "FAIL")
            + f" ({len(self.cases)} cases, {n_fail} failing, seed {self.seed})"
        )
        parts = [head, self.table()]
        if self.failure:
            parts.append("minimal failing case:\n" + self.failure)
        return "\n".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "target": self.target,
            "passed": self.passed,
            "seed": self.seed,
            "cases": [
                {"config": _jsonable(c.config), "dtype": c.dtype, "passed": c.passed, "summary": c.verdict.summary()}
                for c in self.cases
            ],
            "failure": self.failure,
            "diagnosis": None if self.diagnosis is None else {"matches": self.diagnosis.matches},
        }


def _under_pytest() -> bool:
    return "PYTEST_CURRENT_TEST" in os.environ


def check(
    candidate: Any,
    function: str,
    *,
    examples: int = 100,
    seed: int = 0,
    backend: str = "numpy",
    grad: bool = False,
    dtypes: Sequence[str] = ("float64", "float32"),
    max_side: int = 4,
    target: str | None = None,
    config: dict[str, Any] | None = None,
    raise_on_failure: bool | None = None,
    progress: Callable[[int, CaseResult], None] | None = None,
) -> CheckReport:
    """Check a candidate implementation against refimpl over generated configurations.

    Hypothesis draws valid configurations (the edge cases weighted in) and inputs in each
    dtype, calls the candidate, judges its output with :func:`assert_close_to_reference`'s
    rule, and on a failure shrinks to a minimal configuration and diagnoses it.

    Parameters
    ----------
    candidate : callable or class
        Either a function with refimpl's signature for ``function`` (``f(w, n, D, p, q)``,
        ``f(inputs, w, *, p, q, r, n)``, ...) or a tinybig-style class (constructed with the
        configuration, with ``calculate_l`` and ``forward``).
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
        Try only this configuration (with inputs drawn from ``seed``): the reproduction line
        of a failure report uses it.
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
    ...     W = np.reshape(w, (n // p, D // q))
    ...     return np.block([[W] * q] * p)
    >>> check(mine, "duplicated_padding", examples=20, raise_on_failure=False).passed
    True
    """
    try:
        from hypothesis import HealthCheck, Phase, given, settings
        from hypothesis import seed as hypothesis_seed
        from hypothesis import strategies as st
    except ImportError as exc:  # pragma: no cover
        raise ImportError("refimpl.testing.check needs Hypothesis: pip install refimpl[test]") from exc
    from . import strategies as rs

    spec = get_spec(function)
    xp = _namespace(backend)
    run = _adapt(candidate, spec)
    fixed = None if config is None else {**config, **({"batch": tuple(config["batch"])} if "batch" in config else {})}
    qualname = getattr(candidate, "__qualname__", repr(candidate))
    module = getattr(candidate, "__module__", "?")
    name = target or f"{module}:{qualname}"
    if target is None and "<locals>" not in qualname and module not in ("__main__", "?"):
        target = name  # importable: the reproduction line can be a CLI command
    report = CheckReport(function=spec.name, target=name, seed=seed)
    failures: list[tuple[dict[str, Any], str, Judgement, dict[str, Any], Any]] = []

    @settings(
        max_examples=examples, database=None, deadline=None, derandomize=False,
        suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink],
    )
    @given(data=st.data())
    def trial(data: Any) -> None:
        dtype = data.draw(st.sampled_from(list(dtypes)), label="dtype")
        config = data.draw(st.just(fixed) if fixed is not None else rs.configs(spec.name, max_side=max_side), label="config")
        tagged = spec.exact and data.draw(st.booleans(), label="tagged")
        w = data.draw(rs.parameter_vectors(spec.name, config, dtype=dtype, tagged=tagged), label="w")
        inputs: dict[str, Any] = {"w": w}
        if spec.is_fusion:
            inputs["inputs"] = data.draw(rs.fusion_inputs(config, dtype=dtype), label="inputs")
        case = _run_case(spec, run, xp, config, inputs, dtype, grad=grad, backend=backend)
        report.cases.append(case)
        if progress is not None:
            progress(len(report.cases), case)
        if not case.passed:
            failures.append((config, dtype, case.verdict, inputs, case))
            raise ConformanceError(case.verdict.summary())

    hypothesis_seed(seed)(trial)
    try:
        trial()
    except ConformanceError:
        config, dtype, verdict, inputs, case = failures[-1]  # the last failure is the shrunk one
        diagnosis = _diagnose_failures(spec, run, xp, failures) if not verdict.problem or verdict.problem.startswith("shape") else None
        report.diagnosis = diagnosis
        message = _failure_message(spec, config, dtype, verdict, seed, target, diagnosis)
        if case.gradient is not None and not case.gradient.passed:
            message += "\n  gradient: " + case.gradient.summary()
        report.failure = message
    if report.failure and (raise_on_failure or (raise_on_failure is None and _under_pytest())):
        raise ConformanceError(str(report), report)
    return report


def _diagnose_failures(spec: FunctionSpec, run: Callable[..., Any], xp: Any, failures: list[Any]) -> Diagnosis | None:
    """Diagnose the minimal failure, keeping only the mistakes that explain the larger ones too.

    A tiny configuration is often reproduced by several mistakes (with one row, row- and
    column-major agree); the larger failing cases seen on the way tell them apart.
    """
    minimal = failures[-1]
    by_size = sorted(failures[:-1], key=lambda f: -int(np.prod(spec.output_shape(f[0]))))[:8]
    diagnoses = []
    for config, _, _, inputs, _ in [minimal, *by_size]:
        try:
            diagnoses.append(diagnose(run(config, _to_backend(xp, inputs)), spec.name, config, inputs))
        except Exception:  # noqa: BLE001 - a diagnosis that breaks must never hide the failure
            continue
    if not diagnoses:
        return None
    first = diagnoses[0]
    common = [m for m in first.matches if all(m in d.matches for d in diagnoses[1:] if not d.correct)]
    if common:
        first.matches = common
    return first


def _run_case(
    spec: FunctionSpec, run: Callable[..., Any], xp: Any, config: dict[str, Any], inputs: dict[str, Any],
    dtype: str, *, grad: bool, backend: str,
) -> CaseResult:
    expected, bound, K = expected_and_bound(spec, config, inputs, dtype)
    given = _to_backend(xp, inputs)
    try:
        actual = run(config, given)
    except ConformanceError as exc:
        return CaseResult(config, dtype, Judgement(False, str(exc)))
    except Exception as exc:  # noqa: BLE001 - a crash of the candidate is a failure to report
        return CaseResult(config, dtype, Judgement(False, f"the candidate raised {type(exc).__name__}: {exc}"))
    verdict = judge(actual, expected, bound, dtype=dtype, K=K, exact=spec.exact)
    gradient = _check_gradient(spec, run, config, inputs, dtype, backend) if grad and verdict.passed else None
    return CaseResult(config, dtype, verdict, gradient)


def _check_gradient(
    spec: FunctionSpec, run: Callable[..., Any], config: dict[str, Any], inputs: dict[str, Any], dtype: str, backend: str
) -> Judgement:
    """The candidate's VJP (PyTorch or JAX autodiff) against :func:`reference_vjp`."""
    rng = np.random.default_rng(0)
    shape = spec.output_shape(config)
    G = rng.standard_normal(shape).astype(dtype)
    names = ["w"] + [f"inputs[{i}]" for i in range(len(inputs.get("inputs", [])))]
    arrays = [inputs["w"], *inputs.get("inputs", [])]
    if backend == "torch":
        import torch

        leaves = [torch.tensor(np.asarray(a), requires_grad=True) for a in arrays]
        given = {"w": leaves[0]}
        if spec.is_fusion:
            given["inputs"] = leaves[1:]
        out = run(config, given)
        got = torch.autograd.grad(out, leaves, torch.as_tensor(G), allow_unused=True)
        got = [np.zeros(a.shape, dtype) if g is None else g.detach().numpy() for g, a in zip(got, arrays)]
    elif backend == "jax":
        import jax
        import jax.numpy as jnp

        def f(*leaves: Any) -> Any:
            given = {"w": leaves[0]}
            if spec.is_fusion:
                given["inputs"] = list(leaves[1:])
            return run(config, given)

        _, vjp = jax.vjp(f, *[jnp.asarray(a) for a in arrays])
        got = [np.asarray(g) for g in vjp(jnp.asarray(G))]
    else:
        raise RefimplError(f"grad=True needs backend 'torch' or 'jax', got {backend!r}")
    wide = {"w": np.asarray(inputs["w"], dtype=np.float64)}
    absolute = {"w": np.abs(wide["w"])}
    if spec.is_fusion:
        wide["inputs"] = [np.asarray(a, dtype=np.float64) for a in inputs["inputs"]]
        absolute["inputs"] = [np.abs(a) for a in wide["inputs"]]
    ref = reference_vjp(spec.name, config, wide, G.astype(np.float64))
    mag = reference_vjp(spec.name, config, absolute, np.abs(G.astype(np.float64)))
    refs = [ref["w"], *ref.get("inputs", [])]
    mags = [mag["w"], *mag.get("inputs", [])]
    # Each gradient entry is a sum over at most all output entries of products of the factors.
    K = int(np.prod(shape)) + 2 * config.get("r", 0) + 8
    gamma = K * unit_roundoff(dtype) / max(1e-300, 1 - K * unit_roundoff(dtype))
    for name, g, r, m in zip(names, got, refs, mags):
        verdict = judge(g, r, gamma * m, dtype=dtype, K=K)
        if not verdict.passed:
            verdict.problem = verdict.problem and f"d/d{name}: {verdict.problem}"
            if not verdict.problem:
                verdict.problem = f"d/d{name}: " + verdict.summary()
            return verdict
    return Judgement(True, K=K)


# -- huge outputs: probe vectors -------------------------------------------------------------


@dataclass
class ProbeReport:
    """The result of :func:`check_matrix`: probes tried, failures, and the chance a wrong matrix passes."""

    passed: bool
    probes: int
    message: str
    false_pass_probability: float

    def __str__(self) -> str:
        return self.message


def check_matrix(
    actual: Any, function: str | Callable[..., Any], *args: Any, probes: int = 30, seed: int = 0, **kwargs: Any
) -> ProbeReport:
    r"""Compare a matrix too large to materialise with refimpl's operator, through probe vectors.

    For ``probes`` random sign vectors :math:`v \in \{-1, 1\}^D`, the candidate's
    :math:`M v` (computed by the candidate's own library: dense, SciPy sparse, PyTorch, ...) is
    compared with the structured operator's :math:`\psi(w) v` in float64, entry by entry,
    within :math:`\gamma_{D+K}(u)\,|\psi(w)|\,|v|`. If :math:`M` differs from :math:`\psi(w)`
    in any entry by more than that bound's margin, a random sign vector exposes it with
    probability at least 1/2 (Freivalds' argument), so a wrong matrix passes all probes with
    probability at most :math:`2^{-\text{probes}}`.

    Parameters
    ----------
    actual : array or sparse matrix, shape (n, D)
        The candidate's matrix.
    function : str or callable
        ``duplicated_padding``, ``duplicated_diagonal_padding`` or ``dual_lphm``.
    *args, **kwargs
        The arguments of that function, as refimpl takes them.
    probes : int, default 30
        The number of probe vectors.
    seed : int, default 0
        The probes' seed.

    Returns
    -------
    ProbeReport
        ``passed``, and the probability that a wrong matrix would have passed.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> import refimpl
    >>> from refimpl.testing import check_matrix
    >>> w = np.arange(1.0, 5.0)
    >>> good = refimpl.duplicated_diagonal_padding(w, 4096, 4096, 2048)
    >>> check_matrix(good, "duplicated_diagonal_padding", w, 4096, 4096, 2048).passed
    True
    >>> bad = good.tolil(); bad[4000, 4001] = 9.0
    >>> report = check_matrix(bad.tocsr(), "duplicated_diagonal_padding", w, 4096, 4096, 2048)
    >>> report.passed, report.false_pass_probability < 1e-8
    (False, True)
    """
    from ..operators import dual_lphm_operator, duplicated_diagonal_padding_operator, duplicated_padding_operator

    spec = get_spec(getattr(function, "__name__", function))
    if spec.is_fusion:
        raise RefimplError(f"check_matrix compares matrices; {spec.name} has none (use check)")
    config, inputs = bind(spec, args, kwargs)
    make = {
        "duplicated_padding": duplicated_padding_operator,
        "duplicated_diagonal_padding": duplicated_diagonal_padding_operator,
        "dual_lphm": dual_lphm_operator,
    }[spec.name]
    w64 = to_numpy(inputs["w"]).astype(np.complex128 if np.iscomplexobj(to_numpy(inputs["w"])) else np.float64)
    cfg = [config[k] for k in spec.config_keys]
    op, op_abs = make(w64, *cfg), make(np.abs(w64), *cfg)
    shape = (config["n"], config["D"])
    if tuple(actual.shape) != shape:
        return ProbeReport(False, 0, f"shape {tuple(actual.shape)}, expected {shape}", 1.0)
    dtype = np.dtype(str(actual.dtype).replace("torch.", ""))
    rng = np.random.default_rng(seed)
    V = rng.choice([-1.0, 1.0], size=(shape[1], probes))
    got = to_numpy(_matmul_in_library(actual, V.astype(dtype)))
    expected = op.matmul(V)
    K = shape[1] + (0 if spec.exact else 2 * config.get("r", 0) + 5)
    bound = (K * unit_roundoff(dtype) / (1 - K * unit_roundoff(dtype)) + 1e-15) * op_abs.matmul(np.abs(V))
    error = np.abs(got - expected)
    over = error > bound
    probability = 2.0 ** -probes
    if np.any(over):
        i, j = (int(x) for x in np.unravel_index(int(np.argmax(error - bound)), error.shape))
        message = (
            f"{spec.describe(config)}: {int(np.any(over, axis=0).sum())} of {probes} probes disagree; "
            f"worst: row {i} of probe {j}: expected {expected[i, j]!r}, actual {got[i, j]!r}, "
            f"allowed error {bound[i, j]:.3g}"
        )
        return ProbeReport(False, probes, message, probability)
    return ProbeReport(
        True, probes,
        f"{spec.describe(config)}: {probes} probes agree; a wrong matrix passes with probability <= {probability:.3g}",
        probability,
    )


def _matmul_in_library(M: Any, V: np.ndarray) -> Any:
    """``M @ V`` in ``M``'s own library (SciPy/CuPy sparse, NumPy, PyTorch, CuPy, ...)."""
    module = type(M).__module__.split(".")[0]
    if module in ("numpy", "scipy"):
        return M @ V
    if module in ("cupy", "cupyx"):
        import cupy

        return M @ cupy.asarray(V)
    import array_api_compat

    xp = array_api_compat.array_namespace(M)
    return M @ xp.asarray(V, device=array_api_compat.device(M))


def available_functions() -> list[str]:
    """The names ``check`` and ``assert_close_to_reference`` accept."""
    return sorted(FUNCTIONS)

