"""``refimpl`` (or ``refimpl demo``): a small worked example of each function.

``w`` is filled with ``1, 2, ..., l`` so that every entry shows where it came from, and the
structural zeros of the diagonal padding are drawn as ``.``.
"""

from __future__ import annotations

import argparse

from .. import (
    __version__,
    dual_lphm,
    dual_lphm_fusion,
    dual_lphm_fusion_l,
    dual_lphm_l,
    duplicated_diagonal_padding,
    duplicated_padding,
    duplicated_padding_l,
)
from .._xp import backend_namespace
from ._args import backend
from ._render import arange, example_inputs, render

__all__ = ["DESCRIPTION", "add_arguments", "demo", "run"]

DESCRIPTION = "Print a worked example of each function, w = 1, 2, ..., l ('.' is a structural zero)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``demo`` takes no arguments of its own."""


def run(args: argparse.Namespace) -> int:
    """Print the worked examples; return 0."""
    with backend(args):
        text = demo()
    print(text, end="")
    return 0


def demo() -> str:
    """The worked examples printed by ``refimpl`` with no arguments."""
    parts = [f"refimpl {__version__}: worked examples (w = 1, 2, ..., l; '.' is a structural zero)\n"]
    l = duplicated_padding_l(4, 6, 2, 3)
    parts.append(
        f"duplicated_padding(w, n=4, D=6, p=2, q=3): kron(ones(2, 3), reshape(w, (2, 2))), l = {l}\n"
        + render(duplicated_padding(arange(l), 4, 6, 2, 3))
    )
    l = duplicated_padding_l(6, 4, 3, 2)
    psi = duplicated_diagonal_padding(arange(l), 6, 4, 3, 2, format="csr")
    parts.append(
        f"duplicated_diagonal_padding(w, n=6, D=4, p=3, q=2): kron(eye(3, 2), reshape(w, (2, 2))), "
        f"l = {l}, a {psi.format} sparse array storing {psi.nnz} entries\n" + render(psi, dots=True)
    )
    l = dual_lphm_l(4, 4, 2, 2, 1)
    parts.append(
        f"dual_lphm(w, n=4, D=4, p=2, q=2, r=1): kron(P @ Q.T, S @ T.T), l = {l}\n"
        "  P = [[1], [2]], Q = [[3], [4]], S = [[5], [6]], T = [[7], [8]]\n"
        + render(dual_lphm(arange(l), 4, 4, 2, 2, 1))
    )
    parts.append(_fusion_example())
    return "\n\n".join(parts) + "\n"


def _fusion_example() -> str:
    dims = [1, 3]
    l = dual_lphm_fusion_l(dims, 2, 2, 1, 1)
    inputs = example_inputs(dims, 2)
    return (
        f"dual_lphm_fusion([A1 (2x1), A2 (2x3)], w, p=2, q=1, r=1, n=2): "
        f"concat(A1, A2) @ kron(P @ Q.T, S @ T.T), l = {l}\n"
        "  concat(A1, A2) =\n"
        + render(backend_namespace().concat(inputs, axis=-1))
        + "\n  W = dual_lphm(w, 4, 2, p=2, q=1, r=1) =\n"
        + render(dual_lphm(arange(l), 4, 2, 2, 1, 1))
        + "\n  fusion =\n"
        + render(dual_lphm_fusion(inputs, arange(l), p=2, q=1, r=1, n=2))
    )
