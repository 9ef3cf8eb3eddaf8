"""One case of a check: the candidate run on it, and what it did judged clause by clause.

A :class:`Harness` is a candidate, adapted (``_candidates``), with the array library and the
settings it is checked under. :meth:`Harness.case` runs it on one drawn case and judges every
clause (SPEC, "What a check judges"), never raising. One configuration's callable (a class's
one instance) is called three times, so that none of SPEC's side effects can hide:

1. on other values (``w`` and the inputs flipped and negated): a layer that keeps its first
   result, or a buffer shared by every call, shows in what follows;
2. on the case: its output judged (values, shape, dtype, sparse structure), its arguments
   compared with a snapshot, and the result of call 1 compared with what it held before;
3. on the case again, with fresh copies: both calls must agree (determinism).

The values of a case with non-finite inputs count for the non-finite clause, those of an
integer or bool ``w`` for the promotion clause (:attr:`Case.clause`), as does an exception on
such a case. The search (``_search``) and the diagnosis' reruns (``_run``) go through here.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np

from ..._outputs import to_numpy
from ...functions import Function
from ..judgement import Judgement
from ..tolerance import judge_clauses
from ._calls import disagreement
from ._candidates import in_backend
from ._gradient import gradient_verdict
from ._layouts import laid_out
from ._reports import CaseResult, ConformanceError
from ._reproduction import Settings

__all__ = ["Call", "Harness", "Outcome", "dense", "quiet", "raised"]


class Outcome(NamedTuple):
    """One case as run: its verdicts, the case drawn, the candidate's output, the exception it raised."""

    case: CaseResult
    drawn: Any
    actual: Any
    error: BaseException | None = None


class Call(NamedTuple):
    """One call of the candidate: its output, the exception it raised, the argument it changed."""

    actual: Any = None
    error: BaseException | None = None
    side_effect: str | None = None


def raised(exc: BaseException) -> str:
    """An exception as a verdict names it: ``"RuntimeError: message"``."""
    return f"{type(exc).__name__}: {exc}"


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """No numerical warnings (the cases hold inf and nan on purpose), whatever the caller's filters say."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)  # PyTorch on read-only NumPy arrays
        yield


def dense(actual: Any) -> np.ndarray | None:
    """The candidate's output as NumPy; ``None`` when it gave none, or one that cannot be read."""
    try:
        return None if actual is None else to_numpy(actual)
    except Exception:
        return None


def _other(a: np.ndarray) -> np.ndarray:
    """Other values of the same shape and dtype: flipped, and negated (bools inverted)."""
    flipped: np.ndarray = np.flip(a).copy()
    other: np.ndarray = ~flipped if flipped.dtype.kind == "b" else -flipped
    return other


@dataclass
class Harness:
    """A candidate, adapted, with the array library and the settings it is checked under."""

    spec: Function
    candidate: Any
    xp: ModuleType
    settings: Settings
    #: whether the cases mix floating dtypes (:func:`refimpl.oracle.check._candidates.promotes_in_matmul`)
    mixed: bool = True

    def given(self, drawn: Any, inputs: dict[str, Any] | None = None) -> dict[str, Any]:
        """Fresh copies of the case's arrays, in its memory layout, in the backend's arrays."""
        arrays = laid_out(copy.deepcopy(drawn.inputs if inputs is None else inputs), drawn.layout)
        try:
            return in_backend(self.xp, arrays)
        except Exception:  # a layout the library cannot take (a zero stride): contiguous copies
            return in_backend(self.xp, copy.deepcopy(drawn.inputs if inputs is None else inputs))

    def call(self, drawn: Any) -> Any:
        """The candidate's output for a case (an exception of the candidate propagates)."""
        with quiet():
            return self.candidate.call(drawn.config, self.given(drawn), drawn.omitted)

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
        return drawn if default == drawn.dtype else dataclasses.replace(drawn, dtype=default)

    def case(self, drawn: Any) -> Outcome:
        """Run the candidate on one case and judge every clause; never raises."""
        drawn = self.adjusted(drawn)
        family = drawn.clause
        try:
            run = self.candidate.session(drawn.config, drawn.omitted)
        except ConformanceError as exc:  # a class whose calculate_l is wrong
            return self._outcome(drawn, {"shape": Judgement(False, str(exc))}, Call(error=exc))
        except Exception as exc:
            return self._outcome(drawn, _raising(family, exc), Call(error=exc))
        other = {k: [_other(a) for a in v] if k == "inputs" else _other(v) for k, v in drawn.inputs.items()}
        earlier = self._call(run, drawn, other)
        kept = dense(earlier.actual)
        kept = None if kept is None else kept.copy()
        first = self._call(run, drawn)
        verdicts = _raising(family, first.error) if first.error is not None else self._judged(drawn, first)
        if first.side_effect:
            verdicts["side effects"] = Judgement(False, f"side effect: {first.side_effect}")
        changed = _changed(kept, earlier.actual)
        if changed:
            verdicts["side effects"] = Judgement(
                False,
                f"side effect: the result of call 1 (other w and inputs) changed after call 2 (this case): {changed}",
            )
        problem = disagreement(self.spec, drawn, first, self._call(run, drawn))
        if problem:
            verdicts["determinism"] = Judgement(False, problem)
        if self.settings.judges_gradients and family == "values" and all(v.passed for v in verdicts.values()):
            verdicts["gradients"] = self.gradient(drawn)
        return self._outcome(drawn, verdicts, first)

    def _call(self, run: Callable[[dict[str, Any]], Any], drawn: Any, inputs: Any = None) -> Call:
        try:
            with quiet():
                actual, problem = run(self.given(drawn, inputs))
        except Exception as exc:
            return Call(error=exc)
        return Call(actual, None, problem)

    def _judged(self, drawn: Any, call: Call) -> dict[str, Judgement]:
        """The output's clauses (:func:`judge_clauses`), its values and dtype counted for the case's clause."""
        try:
            with quiet():
                verdicts = judge_clauses(call.actual, self.spec, drawn.config, drawn.inputs, drawn.dtype)
        except Exception as exc:
            verdicts = {"values": Judgement(False, f"refimpl could not read the output ({raised(exc)})")}
        family = drawn.clause
        if family != "values":  # the values and the dtype of this case judge its clause: the first failing
            judged = [verdicts.pop(name) for name in ("values", "dtype") if name in verdicts]
            verdicts[family] = next(
                (v for v in judged if not v.passed), judged[0] if judged else Judgement(True)
            )
        return verdicts

    def _outcome(self, drawn: Any, verdicts: dict[str, Judgement], call: Call) -> Outcome:
        failing = {k: v for k, v in verdicts.items() if not v.passed}
        first = next(iter(failing.values()), None) or verdicts.get(drawn.clause) or Judgement(True)
        text = raised(call.error) if call.error is not None else ""
        gradient = verdicts.get("gradients")
        case = CaseResult(
            drawn.config, drawn.dtype, first, gradient, raised=text, omitted=drawn.omitted, clauses=verdicts
        )
        return Outcome(case, drawn, call.actual, call.error)

    def gradient(self, drawn: Any) -> Judgement:
        """The verdict on the candidate's gradients on one case (:func:`refimpl.oracle.check._gradient.gradient_verdict`)."""

        def run(c: dict[str, Any], given: dict[str, Any]) -> Any:
            return self.candidate.call(c, given, drawn.omitted)

        try:
            return gradient_verdict(self.spec, run, drawn, self.settings.backend)
        except Exception as exc:
            return Judgement(False, f"the candidate's gradient raised {raised(exc)}")


def _raising(family: str, exc: BaseException) -> dict[str, Judgement]:
    """The verdict on a call that raised: the returns clause, or the case's own clause."""
    clause = "returns" if family == "values" else family
    return {clause: Judgement(False, f"the candidate raised {raised(exc)}")}


def _changed(kept: np.ndarray | None, actual: Any) -> str:
    """What changed in an earlier result since it was returned (``kept`` is its copy), or ``""``."""
    if kept is None or kept.dtype.kind not in "biufc":  # no array of numbers: its verdict says so
        return ""
    now = dense(actual)
    if now is None or now.shape != kept.shape:
        return "it no longer reads as the same array"
    with np.errstate(invalid="ignore"):
        differ = ~((now == kept) | (np.isnan(now) & np.isnan(kept)))
    if not np.any(differ):
        return ""
    index = tuple(int(i) for i in np.argwhere(differ)[0])
    return f"entry {index} was {kept[index].item()!r} and is now {now[index].item()!r}"
