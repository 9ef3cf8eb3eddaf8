"""``refimpl check [MODULE:CALLABLE --function NAME]``: run the oracle on a candidate.

With no target it runs on the two implementations of :mod:`refimpl.examples`, a faithful one
and one that reads ``w`` in column-major order, to show what a pass and a failure look like.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..oracle.adapters import load_target
from ..oracle.registry import FUNCTIONS
from . import CommandError
from ._args import backend

__all__ = ["DESCRIPTION", "SUMMARY", "add_arguments", "run"]

SUMMARY = "check an implementation against refimpl (no target: two shipped examples)"
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
    """The candidate, the function it implements and the oracle's settings."""
    parser.add_argument("target", nargs="?", metavar="MODULE:CALLABLE", help="the candidate (a function or class)")
    parser.add_argument("--function", choices=list(FUNCTIONS), help="the refimpl function it implements")
    parser.add_argument("--examples", type=int, default=100, help="configurations to try (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="Hypothesis seed (default 0)")
    parser.add_argument("--backend", dest="check_backend", default="numpy",
                        choices=("numpy", "torch", "cupy", "jax", "array_api_strict"), help="the inputs' array library")
    parser.add_argument("--grad", action="store_true", help="also check gradients (PyTorch or JAX candidates)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--config", help="JSON: try only this configuration (a failure report's reproduction line)")


def run(args: argparse.Namespace) -> int:
    """Check the candidate (or the two examples) and print the report; 0 when it passes, else 1."""
    with backend(args):
        if args.target is None:
            text = _examples(args)
            status = 0
        else:
            report = _check(args, args.target, args.function, args.config)
            text = json.dumps(report.to_json(), indent=1) if args.json else str(report)
            status = 0 if report.passed else 1
    print(text)
    return status


def _check(args: argparse.Namespace, target: str, function: str | None, config: str | None) -> Any:
    """The report of ``check`` on ``target``, with ``--config`` (JSON) if given."""
    from ..oracle.check import check

    if function is None:
        raise CommandError("refimpl check MODULE:CALLABLE needs --function NAME")
    fixed = _config(config)
    try:
        candidate = load_target(target)
    except ImportError as exc:  # the candidate's module (or one it imports) is not importable
        raise CommandError(str(exc)) from exc
    try:
        return check(candidate, function, target=target, config=fixed, examples=args.examples, seed=args.seed,
                     backend=args.check_backend, grad=args.grad, raise_on_failure=False, progress=_progress)
    except ImportError as exc:  # the inputs' array library, or Hypothesis, is not installed: it says which
        raise CommandError(str(exc)) from exc


def _examples(args: argparse.Namespace) -> str:
    reports = [_check(args, target, "dual_lphm", None) for target in EXAMPLES]
    if args.json:
        return json.dumps([r.to_json() for r in reports], indent=1)
    return INTRO + "\n\n".join(str(r) for r in reports)


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
