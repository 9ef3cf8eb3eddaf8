"""The command line, ``refimpl`` (also ``python -m refimpl``): one module per subcommand.

:data:`COMMANDS` is the one table of subcommands: each one's name, the module that implements
it and the one-line summary ``refimpl --help`` shows. The parser, ``--help`` and the dispatch
are derived from it. A subcommand's module is imported only when that subcommand is parsed,
so ``refimpl --help`` imports none of them (and never matplotlib).

A subcommand module holds

* ``DESCRIPTION: str``, the text at the top of ``refimpl COMMAND --help``;
* ``add_arguments(parser: argparse.ArgumentParser) -> None``, its arguments;
* ``run(args: argparse.Namespace) -> int``, which does the work, prints its output and
  returns the exit status.

Bad input (:class:`refimpl.RefimplError`, or :class:`CommandError` for what only the command
line meets: a file that cannot be written, a candidate that cannot be imported) ends with a
message on stderr and exit status 2, as does a :class:`MemoryError` (the memory guard switched
off, or set above what the machine has); golden vectors that cannot be trusted end with exit
status 3. Any other exception is a bug and is not disguised. The exit statuses are named once here (:data:`EXIT_OK`, :data:`EXIT_FAILED`,
:data:`EXIT_USAGE`, :data:`EXIT_INVALID`) and listed by ``refimpl --help`` (:data:`EXIT_STATUSES`).

Negative numbers are values, never options: ``--w nan inf -inf`` and ``--n -3`` reach refimpl
(which refuses the ``-3`` with its own message), as every parser here reads ``-inf``, ``-nan``,
``-1e5`` and ``-.5`` as numbers.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Sequence
from typing import Any, NamedTuple

from .. import __version__
from .._validation import RefimplError

__all__ = [
    "COMMANDS",
    "EXIT_FAILED",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_STATUSES",
    "EXIT_USAGE",
    "Command",
    "CommandError",
    "build_parser",
    "main",
]

#: Exit status: success; every checked case or output passed.
EXIT_OK = 0
#: Exit status: a checked candidate or output failed.
EXIT_FAILED = 1
#: Exit status: a usage error: bad arguments or configuration, a candidate that cannot be
#: imported, a file that cannot be written.
EXIT_USAGE = 2
#: Exit status: invalid input data: golden vectors whose files or manifest are missing,
#: malformed, edited or inconsistent.
EXIT_INVALID = 3

#: What ``refimpl --help`` says of each exit status.
EXIT_STATUSES: dict[int, str] = {
    EXIT_OK: "success: every checked case or output passed",
    EXIT_FAILED: "a checked candidate or output failed",
    EXIT_USAGE: "usage error: bad arguments or configuration, a candidate that cannot be imported, "
    "a file that cannot be written",
    EXIT_INVALID: "invalid input data: golden vectors whose files or manifest are missing, malformed, "
    "edited or inconsistent",
}

#: What a parser reads as a negative number (a value), not an option: ``-3``, ``-.5``, ``-1e5``,
#: ``-inf``, ``-nan`` (argparse's own pattern knows only ``-3`` and ``-.5``).
NEGATIVE_NUMBER = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^-(inf|infinity|nan)$", re.IGNORECASE)


class Command(NamedTuple):
    """One subcommand: its name, the module implementing it and its one-line summary."""

    name: str
    module: str
    summary: str


#: Every subcommand, in the order ``refimpl --help`` lists them.
COMMANDS: tuple[Command, ...] = (
    Command("demo", "refimpl.cli.demo", "print a worked example of each function (the default)"),
    Command(
        "check",
        "refimpl.cli.check",
        "check an implementation against refimpl (no target: two shipped examples)",
    ),
    Command(
        "vectors",
        "refimpl.cli.vectors",
        "write golden vectors, or verify another implementation's outputs against them",
    ),
    Command(
        "plot",
        "refimpl.cli.plot",
        "draw a configuration (or a catalogued mistake beside the right answer) into an image",
    ),
    Command("show", "refimpl.cli.show", "compute a function and print the matrix"),
    Command("l", "refimpl.cli.l", "print the parameter count l"),
)


class CommandError(Exception):
    """Bad input that only the command line meets (refimpl's own is a :class:`RefimplError`)."""


class _CommandParser(argparse.ArgumentParser):
    """The parser of one subcommand: the first time it parses, it imports the subcommand's
    module, which adds its arguments; ``handler`` is then set to the module's ``run``."""

    def __init__(self, *args: Any, module: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = (
            NEGATIVE_NUMBER  # -inf is a value (argparse reads it so when it matches)
        )
        self._module = module  # None for the parsers a subcommand nests (vectors write, ...)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        if self._module is not None:
            command = importlib.import_module(self._module)
            self._module = None
            self.description = command.DESCRIPTION
            command.add_arguments(self)
            self.set_defaults(handler=command.run)
        return super().parse_known_args(args, namespace)


def build_parser() -> argparse.ArgumentParser:
    """The ``refimpl`` parser: the global options and a lazily built parser per command of :data:`COMMANDS`."""
    parser = _CommandParser(
        prog="refimpl",
        description="Reference implementation of duplicated (diagonal) padding reconciliation "
        "and Dual-LPHM parameterized concatenation fusion. With no command: worked examples.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"refimpl {__version__}")
    parser.add_argument(
        "--backend", choices=("numpy", "cupy"), default="numpy", help="array library (default numpy)"
    )
    sub = parser.add_subparsers(dest="command", parser_class=_CommandParser)
    for command in COMMANDS:
        sub.add_parser(command.name, help=command.summary, module=command.module)
    return parser


def _epilog() -> str:
    """The exit statuses, as ``refimpl --help`` lists them after the commands."""
    lines = ["exit status:"]
    for status, meaning in EXIT_STATUSES.items():
        lines.append(f"  {status}  {meaning}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    With no command, ``demo`` runs. Bad input prints ``refimpl: error: ...`` on stderr and
    returns :data:`EXIT_USAGE` (2); the other statuses are listed in :data:`EXIT_STATUSES`.

    Examples
    --------
    >>> from refimpl.cli import main
    >>> main(["l", "duplicated_padding", "--n", "4", "--D", "6", "--p", "2"])
    6
    0
    >>> main(["l", "duplicated_padding", "--n", "5", "--D", "6", "--p", "2"])
    2
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*argv, "demo"])
    try:
        return int(args.handler(args))
    except (RefimplError, CommandError) as exc:
        print(f"refimpl: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError as exc:  # past the memory guard (switched off, or more than the machine has)
        print(
            f"refimpl: error: out of memory{f' ({exc})' if str(exc) else ''}: ask for less, or set the "
            "memory guard's limit (REFIMPL_MEMORY_LIMIT, bytes) below what this machine can allocate",
            file=sys.stderr,
        )
        return EXIT_USAGE
