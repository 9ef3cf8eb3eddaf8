"""A block on a grid of blocks: what the two padding operators of SPEC share."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat

from ._base import StructuredOperator

__all__ = ["BlockGridOperator"]


class BlockGridOperator(StructuredOperator):
    """A block ``W`` (``s x t``) on a ``p x q`` grid of blocks: the base of the padding operators.

    A subclass says which blocks hold ``W`` (its ``_apply`` and ``_dense``); the transpose, the
    conjugate and a change of dtype keep the grid and act on ``W`` alone.

    Parameters
    ----------
    xp : module
        The array namespace of ``W``.
    W : array, shape (s, t)
        The block.
    p, q : int
        Block rows and block columns.
    """

    def __init__(self, xp: ModuleType, W: Any, p: int, q: int) -> None:
        s, t = W.shape
        super().__init__(xp, (p * s, q * t), W.dtype, array_api_compat.device(W))
        self.W, self.p, self.q = W, p, q

    def _transpose(self) -> Any:
        return type(self)(self.xp, self.W.T, self.q, self.p)

    def _conj(self) -> Any:
        return type(self)(self.xp, self.xp.conj(self.W), self.p, self.q)

    def _astype(self, dtype: Any) -> Any:
        return type(self)(self.xp, self.xp.astype(self.W, dtype), self.p, self.q)
