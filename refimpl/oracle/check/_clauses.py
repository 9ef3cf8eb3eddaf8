"""The clauses a check judges (SPEC, "What a check judges"), and the verdict on each.

By default: the values, shape and dtype of the outputs, the sparse structure (where a function
has one), that every call returns, side effects and determinism, on finite floating inputs.
When asked: non-finite inputs, integer and bool ``w`` (promotion), gradients. Each clause judged
gets its own verdict and its own minimal failing case (:class:`ClauseVerdict`); a clause not
judged is named with the option that turns it on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...functions import Function
from ..diagnosis import Diagnosis
from ._reproduction import Settings

__all__ = ["CLAUSES", "ClauseVerdict", "judged_clauses"]

#: Every clause, in the order the report lists them: its name in the report, and what turns it
#: on when a default check does not judge it.
CLAUSES: dict[str, tuple[str, str]] = {
    "values": ("values", ""),
    "shape": ("shape", ""),
    "dtype": ("dtype", ""),
    "structure": ("sparse structure", ""),
    "returns": ("every call returns", ""),
    "side effects": ("side effects", ""),
    "determinism": ("determinism", ""),
    "non-finite": ("non-finite inputs", "nonfinite=True, --nonfinite, or strict=True"),
    "promotion": ("integer and bool w", "dtypes naming 'int64' or 'bool' (--dtypes), or strict=True"),
    "gradients": ("gradients", "grad=True, --grad, or strict=True (PyTorch or JAX)"),
}


def judged_clauses(spec: Function, settings: Settings) -> list[str]:
    """The clauses a check with ``settings`` judges, in :data:`CLAUSES`' order."""
    optional = {
        "structure": spec.name == "duplicated_diagonal_padding",
        "non-finite": settings.judges_nonfinite,
        "promotion": settings.judges_promotion,
        "gradients": settings.judges_gradients,
    }
    return [name for name in CLAUSES if optional.get(name, True)]


@dataclass
class ClauseVerdict:
    """The verdict on one clause of a check.

    Attributes
    ----------
    name : str
        The clause (a key of :data:`CLAUSES`).
    judged : bool
        Whether the check judged it.
    passed : bool
        Whether every case judged on it passed (``True`` when not judged).
    cases : int
        How many cases failed it.
    failure : str
        The text of its minimal failing case: inputs, what is off, reproduction, diagnosis.
    minimal : Any
        That case (:class:`refimpl.oracle.check._harness.Outcome`), or ``None``.
    diagnosis : Diagnosis, optional
        The catalogued mistakes that reproduce its failures (the value clauses).
    """

    name: str
    judged: bool
    passed: bool = True
    cases: int = 0
    failure: str = ""
    minimal: Any = None
    diagnosis: Diagnosis | None = None

    def line(self) -> str:
        """One line of the report: ``values  PASS``, ``dtype  FAIL (3 cases): ...``, ``gradients  not judged (...)``."""
        label, option = CLAUSES[self.name]
        if not self.judged:
            return f"  {label:<22} not judged (turn on: {option})"
        if self.passed:
            return f"  {label:<22} PASS"
        first = self.failure.splitlines()[0] if self.failure else ""
        return f"  {label:<22} FAIL ({self.cases} case{'s' if self.cases != 1 else ''}): {first}"
