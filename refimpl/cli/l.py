"""``refimpl l FUNCTION --n N --D D --p P ...``: the length ``l`` of ``w`` for one configuration.

It takes the configuration's options only (not ``--w``, ``--m`` nor ``--format``, which ``l``
does not depend on), and refuses those the function does not read.
"""

from __future__ import annotations

import argparse

from ..functions import get_function
from ._args import add_config_arguments as add_arguments
from ._args import backend, config_from_args

__all__ = ["DESCRIPTION", "add_arguments", "run"]

DESCRIPTION = "print the parameter count l; w defaults to 1, 2, ..., l"


def run(args: argparse.Namespace) -> int:
    """Print ``l``; return 0."""
    with backend(args):
        l = get_function(args.function).l(config_from_args(args))
    print(l)
    return 0
