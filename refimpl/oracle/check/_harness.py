"""One case of a check: the candidate run on it, and what it did judged.

A :class:`Harness` is a candidate, adapted (``_candidates``), with the array library and the
settings it is checked under. :meth:`Harness.case` runs it on one drawn case and judges what it
did, never raising: its output (and, with ``grad=True``, its gradients, ``_gradient``), an
exception it raised, an argument it changed in place. The search (``_search``), the second
calls (``_calls``) and the diagnosis' reruns (``_run``) all go through it.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np

from ..._outputs import to_numpy
from ...functions import Function
from ..judgement import Judgement
from ..tolerance import judge_output
from ._candidates import ArgumentModified, in_backend
from ._gradient import gradient_verdict
from ._reports import CaseResult, ConformanceError
from ._reproduction import Settings

__all__ = ["Harness", "Outcome", "dense", "quiet", "raised"]


class Outcome(NamedTuple):
    """One call as run: its result, the case drawn, the candidate's output, the exception it raised."""

    case: CaseResult
    drawn: Any
    actual: Any
    error: BaseException | None = None


def raised(exc: BaseException) -> str:
    """An exception as a verdict names it: ``"RuntimeError: message"``."""
    return f"{type(exc).__name__}: {exc}"


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """No numerical warnings (the cases hold inf and nan on purpose), whatever the caller's filters say."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def dense(actual: Any) -> np.ndarray | None:
    """The candidate's output as NumPy; ``None`` when it gave none, or one that cannot be read."""
    try:
        return None if actual is None else to_numpy(actual)
    except Exception:
        return None


@dataclass
class Harness:
    """A candidate, adapted, with the array library and the settings it is checked under."""

    spec: Function
    candidate: Any
    xp: ModuleType
    settings: Settings

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
        with quiet():
            return self.candidate.call(drawn.config, inputs, drawn.omitted)

    def case(self, drawn: Any) -> Outcome:
        """Run the candidate on one case and judge what it did: its output (and gradients), or what it raised."""

        def failed(problem: str, exc: BaseException, text: str = "") -> Outcome:
            return Outcome(
                CaseResult(
                    drawn.config, drawn.dtype, Judgement(False, problem), raised=text, omitted=drawn.omitted
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
            return failed(f"the candidate raised {raised(exc)}", exc, text=raised(exc))
        try:
            with quiet():
                verdict = judge_output(actual, self.spec, drawn.config, drawn.inputs, drawn.dtype)
        except Exception as exc:
            verdict = Judgement(False, f"refimpl could not read the output ({raised(exc)})")
        arrays = [np.asarray(a) for a in [drawn.inputs["w"], *drawn.inputs.get("inputs", [])]]
        differentiable = all(
            a.dtype.kind in "fc" and np.all(np.isfinite(a)) for a in arrays
        )  # no gradient of inf
        gradient = self.gradient(drawn) if self.settings.grad and verdict.passed and differentiable else None
        return Outcome(
            CaseResult(drawn.config, drawn.dtype, verdict, gradient, omitted=drawn.omitted), drawn, actual
        )

    def gradient(self, drawn: Any) -> Judgement:
        """The verdict on the candidate's gradients on one case (:func:`refimpl.oracle.check._gradient.gradient_verdict`)."""

        def run(c: dict[str, Any], given: dict[str, Any]) -> Any:
            return self.candidate.call(c, given, drawn.omitted)

        return gradient_verdict(self.spec, run, drawn, self.settings.backend)
