"""``refimpl check [MODULE:CALLABLE --function NAME]``: run the oracle on a candidate.

With no target it runs on the two implementations of :mod:`refimpl.examples`, a faithful one
and one that reads ``w`` in column-major order, to show what a pass and a failure look like.
The options and their defaults are :func:`refimpl.testing.check`'s; ``--plot FILE`` draws the
minimal failing case with :func:`refimpl.plotting.plot_failure` (the oracle sits below the
plotting layer, so the drawing is done here, on the report).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..oracle.adapters import load_target
from ..oracle.check import DEFAULT_DTYPES, DEFAULT_EXAMPLES, DEFAULT_MAX_ROWS, DEFAULT_MAX_SIDE, check
from ..oracle.registry import FUNCTIONS
from . import CommandError
from ._args import backend

__all__ = ["DESCRIPTION", "add_arguments", "run"]

DESCRIPTION = (
    "Drive Hypothesis over valid configurations with a candidate implementation; "
    "exit 0 only when every case passes."
)

#: The shipped examples ``refimpl check`` runs with no target.
EXAMPLES = ("refimpl.examples:faithful_dual_lphm", "refimpl.examples:column_major_dual_lphm")
INTRO = (
    "refimpl check with no target runs the oracle on two example implementations of dual_lphm\n"
    "shipped for this purpose: a faithful one, and one that reads w in column-major order.\n"
    "Check yours with: refimpl check MODULE:CALLABLE --function NAME\n\n"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The candidate, the function it implements and the oracle's settings (``check``'s defaults)."""
    parser.add_argument("target", nargs="?", metavar="MODULE:CALLABLE", help="the candidate (a function or class)")
    parser.add_argument("--function", choices=list(FUNCTIONS), help="the refimpl function it implements")
    parser.add_argument("--examples", type=_at_least(1), default=DEFAULT_EXAMPLES,
                        help=f"cases to draw (default {DEFAULT_EXAMPLES})")
    parser.add_argument("--seed", type=int, default=0, help="Hypothesis seed (default 0)")
    parser.add_argument("--backend", dest="check_backend", default="numpy",
                        choices=("numpy", "torch", "cupy", "jax", "array_api_strict"), help="the inputs' array library")
    parser.add_argument("--dtypes", default=",".join(DEFAULT_DTYPES), type=_dtypes,
                        help=f"comma-separated dtypes of w to try (default {','.join(DEFAULT_DTYPES)})")
    parser.add_argument("--max-side", type=_at_least(1), default=DEFAULT_MAX_SIDE,
                        help=f"the largest p, q, s, t and input width (default {DEFAULT_MAX_SIDE})")
    parser.add_argument("--max-rows", type=_at_least(0), default=DEFAULT_MAX_ROWS,
                        help=f"the most rows of a fusion's inputs (default {DEFAULT_MAX_ROWS})")
    parser.add_argument("--grad", action="store_true", help="also check gradients (PyTorch or JAX candidates)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--config", help="JSON: try only this configuration (a failure report's reproduction line)")
    parser.add_argument("--plot", metavar="FILE", help="draw the minimal failing case to FILE (.png, .svg, .pdf)")


def run(args: argparse.Namespace) -> int:
    """Check the candidate (or the two examples) and print the report; 0 when it passes, else 1."""
    with backend(args):
        if args.target is None:
            reports = [_check(args, target, "dual_lphm", None) for target in EXAMPLES]
            text = json.dumps([r.to_json() for r in reports], indent=1) if args.json else (
                INTRO + "\n\n".join(str(r) for r in reports))
            status = 0
        else:
            reports = [_check(args, args.target, args.function, args.config)]
            text = json.dumps(reports[0].to_json(), indent=1) if args.json else str(reports[0])
            status = 0 if reports[0].passed else 1
        if args.plot:
            _plot(args.plot, reports)
    print(text)
    return status


def _check(args: argparse.Namespace, target: str, function: str | None, config: str | None) -> Any:
    """The report of ``check`` on ``target``, with ``--config`` (JSON) if given."""
    if function is None:
        raise CommandError("refimpl check MODULE:CALLABLE needs --function NAME")
    fixed = _config(config)
    try:
        candidate = load_target(target)
    except ImportError as exc:  # the candidate's module (or one it imports) is not importable
        raise CommandError(str(exc)) from exc
    try:
        return check(candidate, function, target=target, config=fixed, examples=args.examples, seed=args.seed,
                     backend=args.check_backend, grad=args.grad, dtypes=args.dtypes, max_side=args.max_side,
                     max_rows=args.max_rows, raise_on_failure=False, progress=_progress)
    except ImportError as exc:  # the inputs' array library, or Hypothesis, is not installed: it says which
        raise CommandError(str(exc)) from exc


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


def _at_least(least: int) -> Any:
    """An argparse type: an integer of at least ``least``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}, got {value}")
        return value

    return parse


def _dtypes(text: str) -> tuple[str, ...]:
    """``--dtypes``: comma-separated dtype names."""
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    if not names:
        raise argparse.ArgumentTypeError("--dtypes needs at least one dtype name, e.g. float64,float32")
    return names


def _config(text: str | None) -> dict[str, Any] | None:
    """``--config``: a JSON object, or ``None``."""
    if text is None:
        return None
    try:
        config = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"--config is not JSON: {exc}") from exc
    if not isinstance(config, dict):
        raise CommandError(f"--config must be a JSON object of the configuration keys, got {text}")
    return config


def _progress(i: int, case: Any) -> None:
    if i % 25 == 0:
        print(f"  ... {i} cases checked", file=sys.stderr, flush=True)
