"""``refimpl vectors``: write the golden vectors, or verify another implementation's outputs.

::

    refimpl vectors write DIR [--no-large] [--force]
    refimpl vectors verify DIR OUTPUTS [--json]

The data and the files are :mod:`refimpl.oracle.vectors`'s; this module parses the command line
and prints. Exit statuses (the named constants of :mod:`refimpl.cli`): ``EXIT_OK`` 0, written or
every output passed; ``EXIT_FAILED`` 1, an output failed, is missing or unreadable;
``EXIT_USAGE`` 2, a folder that does not exist, ``write`` into a non-empty folder without
``--force``, a file that cannot be written; ``EXIT_INVALID`` 3, the vector set is refused (a
manifest missing, malformed or disagreeing with what refimpl computes, a file missing, edited
or of the wrong shape).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..oracle.vectors import VectorFileError, VectorResult, VerifyReport, verify_vectors, write_vectors
from . import EXIT_FAILED, EXIT_INVALID, EXIT_OK, EXIT_USAGE

__all__ = ["DESCRIPTION", "add_arguments", "report_table", "run"]

DESCRIPTION = (
    "Golden vectors for implementations outside Python: a JSON manifest and .npy "
    "files (format in refimpl's docs/vectors.rst). Exit status: 0 written, or every output "
    "passed; 1 an output failed or is missing; 2 usage error (a folder that does not exist, "
    "writing into a non-empty folder without --force); 3 the vector set is invalid (a manifest "
    "or file missing, malformed, edited, or disagreeing with what refimpl computes)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``write DIR [--no-large] [--force]`` and ``verify DIR OUTPUTS [--json]`` to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The ``vectors`` parser; its namespace gets ``vectors_command``.

    Examples
    --------
    >>> import argparse
    >>> from refimpl.cli import vectors
    >>> parser = argparse.ArgumentParser(prog="refimpl vectors")
    >>> vectors.add_arguments(parser)
    >>> args = parser.parse_args(["write", "out", "--no-large"])
    >>> args.vectors_command, args.directory, args.large, args.force
    ('write', 'out', False, False)
    """
    sub = parser.add_subparsers(dest="vectors_command", required=True)
    write = sub.add_parser("write", help="write the vector set into DIR")
    write.add_argument("directory", metavar="DIR")
    write.add_argument("--no-large", dest="large", action="store_false", help="leave out the large vectors")
    write.add_argument(
        "--force",
        action="store_true",
        help="write into a non-empty DIR: remove the files its manifest.json lists (and the manifest) first; "
        "other files are left alone",
    )
    verify = sub.add_parser(
        "verify", help="judge OUTPUTS/NAME.npy against each vector NAME of DIR; exit 0 only if all pass"
    )
    verify.add_argument("directory", metavar="DIR")
    verify.add_argument("outputs", metavar="OUTPUTS")
    verify.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace) -> int:
    """Run ``refimpl vectors write`` or ``refimpl vectors verify``; return the exit status.

    Parameters
    ----------
    args : argparse.Namespace
        As parsed by a parser given :func:`add_arguments`.

    Returns
    -------
    int
        ``EXIT_OK`` (0): written, or every output present and passing; ``EXIT_FAILED`` (1): an
        output failed, is missing or unreadable; ``EXIT_USAGE`` (2): a folder that does not exist
        or is a file, a non-empty folder to write into without ``--force``, a file that cannot be
        written; ``EXIT_INVALID`` (3): the vector set was refused (a bad or edited manifest, a
        missing or edited file). Each error is one line ``refimpl: error: ...`` on stderr.

    Examples
    --------
    >>> import argparse, tempfile
    >>> from refimpl.cli import vectors
    >>> parser = argparse.ArgumentParser(prog="refimpl vectors")
    >>> vectors.add_arguments(parser)
    >>> with tempfile.TemporaryDirectory() as d:  # doctest: +ELLIPSIS
    ...     vectors.run(parser.parse_args(["write", d, "--no-large"]))
    wrote ... vectors (... kB) to ...
    0
    """
    try:
        if args.vectors_command == "write":
            print(_written(write_vectors(args.directory, large=args.large, force=args.force)))
            return EXIT_OK
        report = verify_vectors(args.directory, args.outputs)
    except VectorFileError as exc:
        print(f"refimpl: error: the vector set is invalid: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:  # a folder that does not exist, a file that cannot be written
        print(f"refimpl: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps(report.to_dict(), indent=1) if args.json else report_table(report))
    return EXIT_OK if report.passed else EXIT_FAILED


def _written(manifest_path: Path) -> str:
    """``wrote 45 vectors (110 kB) to DIR``."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    directory = manifest_path.parent
    size = manifest_path.stat().st_size
    size += sum((directory / f).stat().st_size for v in manifest["vectors"] for f in v["sha256"])
    unit = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"
    return f"wrote {len(manifest['vectors'])} vectors ({unit}) to {directory}"


def _row(r: VectorResult) -> tuple[str, ...]:
    def number(x: float | None) -> str:
        return "-" if x is None else f"{x:.3g}"

    edges = [f for f in r.flags if not f.startswith("exposes:")]
    mistakes = len(r.flags) - len(edges)
    targets = ",".join(edges + ([f"+{mistakes} mistakes"] if mistakes else [])) or "-"
    return (r.status.upper(), r.name, r.function, r.dtype, number(r.error), number(r.allowed), targets)


def report_table(report: VerifyReport) -> str:
    """The report as ``verify`` prints it: a line per vector, then ``str(report)``.

    Parameters
    ----------
    report : VerifyReport
        From :func:`refimpl.oracle.vectors.verify_vectors`.

    Returns
    -------
    str
        The columns ``result, name, function, dtype, worst error, bound, flags`` (the flags'
        edge cases, and how many mistakes the vector exposes), the problems and the verdict.

    Examples
    --------
    >>> from refimpl.cli.vectors import report_table
    >>> from refimpl.oracle.vectors import VectorResult, VerifyReport
    >>> result = VectorResult("dp_basic_f32", "duplicated_padding", "float32",
    ...                       ["p_ne_q", "exposes:output_transposed"], "pass", "pass", 0.0, 0.0)
    >>> print(report_table(VerifyReport([result], "set", "out")))
    refimpl vectors verify set out
    result  name          function            dtype    worst error  bound  flags
    PASS    dp_basic_f32  duplicated_padding  float32  0            0      p_ne_q,+1 mistakes
    <BLANKLINE>
    PASS: 1 vectors: 1 passed, 0 failed, 0 missing, 0 unreadable
    """
    header = ("result", "name", "function", "dtype", "worst error", "bound", "flags")
    rows = [_row(r) for r in report.results]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1]

    title = f"refimpl vectors verify {report.directory} {report.outputs}".rstrip()
    return "\n".join([title, line(header), *[line(row) for row in rows], "", str(report)])
