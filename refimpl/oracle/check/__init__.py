"""The conformance oracle's checks of outputs: one output, or a candidate over many cases.

* :func:`assert_close_to_reference` judges one output, entry by entry, against a bound that
  follows from the arithmetic (:mod:`refimpl.oracle.tolerance`);
* :func:`check` drives Hypothesis over valid cases with a candidate implementation, shrinks a
  failure to a minimal case, runs cases a second time to see that the candidate is
  deterministic, and diagnoses the failures (:mod:`refimpl.oracle.diagnosis`);
* :func:`check_matrix` compares a matrix too large to materialise with refimpl's operator,
  through probe vectors.

Every failure of the candidate is a verdict in the report, never a traceback: a wrong output,
an exception it raised, an argument it changed in place, two calls that disagree.

==================  ============================================================================
module              what it holds
==================  ============================================================================
``_arguments``      ``check``'s own arguments, checked as the command line checks its options
``_candidates``     how a candidate is called: its signature or class, its arrays, its autodiff
``_cases``          the cases a candidate is given, drawn to expose mistakes
``_harness``        one case run and judged: the output, an exception, an argument changed
``_gradient``       the candidate's gradients against the reference VJP (``grad=True``)
``_search``         the Hypothesis driver: cases drawn, a failure shrunk
``_calls``          second calls: is the candidate deterministic?
``_run``            a check from the search to the report, the diagnosis of its failures
``_reports``        ``ConformanceError``, ``CheckReport``, ``CaseResult``, ``ProbeReport``
``_reproduction``   the settings, the reproduction lines and the text of a failure
``_probes``         ``check_matrix``
==================  ============================================================================
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from ..._validation import RefimplError
from ...functions import get_function
from ..tolerance import judge_output, result_dtype
from ._arguments import checked_config, checked_settings, checked_target
from ._auto import choose_backend, library_of, promotes_in_matmul
from ._candidates import adapt, backend_namespace
from ._harness import Harness
from ._probes import check_matrix
from ._reports import CaseResult, CheckReport, ConformanceError, ProbeReport
from ._reproduction import failure_message
from ._run import run

__all__ = [
    "DEFAULT_DTYPES",
    "DEFAULT_EXAMPLES",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_MAX_SIDE",
    "CaseResult",
    "CheckReport",
    "ConformanceError",
    "ProbeReport",
    "assert_close_to_reference",
    "check",
    "check_matrix",
]

#: ``check``'s defaults, shared by the command line and the pytest plugin.
DEFAULT_EXAMPLES = 100
DEFAULT_DTYPES = ("float64", "float32")
DEFAULT_MAX_SIDE = 4
DEFAULT_MAX_ROWS = 64


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
    __tracebackhide__ = True  # pytest: a failure shows the verdict, not refimpl's frames
    name: Any = getattr(function, "__name__", function)  # a function stands for its name; get_function checks
    spec = get_function(name)
    config, inputs = spec.bind(args, kwargs)
    dtype = result_dtype(inputs)
    verdict = judge_output(actual, spec, config, inputs, dtype, scale=scale)
    if not verdict.passed:
        text = failure_message(spec, config, dtype, verdict, seed, None, backend=library_of(actual))
        raise ConformanceError(text, verdict)


def check(
    candidate: Any,
    function: str,
    *,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
    backend: str = "auto",
    grad: bool = False,
    nonfinite: bool = False,
    strict: bool = False,
    dtypes: Sequence[str] = DEFAULT_DTYPES,
    max_side: int = DEFAULT_MAX_SIDE,
    max_rows: int = DEFAULT_MAX_ROWS,
    target: str | None = None,
    config: dict[str, Any] | None = None,
    raise_on_failure: bool | None = None,
    progress: Callable[[int, CaseResult], None] | None = None,
) -> CheckReport:
    """Check a candidate implementation against refimpl, clause by clause (SPEC, "What a check judges").

    The edges of the configuration space run first (zero rows, one row, batch dimensions, one
    input and three, unequal widths, ``p != q``, ``s != t``, ``s`` or ``t`` equal to 1, ``w``
    as ``(l,)`` and ``(1, l)``, optional arguments left out, a larger case), then ``examples``
    cases drawn by Hypothesis, in every memory layout (Fortran order, strided views, read-only,
    broadcast) and with mixed dtypes across ``w`` and the inputs. Each case calls the
    candidate three times (a class's one instance): on other values, on the case, and on the
    case again. Every clause gets its own verdict:

    * by default: ``values``, ``shape``, ``dtype``, ``sparse structure`` (the diagonal
      padding), ``every call returns`` (no exception), ``side effects`` (an argument changed,
      or an earlier result changed by a later call) and ``determinism`` (two calls that
      disagree), on finite floating inputs;
    * when asked: ``non-finite inputs`` (``nonfinite=True``), ``integer and bool w``
      (``dtypes`` naming them), ``gradients`` (``grad=True``), or all of them (``strict=True``).

    A clause not asked for is never judged, and the report says how to turn it on. Each
    failing clause is shrunk on its own to a minimal case, whatever else fails; its text shows
    the case's inputs and a reproduction, and the wrong values are diagnosed. Every failure
    is a verdict, never a traceback.

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
    backend : {"auto", "numpy", "torch", "cupy", "jax", "array_api_strict"}, default "auto"
        The array library the candidate's inputs are given in. ``"auto"`` finds the library
        the candidate works in by a tiny call in each installed one, NumPy first; the report
        says which and why.
    grad : bool, default False
        Also judge the candidate's gradients (PyTorch or JAX) against :func:`reference_vjp`.
    nonfinite : bool, default False
        Also judge non-finite inputs (``inf``, ``-inf``, ``nan`` in ``w`` and the inputs, beside
        exact zeros): SPEC's non-finite rule.
    strict : bool, default False
        Judge every clause: non-finite inputs, integer and bool ``w`` (``int64`` and ``bool``
        join ``dtypes``) and, with PyTorch or JAX, gradients.
    dtypes : sequence of str, default ("float64", "float32")
        The dtypes of ``w`` (and of the fusion inputs) to try. Naming an integer or bool dtype
        judges the promotion clause: the output must then be floating.
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
        Called as ``progress(i, case)`` after each case: ``i`` counts every case run so far,
        and ``case.phase`` says whether it was an edge, a drawn case or one of the shrinking's.

    Raises
    ------
    TypeError
        ``examples``, ``max_side`` or ``max_rows`` not an integer, ``dtypes`` not a sequence of
        dtype names (a single string is refused), ``target`` not a string, ``config`` not a dict.
    MemoryLimitError
        ``config``'s ``w``, inputs or output over the memory guard's limit.
    RefimplError
        ``examples < 1``, ``max_side < 1``, ``max_rows < 0``, an invalid ``config``, ``grad=True``
        with a library without autodiff (NumPy, ``array_api_strict``), or a dtype
        of ``dtypes`` that the backend cannot hold here: JAX holds no float64 unless
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
    [every call returns] duplicated_padding(n=2, D=1, p=2, q=1), float64: the candidate raised RuntimeError: p > 1 is not supported
    >>> report.clauses["values"].passed, report.clauses["returns"].passed
    (True, False)
    """
    __tracebackhide__ = True  # pytest: a failure shows the report, not refimpl's frames
    spec = get_function(function)
    settings = checked_settings(
        examples=examples,
        seed=seed,
        backend=backend,
        dtypes=dtypes,
        max_side=max_side,
        max_rows=max_rows,
        grad=grad,
        nonfinite=nonfinite,
        strict=strict,
    )
    name, importable = _names(candidate, checked_target(target))
    config = None if config is None else checked_config(spec, config)
    adapted, note = adapt(candidate, spec), ""
    if backend == "auto":
        backend, note = choose_backend(adapted, spec, settings)
        settings = dataclasses.replace(settings, backend=backend)
    if settings.grad and backend not in ("torch", "jax"):
        raise RefimplError(
            f"grad=True judges gradients by the candidate's autodiff: it needs backend 'torch' or 'jax' "
            f"(or 'auto', which finds one), got backend {backend!r}"
        )
    xp = backend_namespace(backend)
    _check_dtypes_held(xp, backend, settings.dtypes)
    harness = Harness(spec, adapted, xp, settings, promotes_in_matmul(xp))
    report = run(harness, name, importable, config=config, progress=progress)
    report.backend_note = note
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
