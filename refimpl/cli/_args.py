"""What the subcommands share, declared once: the function, its configuration, ``w``, ``--backend``.

``show``, ``l`` and ``plot`` take one configuration of one function of SPEC as options
(``--n --D --p --q --r --dims --m --w``); the registry's ``Function.required_keys`` says
which of them each function needs (the others have defaults: ``q = p``, a fusion's ``n`` is the common input width), and
:func:`config_from_args` reads them into the oracle's configuration dict
(:mod:`refimpl.functions`).
"""

from __future__ import annotations

import argparse
import contextlib
import math
from collections.abc import Iterator
from typing import Any

from .._memory import check_elements
from .._validation import RefimplError
from .._xp import use_backend
from ..functions import FUNCTIONS, get_function
from ..functions._sparse import SPARSE_FORMATS
from . import CommandError

__all__ = [
    "MAX_ENTRIES",
    "add_config_arguments",
    "add_input_arguments",
    "add_matrix_arguments",
    "backend",
    "check_sizes",
    "config_from_args",
    "rows",
]

#: The most entries of a result ``show`` prints and ``plot`` draws (a 1000 x 1000 matrix).
MAX_ENTRIES = 10**6
#: What a refusal of a size suggests.
ADVICE = "give a smaller configuration (refimpl l prints l without building anything)"

#: The options of a configuration, as ``--KEY``: those the function does not read are refused.
CONFIG_OPTIONS = ("n", "D", "p", "q", "r", "dims")
#: ``--m`` when the subcommand takes it and it is not given: the rows of each fusion input.
DEFAULT_ROWS = 2


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """The function and the options that describe one configuration of it (``l`` takes these only)."""
    parser.add_argument("function", choices=list(FUNCTIONS))
    parser.add_argument("--n", type=int, help="rows (padding, dual_lphm) or output width (fusions)")
    parser.add_argument("--D", type=int, help="columns (padding, dual_lphm)")
    parser.add_argument("--p", type=int)
    parser.add_argument("--q", type=int, help="defaults to p")
    parser.add_argument("--r", type=int, help="rank (dual_lphm, dual_lphm_fusion)")
    parser.add_argument("--dims", type=int, nargs="+", help="input widths n_1 .. n_k (fusions)")


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """``--m`` and ``--w``: the inputs of a call (``show``, ``plot``)."""
    parser.add_argument(
        "--m", type=int, help=f"rows of each fusion input (fusions only; default {DEFAULT_ROWS})"
    )
    parser.add_argument(
        "--w", type=float, nargs="+", help="the parameter vector (default 1..l; -inf, nan allowed)"
    )


def add_matrix_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``show``: the configuration's, the inputs' and the diagonal padding's ``--format``."""
    add_config_arguments(parser)
    add_input_arguments(parser)
    parser.add_argument(
        "--format",
        choices=SPARSE_FORMATS,
        help="duplicated_diagonal_padding's format (that function only; default csr)",
    )


def config_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The configuration the options give (without the fusion inputs' ``m`` and ``batch``).

    Raises :class:`RefimplError` naming the missing options, or the options given that the
    function does not read; the configuration itself is checked by refimpl when it is used.

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
    >>> config_from_args(parser.parse_args(["duplicated_padding", "--n", "4", "--D", "4", "--p", "2", "--r", "1"]))
    Traceback (most recent call last):
        ...
    refimpl._validation.RefimplError: duplicated_padding does not read --r (its options: --n, --D, --p, --q)
    """
    spec = get_function(args.function)
    missing = [f"--{key}" for key in spec.required_keys if getattr(args, key) is None]
    if missing:
        raise RefimplError(f"{spec.name} needs {', '.join(missing)}")
    _refuse_unused(args, spec)
    return {key: getattr(args, key) for key in spec.config_keys if key not in ("m", "batch")}


def _refuse_unused(args: argparse.Namespace, spec: Any) -> None:
    """Refuse the options given that ``spec``'s function does not read (``--r`` of a padding, ...)."""
    reads = [key for key in CONFIG_OPTIONS if key in spec.config_keys]
    if hasattr(args, "w"):
        reads.append("w")
    if hasattr(args, "m") and spec.is_fusion:
        reads.append("m")
    if hasattr(args, "format") and spec.formats:
        reads.append("format")
    unused = [
        f"--{key}"
        for key in (*CONFIG_OPTIONS, "m", "format")
        if key not in reads and getattr(args, key, None) is not None
    ]
    if unused:
        own = ", ".join(f"--{key}" for key in reads)
        raise RefimplError(f"{spec.name} does not read {', '.join(unused)} (its options: {own})")


def check_sizes(spec: Any, config: dict[str, Any], m: int, *, default_w: bool, command: str) -> None:
    """Refuse, before anything is built, what would not fit.

    The default ``w = 1, 2, ..., l`` (when ``default_w``) and a fusion's example inputs
    (``m`` rows of every width) against the memory guard (:class:`refimpl.MemoryLimitError`), and
    a result of more than :data:`MAX_ENTRIES` entries (:class:`CommandError`, which names
    ``command``: ``"show prints"``). The arithmetic is exact: Python integers.

    Examples
    --------
    >>> from refimpl.cli._args import check_sizes
    >>> from refimpl.functions import get_function
    >>> spec = get_function("duplicated_diagonal_padding")
    >>> check_sizes(spec, {"n": 10**9, "D": 10**9, "p": 5 * 10**8}, 2, default_w=True, command="show prints")
    Traceback (most recent call last):
        ...
    refimpl.cli.CommandError: duplicated_diagonal_padding(n=1000000000, D=1000000000, p=500000000) is a 1000000000 x 1000000000 matrix of 1000000000000000000 entries, more than refimpl show prints (1000000); give a smaller configuration (refimpl l prints l without building anything), or compute it with refimpl.duplicated_diagonal_padding in Python
    """
    l = spec.l(config)
    if default_w:
        check_elements(l, 8, f"the default w = 1, 2, ..., l would hold l = {l} float64 values", ADVICE)
    if spec.is_fusion:
        width = sum(config["dims"])
        check_elements(m * width, 8, f"the example inputs would hold {m} x {width} float64 values", ADVICE)
    shape = spec.output_shape({**config, "m": m, "batch": ()} if spec.is_fusion else config)
    entries = math.prod(shape)
    if entries > MAX_ENTRIES:
        given = {k: v for k, v in config.items() if v is not None}
        raise CommandError(
            f"{spec.describe(given)} is a {' x '.join(map(str, shape))} matrix of {entries} entries, more than "
            f"refimpl {command} ({MAX_ENTRIES}); {ADVICE}, or compute it with refimpl.{spec.name} in Python"
        )


def rows(args: argparse.Namespace) -> int:
    """``--m``, the rows of each fusion input (2 if not given); a negative one is refused (SPEC allows 0)."""
    if args.m is None:
        return DEFAULT_ROWS
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
