"""``refimpl show FUNCTION --n N --D D --p P ... [--w ...]``: compute a function, print the matrix.

Before anything is built, the sizes are checked: the default ``w = 1, 2, ..., l`` and the
fusions' example inputs against the memory guard (:func:`refimpl.get_memory_limit`; over it,
:class:`refimpl.MemoryLimitError`, exit 2), and the result against
:data:`refimpl.cli._args.MAX_ENTRIES`, the most entries ``show`` prints
(:func:`refimpl.cli._args.check_sizes`).
"""

from __future__ import annotations

import argparse

from ..functions import get_function
from ._args import MAX_ENTRIES, backend, check_sizes, config_from_args, rows
from ._args import add_matrix_arguments as add_arguments
from ._render import arange, example_inputs, render

__all__ = ["DESCRIPTION", "add_arguments", "run", "show"]

DESCRIPTION = (
    f"compute a function and print the matrix (at most {MAX_ENTRIES:,} entries); w defaults to 1, 2, ..., l"
)


def run(args: argparse.Namespace) -> int:
    """Print ``FUNCTION: l = L`` and the matrix (a fusion's output); return 0."""
    with backend(args):
        text = show(args)
    print(text, end="")
    return 0


def show(args: argparse.Namespace) -> str:
    """The text ``run`` prints: computed in full before anything is printed.

    Raises :class:`refimpl.MemoryLimitError` when the default ``w`` or the example inputs are
    over the memory guard's limit, and :class:`~refimpl.cli.CommandError` when the result has
    more than ``MAX_ENTRIES`` entries, before anything is built.
    """
    spec = get_function(args.function)
    config = config_from_args(args)
    l = spec.l(config)
    m = rows(args)
    check_sizes(spec, config, m, default_w=args.w is None, command="show prints")
    w = arange(l) if args.w is None else args.w
    inputs = {"w": w, "inputs": example_inputs(config["dims"], m)} if spec.is_fusion else {"w": w}
    matrix = spec.call(config, inputs, format=args.format or "csr")
    return f"{spec.name}: l = {l}\n{render(matrix, dots=bool(spec.formats))}\n"
