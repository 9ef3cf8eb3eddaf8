"""Every configuration rule of SPEC, once: the checked shapes, each ``l`` and each default.

A *shape* is a checked configuration: the dimensions as Python ints, the derived sizes
(``s = n/p``, ``t = D/q``, ``N = sum(n_i)``), the length ``l`` of ``w`` and the ``rule`` that
says where ``l`` comes from (for error messages). Every function of refimpl, the operators,
the oracle and the command line get their sizes and defaults from here:

==========================  ===================================  ============================
shape                       for                                  ``l``
==========================  ===================================  ============================
:class:`PaddingShape`       SPEC 1, 2 (the padding functions)    ``s*t = n*D/(p*q)``
:class:`LphmShape`          SPEC 3 (Dual-LPHM, ``R x C``)        ``r*(p + q + R/p + C/q)``
:class:`ConcatShape`        SPEC 4, plain fusion                 ``N*n``
:class:`FusionShape`        SPEC 4, Dual-LPHM fusion             ``r*(p + q + N/p + n/q)``
==========================  ===================================  ============================

The defaults: ``q = p`` (:func:`default_q`), and the fusion's output width ``n`` is the common
input width when it is not given (:func:`output_width`).

Examples
--------
>>> from refimpl.shapes import fusion_shape, padding_shape
>>> padding_shape(n=6, D=8, p=3, q=2)
PaddingShape(n=6, D=8, p=3, q=2, s=2, t=4)
>>> padding_shape(n=6, D=8, p=2).q      # q defaults to p
2
>>> shape = fusion_shape([2, 4], n=None, p=2, q=3, r=1)
Traceback (most recent call last):
    ...
refimpl._validation.RefimplError: inputs of unequal widths [2, 4] need the output width n; pass n explicitly
>>> fusion_shape([3, 3], n=None, p=2, q=3, r=1).l     # n = 3: 1*(2 + 3 + 6/2 + 3/3)
9
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, NamedTuple

import array_api_compat

from ._validation import RefimplError, check_dim, check_divides

__all__ = [
    "FACTORS",
    "ConcatShape",
    "FusionShape",
    "LphmShape",
    "PaddingShape",
    "checked_fusion_shape",
    "concat_shape",
    "default_q",
    "fusion_shape",
    "input_widths",
    "lphm_shape",
    "output_width",
    "padding_shape",
    "with_weight",
]

#: The Dual-LPHM factors in the order their segments follow each other in ``w``.
FACTORS: tuple[str, ...] = ("P", "Q", "S", "T")


def default_q(p: int, q: Any) -> int:
    """``q``, checked, or ``p`` when ``q`` is ``None`` (SPEC: ``q`` defaults to ``p``)."""
    return p if q is None else check_dim(q, "q")


class PaddingShape(NamedTuple):
    """A checked padding configuration: ``n = p*s`` rows, ``D = q*t`` columns."""

    n: int
    D: int
    p: int
    q: int
    s: int
    t: int

    @property
    def l(self) -> int:
        """``l = s*t = n*D/(p*q)``."""
        return self.s * self.t

    @property
    def rule(self) -> str:
        return f"l = n*D/(p*q) with n={self.n}, D={self.D}, p={self.p}, q={self.q}"


def padding_shape(n: Any, D: Any, p: Any, q: Any = None) -> PaddingShape:
    """Check ``n, D, p, q`` and derive ``s = n/p`` and ``t = D/q`` (exact divisions)."""
    n, D, p = check_dim(n, "n"), check_dim(D, "D"), check_dim(p, "p")
    q = default_q(p, q)
    return PaddingShape(n, D, p, q, check_divides(p, "p", n, "n"), check_divides(q, "q", D, "D"))


class LphmShape(NamedTuple):
    """A checked Dual-LPHM configuration for an ``R x C`` target.

    ``names`` are what the caller calls ``R`` and ``C`` (``n, D`` for :func:`refimpl.dual_lphm`,
    ``N, n`` for the fusion), so that messages use the caller's words.
    """

    R: int
    C: int
    p: int
    q: int
    r: int
    s: int
    t: int
    names: tuple[str, str] = ("n", "D")

    @property
    def l(self) -> int:
        """``l = r*(p + q + s + t)``."""
        return self.r * (self.p + self.q + self.s + self.t)

    @property
    def rows(self) -> dict[str, int]:
        """The rows of each factor: ``P (p x r)``, ``Q (q x r)``, ``S (s x r)``, ``T (t x r)``."""
        return {"P": self.p, "Q": self.q, "S": self.s, "T": self.t}

    def segments(self, order: Sequence[str] = FACTORS) -> dict[str, slice]:
        """Where each factor's segment lies in ``w`` when the segments follow ``order``.

        SPEC's layout is ``w = [vec(P) | vec(Q) | vec(S) | vec(T)]``, the default ``order``;
        another order is one of the oracle's catalogued mistakes.
        """
        rows, out, start = self.rows, {}, 0
        for name in order:
            stop = start + rows[name] * self.r
            out[name] = slice(start, stop)
            start = stop
        return out

    @property
    def rule(self) -> str:
        R, C = self.names
        return (
            f"l = r*(p + q + {R}/p + {C}/q) with {R}={self.R}, {C}={self.C}, "
            f"p={self.p}, q={self.q}, r={self.r}"
        )


def lphm_shape(n: Any, D: Any, p: Any, q: Any, r: Any, names: tuple[str, str] = ("n", "D")) -> LphmShape:
    """Check an ``n x D`` Dual-LPHM configuration; ``q=None`` means ``q = p``."""
    R, C = names
    n, D, p = check_dim(n, R), check_dim(D, C), check_dim(p, "p")
    q, r = default_q(p, q), check_dim(r, "r")
    return LphmShape(n, D, p, q, r, check_divides(p, "p", n, R), check_divides(q, "q", D, C), names)


def input_widths(dims: Any) -> tuple[int, ...]:
    """Check the input widths ``n_1 .. n_k``: a non-empty sequence of positive integers.

    A 1-D integer array (NumPy, or any library whose integer scalars have ``__index__``) is
    accepted like a list.
    """
    if array_api_compat.is_array_api_obj(dims):
        if dims.ndim != 1:
            raise TypeError(
                f"dims must be a sequence (or 1-D array) of input widths, got an array of shape {tuple(dims.shape)}"
            )
        dims = list(dims)
    if isinstance(dims, (str, bytes)) or not isinstance(dims, Sequence):
        raise TypeError(f"dims must be a sequence of input widths, got {type(dims).__name__}")
    if len(dims) == 0:
        raise RefimplError("dims must hold at least one input width, got an empty sequence")
    return tuple(check_dim(d, f"dims[{i}]") for i, d in enumerate(dims))


def output_width(widths: Sequence[int], n: Any) -> int:
    """The fusion's output width: ``n``, checked, or the common input width when ``n`` is ``None``."""
    if n is not None:
        return check_dim(n, "n")
    if len(set(widths)) > 1:
        raise RefimplError(
            f"inputs of unequal widths {list(widths)} need the output width n; pass n explicitly"
        )
    return widths[0]


class ConcatShape(NamedTuple):
    """A checked plain concatenation fusion: inputs of ``widths``, an ``N x n`` weight."""

    widths: tuple[int, ...]
    n: int

    @property
    def N(self) -> int:
        """``N = n_1 + ... + n_k``, the width of the concatenated input."""
        return sum(self.widths)

    @property
    def l(self) -> int:
        """``l = N*n``."""
        return self.N * self.n

    @property
    def rule(self) -> str:
        return f"l = N*n with N={self.N}, n={self.n}"


def concat_shape(dims: Any, n: Any = None) -> ConcatShape:
    """Check the input widths and the output width (default: the common input width)."""
    widths = input_widths(dims)
    return ConcatShape(widths, output_width(widths, n))


class FusionShape(NamedTuple):
    """A checked Dual-LPHM fusion: inputs of ``widths`` and the ``N x n`` Dual-LPHM ``weight``."""

    widths: tuple[int, ...]
    weight: LphmShape

    @property
    def N(self) -> int:
        return self.weight.R

    @property
    def n(self) -> int:
        return self.weight.C

    @property
    def l(self) -> int:
        """``l = r*(p + q + N/p + n/q)``."""
        return self.weight.l

    @property
    def rule(self) -> str:
        return self.weight.rule


def fusion_shape(dims: Any, n: Any, p: Any, q: Any, r: Any) -> FusionShape:
    """Check a Dual-LPHM fusion: ``p | N`` with ``N = sum(dims)``, ``q | n``."""
    return with_weight(concat_shape(dims, n), p, q, r)


def with_weight(plain: ConcatShape, p: Any, q: Any, r: Any) -> FusionShape:
    """The Dual-LPHM fusion of an already checked :class:`ConcatShape`: ``p | N``, ``q | n``."""
    p = check_dim(p, "p")
    if plain.N % p:
        raise RefimplError(
            f"N={plain.N} (the sum of the input widths {list(plain.widths)}) is not divisible by p={p}"
        )
    return FusionShape(plain.widths, lphm_shape(plain.N, plain.n, p, q, r, names=("N", "n")))


def checked_fusion_shape(widths: tuple[Any, ...], n: Any, p: Any, q: Any, r: Any) -> FusionShape:
    """:func:`fusion_shape`, remembered for configurations of plain ``int`` (``None`` for ``n``
    and ``q``): a call checks a configuration it has seen before in one look-up, with the same
    verdict and message. Anything else (a bool, a NumPy integer, a float) is checked afresh."""
    if all(type(v) is int for v in (*widths, p, r)) and all(v is None or type(v) is int for v in (n, q)):
        return _remembered_fusion_shape(widths, n, p, q, r)
    return fusion_shape(widths, n, p, q, r)


@functools.lru_cache(maxsize=256)
def _remembered_fusion_shape(
    widths: tuple[int, ...], n: int | None, p: int, q: int | None, r: int
) -> FusionShape:
    return fusion_shape(widths, n, p, q, r)  # an error is raised, not remembered
