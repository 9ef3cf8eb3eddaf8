"""What a failure's text says: the settings a check ran with, the reproduction, the message.

:func:`failure_message` writes the failure text that both ``check`` and
``assert_close_to_reference`` print: the entries off, the worst one, the seed, a reproduction
(:func:`reproduction`, as a command and as a Python line that run as printed) and the diagnosis.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ...functions import Function
from ..diagnosis import Diagnosis
from ..judgement import Judgement

__all__ = ["Reproduction", "Settings", "failure_message", "jsonable", "reproduction"]


@dataclass(frozen=True)
class Settings:
    """The settings a :func:`refimpl.testing.check` ran with: what its reproduction line repeats.

    Examples
    --------
    >>> from refimpl.oracle.check._reproduction import Settings
    >>> Settings(examples=50, seed=3).backend, Settings().max_rows
    ('numpy', 64)
    """

    examples: int = 100
    seed: int = 0
    backend: str = "numpy"
    dtypes: tuple[str, ...] = ("float64", "float32")
    max_side: int = 4
    max_rows: int = 64
    grad: bool = False
    nonfinite: bool = False
    strict: bool = False

    @property
    def judges_nonfinite(self) -> bool:
        """Whether non-finite inputs are judged (``nonfinite=True`` or ``strict=True``)."""
        return self.nonfinite or self.strict

    @property
    def judges_promotion(self) -> bool:
        """Whether integer or bool ``w`` is judged (named in ``dtypes``, as ``strict=True`` does)."""
        return any(np.dtype(d).kind in "biu" for d in self.dtypes)

    @property
    def judges_gradients(self) -> bool:
        """Whether gradients are judged (``grad=True``, or ``strict=True`` with an autodiff library)."""
        return self.grad or (self.strict and self.backend in ("torch", "jax"))


class Reproduction(NamedTuple):
    """How to run a failing case again: a command and a Python line (``None`` with ``note`` when not importable)."""

    command: str | None
    python: str
    note: str = ""


def jsonable(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` as JSON has it: tuples as lists, NumPy integers as ints.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl.oracle.check._reproduction import jsonable
    >>> jsonable({"dims": (2, np.int64(3)), "batch": (), "n": np.int64(4)})
    {'dims': [2, 3], 'batch': [], 'n': 4}
    """

    def plain(v: Any) -> Any:
        if isinstance(v, (tuple, list)):
            return [plain(x) for x in v]
        return v.item() if isinstance(v, np.generic) else v

    return {k: plain(v) for k, v in config.items()}


def reproduction(
    spec: Function,
    config: dict[str, Any],
    dtype: str | tuple[str, ...],
    settings: Settings | None,
    target: str | None,
    name: str = "candidate",
) -> Reproduction:
    """The command and the Python line that try exactly this configuration again, in ``dtype``
    (or several dtypes: ``w``'s and the inputs').

    ``target`` is the candidate's importable ``MODULE:CALLABLE``, or ``None`` for one defined
    in ``__main__`` or inside a function (``name`` is then shown in its place).

    Examples
    --------
    >>> from refimpl.oracle.check._reproduction import Settings, reproduction
    >>> from refimpl.functions import get_function
    >>> r = reproduction(get_function("duplicated_padding"), {"n": 2, "D": 2, "p": 1, "q": 1}, "float32",
    ...                  Settings(examples=20, seed=3), "mymodule:pad")
    >>> print(r.command)
    refimpl check mymodule:pad --function duplicated_padding --config '{"n": 2, "D": 2, "p": 1, "q": 1}' --backend numpy --dtypes float32 --seed 3 --examples 20 --max-side 4 --max-rows 64
    >>> print(r.python)
    import refimpl.testing, mymodule; print(refimpl.testing.check(mymodule.pad, 'duplicated_padding', config={'n': 2, 'D': 2, 'p': 1, 'q': 1}, backend='numpy', dtypes=('float32',), seed=3, examples=20, max_side=4, max_rows=64))
    """
    s = settings or Settings()
    plain = jsonable(config)
    names = (dtype,) if isinstance(dtype, str) else tuple(dtype)
    switches = [name for name in ("grad", "nonfinite", "strict") if getattr(s, name)]
    flags = "".join(f" --{name}" for name in switches)
    keywords = (
        f"config={plain!r}, backend={s.backend!r}, dtypes={names!r}, seed={s.seed!r}, examples={s.examples}, "
        f"max_side={s.max_side}, max_rows={s.max_rows}" + "".join(f", {name}=True" for name in switches)
    )
    if target is None:
        note = (
            f"{name} is defined in __main__ or inside a function, so it cannot be reproduced by name; "
            "move it to a module to get a command, or pass it to this call"
        )
        return Reproduction(None, f"refimpl.testing.check({name}, {spec.name!r}, {keywords})", note)
    module, _, attribute = target.partition(":")
    command = (
        f"refimpl check {target} --function {spec.name} --config {shlex.quote(json.dumps(plain))} "
        f"--backend {s.backend} --dtypes {','.join(names)} --seed {s.seed} --examples {s.examples} "
        f"--max-side {s.max_side} --max-rows {s.max_rows}{flags}"
    )
    python = f"import refimpl.testing, {module}; print(refimpl.testing.check({module}.{attribute}, {spec.name!r}, {keywords}))"
    return Reproduction(command, python)


def failure_message(
    spec: Function,
    config: dict[str, Any],
    dtype: Any,
    verdict: Judgement,
    seed: Any,
    target: str | None,
    diagnosis: Diagnosis | None = None,
    reproduce: Reproduction | None = None,
    backend: str = "numpy",
) -> str:
    """The text of one failure: what is off, the worst entry, the seed, a reproduction, the diagnosis."""
    head = f"{spec.describe(config)}, {np.dtype(dtype)}: "
    lines = [head + (verdict.problem or f"{verdict.wrong} of {verdict.total} entries are off")]
    if verdict.worst:
        w = verdict.worst
        lines.append(
            f"  worst entry {w['index']}: expected {w['expected']!r}, actual {w['actual']!r}, "
            f"error {w['error']:.3g}, allowed {w['allowed']:.3g}"
            + (" (exact check)" if verdict.exact else f" (gamma_K u |.| bound, K={verdict.K})")
        )
    if seed is not None:
        lines.append(f"  seed: {seed}")
    if reproduce is None:  # one output (assert_close_to_reference): the check of a candidate on this case
        lines.append(
            f"  reproduce: refimpl.testing.check(candidate, {spec.name!r}, config={jsonable(config)!r}, "
            f"backend={backend!r}, dtypes=({str(np.dtype(dtype))!r},), seed={0 if seed is None else seed!r})"
        )
    elif reproduce.note:
        lines.append(f"  reproduce: {reproduce.note}:")
        lines.append(f"    {reproduce.python}")
    else:
        lines.append(f"  reproduce: {reproduce.command}")
        lines.append(f"  or in Python: {reproduce.python}")
    if diagnosis is not None:
        lines.append("  diagnosis: " + str(diagnosis).replace("\n", "\n  "))
    return "\n".join(lines)
