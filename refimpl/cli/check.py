"""``refimpl check [MODULE:CALLABLE --function NAME]``: run the oracle on a candidate.

With no target it runs on the two implementations of :mod:`refimpl.examples`, a faithful one
and one that reads ``w`` in column-major order, to show what a pass and a failure look like.
The options and their defaults are :func:`refimpl.testing.check`'s; ``--plot FILE`` draws the
minimal failing case with :func:`refimpl.plotting.plot_failure` (the oracle sits below the
plotting layer, so the drawing is done here, on the report).

The candidate is imported as ``python -m`` would: the current folder comes first on
``sys.path`` while it is checked, so ``refimpl check mycand:f`` works in the folder holding
``mycand.py``; a module that cannot be imported is reported as its file, line and message
(exit 2). ``--config`` is checked against the function's arguments before anything runs
(:func:`configuration`). The progress on stderr names the first failing case, counts the
cases drawn out of ``--examples`` (``25/100 drawn cases checked``; the edge cases run before
them), and then the cases the shrinking tries, which have no total.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from .. import examples
from ..functions import FUNCTIONS, get_function
from ..oracle.check import DEFAULT_DTYPES, DEFAULT_EXAMPLES, DEFAULT_MAX_ROWS, DEFAULT_MAX_SIDE, check
from ..oracle.check._arguments import checked_config
from ..oracle.targets import load_target
from . import EXIT_FAILED, EXIT_OK, CommandError
from ._args import backend

__all__ = ["DESCRIPTION", "add_arguments", "run"]

DESCRIPTION = (
    "Drive Hypothesis over valid configurations with a candidate implementation; "
    "exit 0 only when every case passes."
)

#: The clauses a default check does not judge, each turned on by its switch.
SWITCHES = {
    "grad": "also judge gradients (PyTorch or JAX candidates)",
    "nonfinite": "also judge non-finite inputs (inf, -inf, nan)",
    "strict": "judge every clause: non-finite inputs, integer and bool w, gradients (PyTorch, JAX)",
}

#: The largest ``--max-side`` and ``--max-rows``: the cases drawn stay small enough to check in
#: memory (a side of 32 already gives 1024 x 1024 matrices; bugs show on small cases).
MAX_SIDE, MAX_ROWS = 32, 4096

#: The shipped examples ``refimpl check`` runs with no target.
EXAMPLES = ("refimpl.examples:faithful_dual_lphm", "refimpl.examples:column_major_dual_lphm")
INTRO = (
    "refimpl check with no target runs the oracle on two example implementations of dual_lphm\n"
    "shipped for this purpose: a faithful one, and one that reads w in column-major order.\n"
    "Check yours with: refimpl check MODULE:CALLABLE --function NAME\n\n"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The candidate, the function it implements and the oracle's settings (``check``'s defaults)."""
    parser.add_argument(
        "target", nargs="?", metavar="MODULE:CALLABLE", help="the candidate (a function or class)"
    )
    parser.add_argument("--function", choices=list(FUNCTIONS), help="the refimpl function it implements")
    parser.add_argument(
        "--examples",
        type=_at_least(1),
        default=DEFAULT_EXAMPLES,
        help=f"cases to draw (default {DEFAULT_EXAMPLES})",
    )
    parser.add_argument("--seed", type=int, default=0, help="Hypothesis seed (default 0)")
    parser.add_argument(
        "--backend",
        dest="check_backend",
        default="auto",
        choices=("auto", "numpy", "torch", "cupy", "jax", "array_api_strict"),
        help="the inputs' array library (default auto: the one the candidate works in, NumPy first)",
    )
    parser.add_argument(
        "--dtypes",
        default=",".join(DEFAULT_DTYPES),
        type=_dtypes,
        help=f"comma-separated dtypes of w to try (default {','.join(DEFAULT_DTYPES)}); "
        "naming int64 or bool judges integer and bool w",
    )
    parser.add_argument(
        "--max-side",
        type=_at_least(1, MAX_SIDE),
        default=DEFAULT_MAX_SIDE,
        help=f"the largest p, q, s, t and input width, at most {MAX_SIDE} (default {DEFAULT_MAX_SIDE})",
    )
    parser.add_argument(
        "--max-rows",
        type=_at_least(0, MAX_ROWS),
        default=DEFAULT_MAX_ROWS,
        help=f"the most rows of a fusion's inputs, at most {MAX_ROWS} (default {DEFAULT_MAX_ROWS})",
    )
    for switch, what in SWITCHES.items():
        parser.add_argument(f"--{switch}", action="store_true", help=what)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--config", help="JSON: try only this configuration (a failure report's reproduction line)"
    )
    parser.add_argument(
        "--plot", metavar="FILE", help="draw the minimal failing case to FILE (.png, .svg, .pdf)"
    )


def run(args: argparse.Namespace) -> int:
    """Check the candidate (or the two examples) and print the report; 0 when it passes, else 1."""
    if args.target is None and (args.function is not None or args.config is not None):
        given = " and ".join(
            o for o, v in (("--function", args.function), ("--config", args.config)) if v is not None
        )
        verb = "need" if " and " in given else "needs"
        raise CommandError(
            f"{given} {verb} a candidate: refimpl check MODULE:CALLABLE --function NAME "
            "(with no candidate, refimpl check runs its two shipped examples)"
        )
    if args.target is not None and args.function is None:
        raise CommandError("refimpl check MODULE:CALLABLE needs --function NAME")
    if args.plot:
        _image_format(args.plot)
    with backend(args), current_folder_first():
        if args.target is None:
            reports = [_check(args, target, examples.FUNCTION, None) for target in EXAMPLES]
            text = (
                json.dumps([r.to_json() for r in reports], indent=1)
                if args.json
                else (INTRO + "\n\n".join(str(r) for r in reports))
            )
            status = EXIT_OK
        else:
            fixed = configuration(args.function, args.config)
            reports = [_check(args, args.target, args.function, fixed)]
            text = json.dumps(reports[0].to_json(), indent=1) if args.json else str(reports[0])
            status = EXIT_OK if reports[0].passed else EXIT_FAILED
        if args.plot:
            _plot(args.plot, reports)
    print(text)
    return status


@contextlib.contextmanager
def current_folder_first() -> Iterator[None]:
    """Within: the current folder first on ``sys.path``, as ``python -m`` puts it (then as it was)."""
    here = os.getcwd()
    if sys.path and sys.path[0] in ("", here):
        yield
        return
    sys.path.insert(0, here)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(here)


def _check(args: argparse.Namespace, target: str, function: str, config: dict[str, Any] | None) -> Any:
    """The report of ``check`` on ``target``, with the configuration of ``--config`` if given."""
    candidate = load_target(target)  # a module that cannot be imported: RefimplError, its file and line
    try:
        return check(
            candidate,
            function,
            target=target,
            config=config,
            examples=args.examples,
            seed=args.seed,
            backend=args.check_backend,
            grad=args.grad,
            nonfinite=args.nonfinite,
            strict=args.strict,
            dtypes=args.dtypes,
            max_side=args.max_side,
            max_rows=args.max_rows,
            raise_on_failure=False,
            progress=progress(args.examples),
        )
    except ImportError as exc:  # the inputs' array library, or Hypothesis, is not installed: it says which
        raise CommandError(str(exc)) from exc


def _image_format(file: str) -> None:
    """``--plot FILE``: refused before the check runs when FILE cannot be an image (or no matplotlib)."""
    try:
        from .plot import image_format

        image_format(file, "--plot")
    except ImportError as exc:  # matplotlib
        raise CommandError(
            f"--plot needs matplotlib, an optional dependency: pip install refimpl[docs] ({exc})"
        ) from exc


def _plot(file: str, reports: list[Any]) -> None:
    """``--plot FILE``: draw the first failing report's minimal case (nothing when all passed)."""
    failing = [r for r in reports if not r.passed]
    if not failing:
        print(f"refimpl check: every case passed, nothing drawn to {file}", file=sys.stderr)
        return
    from ..plotting import plot_failure

    try:
        plot_failure(failing[0], file)
    except ImportError as exc:  # matplotlib
        raise CommandError(str(exc)) from exc
    print(f"refimpl check: the minimal failing case drawn to {file}", file=sys.stderr)


def _at_least(least: int, most: int | None = None) -> Any:
    """An argparse type: an integer of at least ``least`` (and at most ``most``)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}, got {value}")
        if most is not None and value > most:
            raise argparse.ArgumentTypeError(f"must be at most {most}, got {value}")
        return value

    return parse


def _dtypes(text: str) -> tuple[str, ...]:
    """``--dtypes``: comma-separated dtype names."""
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    if not names:
        raise argparse.ArgumentTypeError("--dtypes needs at least one dtype name, e.g. float64,float32")
    return names


def configuration(function: str, text: str | None) -> dict[str, Any] | None:
    """``--config``: the JSON object checked against ``function``'s arguments, or ``None``.

    The keys are the registry's (:attr:`Function.config_keys`): an unknown key is refused
    and named, a missing required one (:attr:`Function.required_keys`) named; ``null``
    means left out (its default is used: ``q = p``, a fusion's ``n``; a candidate with a
    default of its own is called without it); a value of the wrong type is named. refimpl then
    checks the configuration (:meth:`Function.normalize`) and the memory guard its sizes.

    Examples
    --------
    >>> from refimpl.cli.check import configuration
    >>> configuration("duplicated_padding", '{"n": 4, "D": 6, "p": 2, "q": null}')
    {'n': 4, 'D': 6, 'p': 2}
    >>> configuration("duplicated_padding", '{"n": 4, "D": 6, "s": 2}')
    Traceback (most recent call last):
        ...
    refimpl.cli.CommandError: --config: duplicated_padding has no key 's' (its keys: n, D, p, q); missing: p
    """
    if text is None:
        return None
    try:
        config = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"--config is not JSON: {exc}") from exc
    if not isinstance(config, dict):
        raise CommandError(f"--config must be a JSON object of the configuration keys, got {text}")
    spec = get_function(function)
    given = {key: value for key, value in config.items() if value is not None}
    unknown = [key for key in config if key not in spec.config_keys]
    missing = [key for key in spec.required_keys if key not in given]
    if unknown or missing:
        parts = (
            [
                f"{spec.name} has no key {', '.join(map(repr, unknown))} (its keys: {', '.join(spec.config_keys)})"
            ]
            if unknown
            else []
        ) + ([f"missing: {', '.join(missing)}"] if missing else [])
        raise CommandError(f"--config: {'; '.join(parts)}")
    for key, value in given.items():
        _check_type(key, value)
    checked_config(spec, given, label="--config")
    return given


def _check_type(key: str, value: Any) -> None:
    """A configuration value is an int (``dims`` and ``batch``: a list of them); ``m`` and ``batch`` not negative."""

    def integer(x: Any) -> bool:
        return isinstance(x, int) and not isinstance(x, bool)

    listed = key in ("dims", "batch")
    if not (isinstance(value, list) and all(integer(x) for x in value) if listed else integer(value)):
        kind = "a list of integers" if listed else "an integer"
        raise CommandError(f"--config: {key} must be {kind}, got {json.dumps(value)}")
    if key in ("m", "batch") and any(x < 0 for x in (value if listed else [value])):
        raise CommandError(f"--config: {key} must not be negative, got {json.dumps(value)}")


def progress(examples: int) -> Callable[[int, Any], None]:
    """The progress on stderr, by the phase of each case (:attr:`refimpl.testing.CaseResult.phase`):
    the first failure, ``25/100 drawn cases checked``, then the shrinking's count."""
    seen: Counter[str] = Counter()  # cases by phase
    failed: list[bool] = []  # whether a case failed before the shrinking

    def say(text: str) -> None:
        print(f"  ... {text}", file=sys.stderr, flush=True)

    def report(i: int, case: Any) -> None:
        seen[case.phase] += 1
        count = seen[case.phase]
        if case.phase != "shrinking" and not case.passed and not failed:
            failed.append(True)
            where = f"edge case {count}" if case.phase == "edge" else f"drawn case {count}/{examples}"
            say(f"{where} failed; the draws go on, then each failing clause is shrunk to a minimal case")
        if case.phase == "drawn" and (count % 25 == 0 or count == examples):
            say(f"{count}/{examples} drawn cases checked")
        elif case.phase == "shrinking" and count % 25 == 0:
            say(f"shrinking: {count} cases tried")

    return report
