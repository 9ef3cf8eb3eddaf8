"""``refimpl l FUNCTION --n N --D D --p P ...``: the length ``l`` of ``w`` for one configuration."""

from __future__ import annotations

import argparse

from ..oracle.registry import get_spec
from ._args import add_config_arguments, add_format_argument, backend, config_from_args

SUMMARY = "print the parameter count l"
DESCRIPTION = f"{SUMMARY}; w defaults to 1, 2, ..., l"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``show`` (``--w``, ``--m`` and ``--format`` are accepted and unused)."""
    add_config_arguments(parser)
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Print ``l``; return 0."""
    with backend(args):
        l = get_spec(args.function).l(config_from_args(args))
    print(l)
    return 0
