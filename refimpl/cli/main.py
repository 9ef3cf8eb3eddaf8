"""The ``refimpl`` command: worked examples, and any configuration computed and printed.

``refimpl`` with no arguments prints a small worked example of each function, with ``w``
filled with ``1, 2, ..., l`` so that every entry shows where it came from, and structural
zeros drawn as ``.``. ``refimpl --help`` lists the other commands.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from .. import __version__
from .._xp import backend_namespace, use_backend
from .._validation import RefimplError
from ..oracle.adapters import load_target
from ..fusion import concatenation_fusion, concatenation_fusion_l, dual_lphm_fusion, dual_lphm_fusion_l
from ..lphm import dual_lphm, dual_lphm_l
from ..padding import SPARSE_FORMATS, duplicated_diagonal_padding, duplicated_padding, duplicated_padding_l

__all__ = ["main"]

FUNCTIONS = (
    "duplicated_padding",
    "duplicated_diagonal_padding",
    "dual_lphm",
    "dual_lphm_fusion",
    "concatenation_fusion",
)


def _to_numpy(x: Any) -> Any:
    import numpy as np

    if hasattr(x, "toarray"):  # SciPy / CuPy sparse
        x = x.toarray()
    if hasattr(x, "get"):  # CuPy
        x = x.get()
    return np.asarray(x)


def render(matrix: Any, *, dots: bool = False) -> str:
    """Format a small matrix, one row a line; with ``dots``, exact zeros are drawn as ``.``."""
    a = _to_numpy(matrix)
    if a.ndim == 1:
        a = a.reshape(1, -1)
    cells = [["." if dots and v == 0 else f"{v:g}" for v in row] for row in a.reshape(-1, a.shape[-1])]
    width = max((len(c) for row in cells for c in row), default=1)
    return "\n".join("  " + " ".join(c.rjust(width) for c in row) for row in cells)


def _arange(l: int) -> list[float]:
    return [float(i) for i in range(1, l + 1)]


def _inputs(dims: Sequence[int], m: int) -> list[Any]:
    """Arrays of the backend, all ones except a 2 at the end of the first row of the last input."""
    xp = backend_namespace()
    last = xp.ones((m, dims[-1]))
    if m > 0:
        corner = xp.zeros((m, dims[-1]))
        corner[0, -1] = 1.0
        last = last + corner
    return [xp.ones((m, d)) for d in dims[:-1]] + [last]


def demo() -> str:
    """The worked examples printed by ``refimpl`` with no arguments."""
    parts = [f"refimpl {__version__}: worked examples (w = 1, 2, ..., l; '.' is a structural zero)\n"]

    l = duplicated_padding_l(4, 6, 2, 3)
    parts.append(
        f"duplicated_padding(w, n=4, D=6, p=2, q=3): kron(ones(2, 3), reshape(w, (2, 2))), l = {l}\n"
        + render(duplicated_padding(_arange(l), 4, 6, 2, 3))
    )
    l = duplicated_padding_l(6, 4, 3, 2)
    psi = duplicated_diagonal_padding(_arange(l), 6, 4, 3, 2, format="csr")
    parts.append(
        f"duplicated_diagonal_padding(w, n=6, D=4, p=3, q=2): kron(eye(3, 2), reshape(w, (2, 2))), "
        f"l = {l}, a {psi.format} sparse array storing {psi.nnz} entries\n"
        + render(psi, dots=True)
    )
    l = dual_lphm_l(4, 4, 2, 2, 1)
    parts.append(
        f"dual_lphm(w, n=4, D=4, p=2, q=2, r=1): kron(P @ Q.T, S @ T.T), l = {l}\n"
        "  P = [[1], [2]], Q = [[3], [4]], S = [[5], [6]], T = [[7], [8]]\n"
        + render(dual_lphm(_arange(l), 4, 4, 2, 2, 1))
    )
    dims = [1, 3]
    l = dual_lphm_fusion_l(dims, 2, 2, 1, 1)
    inputs = _inputs(dims, 2)
    parts.append(
        f"dual_lphm_fusion([A1 (2x1), A2 (2x3)], w, p=2, q=1, r=1, n=2): "
        f"concat(A1, A2) @ kron(P @ Q.T, S @ T.T), l = {l}\n"
        "  concat(A1, A2) =\n"
        + render(backend_namespace().concat(inputs, axis=-1))
        + "\n  W = dual_lphm(w, 4, 2, p=2, q=1, r=1) =\n"
        + render(dual_lphm(_arange(l), 4, 2, 2, 1, 1))
        + "\n  fusion =\n"
        + render(dual_lphm_fusion(inputs, _arange(l), p=2, q=1, r=1, n=2))
    )
    return "\n\n".join(parts) + "\n"


def _show(args: argparse.Namespace) -> str:
    f = args.function
    if f in ("duplicated_padding", "duplicated_diagonal_padding"):
        _require(args, "n", "D", "p")
        l = duplicated_padding_l(args.n, args.D, args.p, args.q)
    elif f == "dual_lphm":
        _require(args, "n", "D", "p", "r")
        l = dual_lphm_l(args.n, args.D, args.p, args.q, args.r)
    elif f == "dual_lphm_fusion":
        _require(args, "dims", "p", "r")
        l = dual_lphm_fusion_l(args.dims, args.n, args.p, args.q, args.r)
    else:
        _require(args, "dims")
        l = concatenation_fusion_l(args.dims, args.n)
    if args.command == "l":
        return f"{l}\n"
    if args.m < 0:
        raise RefimplError(f"--m must be a non-negative number of rows, got --m {args.m}")
    w = args.w if args.w is not None else _arange(l)
    if f == "duplicated_padding":
        out = render(duplicated_padding(w, args.n, args.D, args.p, args.q))
    elif f == "duplicated_diagonal_padding":
        out = render(duplicated_diagonal_padding(w, args.n, args.D, args.p, args.q, format=args.format), dots=True)
    elif f == "dual_lphm":
        out = render(dual_lphm(w, args.n, args.D, args.p, args.q, args.r))
    elif f == "dual_lphm_fusion":
        out = render(dual_lphm_fusion(_inputs(args.dims, args.m), w, p=args.p, q=args.q, r=args.r, n=args.n))
    else:
        out = render(concatenation_fusion(_inputs(args.dims, args.m), w, n=args.n))
    return f"{f}: l = {l}\n{out}\n"


def _check(args: argparse.Namespace) -> tuple[str, int]:
    import json

    from ..oracle.check import check

    def progress(i: int, case: Any) -> None:
        if i % 25 == 0:
            print(f"  ... {i} cases checked", file=sys.stderr, flush=True)

    common = {"examples": args.examples, "seed": args.seed, "backend": args.check_backend, "grad": args.grad,
              "raise_on_failure": False, "progress": progress}
    if args.target is None:
        from ..examples import column_major_dual_lphm, faithful_dual_lphm

        reports = [
            check(faithful_dual_lphm, "dual_lphm", target="refimpl.examples:faithful_dual_lphm", **common),
            check(column_major_dual_lphm, "dual_lphm", target="refimpl.examples:column_major_dual_lphm", **common),
        ]
        intro = (
            "refimpl check with no target runs the oracle on two example implementations of dual_lphm\n"
            "shipped for this purpose: a faithful one, and one that reads w in column-major order.\n"
            "Check yours with: refimpl check MODULE:CALLABLE --function NAME\n\n"
        )
        if args.json:
            return json.dumps([r.to_json() for r in reports], indent=1) + "\n", 0
        return intro + "\n\n".join(str(r) for r in reports) + "\n", 0
    if args.function is None:
        raise RefimplError("refimpl check MODULE:CALLABLE needs --function NAME")
    config = None if args.config is None else json.loads(args.config)
    report = check(load_target(args.target), args.function, target=args.target, config=config, **common)
    text = json.dumps(report.to_json(), indent=1) if args.json else str(report)
    return text + "\n", 0 if report.passed else 1


def _require(args: argparse.Namespace, *names: str) -> None:
    missing = [f"--{n}" for n in names if getattr(args, n) is None]
    if missing:
        raise RefimplError(f"{args.function} needs {', '.join(missing)}")


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that describe one configuration, shared by ``show``, ``l`` and ``plot``."""
    parser.add_argument("--n", type=int, help="rows (padding, dual_lphm) or output width (fusions)")
    parser.add_argument("--D", type=int, help="columns (padding, dual_lphm)")
    parser.add_argument("--p", type=int)
    parser.add_argument("--q", type=int, help="defaults to p")
    parser.add_argument("--r", type=int, help="rank (dual_lphm, dual_lphm_fusion)")
    parser.add_argument("--dims", type=int, nargs="+", help="input widths n_1 .. n_k (fusions)")
    parser.add_argument("--m", type=int, default=2, help="rows of each fusion input (default 2)")
    parser.add_argument("--w", type=float, nargs="+", help="the parameter vector (default 1..l)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="refimpl",
        description="Reference implementation of duplicated (diagonal) padding reconciliation "
        "and Dual-LPHM parameterized concatenation fusion. With no command: worked examples.",
    )
    parser.add_argument("--version", action="version", version=f"refimpl {__version__}")
    parser.add_argument("--backend", choices=("numpy", "cupy"), default="numpy", help="array library (default numpy)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("demo", help="print a worked example of each function (the default)")
    c = sub.add_parser(
        "check", help="check an implementation against refimpl (no target: two shipped examples)",
        description="Drive Hypothesis over valid configurations with a candidate implementation; "
        "exit 0 only when every case passes.",
    )
    c.add_argument("target", nargs="?", metavar="MODULE:CALLABLE", help="the candidate (a function or class)")
    c.add_argument("--function", choices=FUNCTIONS, help="the refimpl function it implements")
    c.add_argument("--examples", type=int, default=100, help="configurations to try (default 100)")
    c.add_argument("--seed", type=int, default=0, help="Hypothesis seed (default 0)")
    c.add_argument("--backend", dest="check_backend", default="numpy",
                   choices=("numpy", "torch", "cupy", "jax", "array_api_strict"), help="the inputs' array library")
    c.add_argument("--grad", action="store_true", help="also check gradients (PyTorch or JAX candidates)")
    c.add_argument("--json", action="store_true", help="print the report as JSON")
    c.add_argument("--config", help="JSON: try only this configuration (a failure report's reproduction line)")
    from ..plotting import add_plot_parser
    from ..oracle.vectors import add_vectors_parser

    add_vectors_parser(sub)
    add_plot_parser(sub)
    for name, text in (("show", "compute a function and print the matrix"), ("l", "print the parameter count l")):
        p = sub.add_parser(name, help=text, description=f"{text}; w defaults to 1, 2, ..., l")
        p.add_argument("function", choices=FUNCTIONS)
        add_config_arguments(p)
        p.add_argument("--format", choices=SPARSE_FORMATS, default="csr", help="duplicated_diagonal_padding's format")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Examples
    --------
    >>> from refimpl.cli import main
    >>> main(["l", "duplicated_padding", "--n", "4", "--D", "6", "--p", "2"])
    6
    0
    """
    args = build_parser().parse_args(argv)
    if args.command == "vectors":
        from ..oracle.vectors import run_vectors

        return run_vectors(args)
    if args.command == "plot":
        from ..plotting import run_plot

        return run_plot(args)
    status = 0
    try:
        with use_backend(args.backend):
            if args.command in (None, "demo"):
                text = demo()
            elif args.command == "check":
                text, status = _check(args)
            else:
                text = _show(args)
    except (RefimplError, TypeError, ImportError, ValueError) as exc:
        print(f"refimpl: error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return status
