"""``refimpl show FUNCTION --n N --D D --p P ... [--w ...]``: compute a function, print the matrix."""

from __future__ import annotations

import argparse

from ..oracle.registry import get_spec
from ._args import add_matrix_arguments as add_arguments
from ._args import backend, config_from_args, rows
from ._render import arange, example_inputs, render

__all__ = ["DESCRIPTION", "add_arguments", "run", "show"]

DESCRIPTION = "compute a function and print the matrix; w defaults to 1, 2, ..., l"


def run(args: argparse.Namespace) -> int:
    """Print ``FUNCTION: l = L`` and the matrix (a fusion's output); return 0."""
    with backend(args):
        text = show(args)
    print(text, end="")
    return 0


def show(args: argparse.Namespace) -> str:
    """The text ``run`` prints: computed in full before anything is printed."""
    spec = get_spec(args.function)
    config = config_from_args(args)
    l = spec.l(config)
    m = rows(args)
    w = arange(l) if args.w is None else args.w
    inputs = {"w": w, "inputs": example_inputs(config["dims"], m)} if spec.is_fusion else {"w": w}
    matrix = spec.call(config, inputs, format=args.format)
    return f"{spec.name}: l = {l}\n{render(matrix, dots=spec.name == 'duplicated_diagonal_padding')}\n"
