"""What the subcommands share, declared once: the function, its configuration, ``w``, ``--backend``.

``show``, ``l`` and ``plot`` take one configuration of one function of SPEC as options
(``--n --D --p --q --r --dims --m --w``); the registry's ``FunctionSpec.required_keys`` says
which of them each function needs (the others have defaults: ``q = p``, a fusion's ``n`` is the common input width), and
:func:`config_from_args` reads them into the oracle's configuration dict
(:mod:`refimpl.oracle.registry`).
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from typing import Any

from .._validation import RefimplError
from .._xp import use_backend
from ..oracle.registry import FUNCTIONS, get_spec
from ..padding import SPARSE_FORMATS
from . import CommandError

__all__ = ["add_config_arguments", "add_matrix_arguments", "backend", "config_from_args", "rows"]

def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """The function and the options that describe one configuration of it, and ``--w``."""
    parser.add_argument("function", choices=list(FUNCTIONS))
    parser.add_argument("--n", type=int, help="rows (padding, dual_lphm) or output width (fusions)")
    parser.add_argument("--D", type=int, help="columns (padding, dual_lphm)")
    parser.add_argument("--p", type=int)
    parser.add_argument("--q", type=int, help="defaults to p")
    parser.add_argument("--r", type=int, help="rank (dual_lphm, dual_lphm_fusion)")
    parser.add_argument("--dims", type=int, nargs="+", help="input widths n_1 .. n_k (fusions)")
    parser.add_argument("--m", type=int, default=2, help="rows of each fusion input (default 2)")
    parser.add_argument("--w", type=float, nargs="+", help="the parameter vector (default 1..l)")


def add_matrix_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``show`` and ``l``: the configuration's, and the diagonal padding's ``--format``."""
    add_config_arguments(parser)
    parser.add_argument("--format", choices=SPARSE_FORMATS, default="csr", help="duplicated_diagonal_padding's format")


def config_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The configuration the options give (without the fusion inputs' ``m`` and ``batch``).

    Raises :class:`RefimplError` naming the missing options; the configuration itself is
    checked by refimpl when it is used.

    Examples
    --------
    >>> import argparse
    >>> from refimpl.cli._args import add_config_arguments, config_from_args
    >>> parser = argparse.ArgumentParser()
    >>> add_config_arguments(parser)
    >>> config_from_args(parser.parse_args(["dual_lphm", "--n", "4", "--D", "6", "--p", "2", "--r", "1"]))
    {'n': 4, 'D': 6, 'p': 2, 'q': None, 'r': 1}
    >>> config_from_args(parser.parse_args(["dual_lphm", "--n", "4"]))
    Traceback (most recent call last):
        ...
    refimpl._validation.RefimplError: dual_lphm needs --D, --p, --r
    """
    spec = get_spec(args.function)
    missing = [f"--{key}" for key in spec.required_keys if getattr(args, key) is None]
    if missing:
        raise RefimplError(f"{spec.name} needs {', '.join(missing)}")
    return {key: getattr(args, key) for key in spec.config_keys if key not in ("m", "batch")}


def rows(args: argparse.Namespace) -> int:
    """``--m``, the rows of each fusion input; a negative one is refused (SPEC allows 0)."""
    if args.m < 0:
        raise RefimplError(f"--m must be a non-negative number of rows, got --m {args.m}")
    return int(args.m)


@contextlib.contextmanager
def backend(args: argparse.Namespace) -> Iterator[None]:
    """Within: ``use_backend(args.backend)``. A backend whose library is not installed is bad input."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(use_backend(args.backend))
        except ImportError as exc:  # refimpl's message says what to install
            raise CommandError(str(exc)) from exc
        yield
