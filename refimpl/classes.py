"""tinybig-style classes, for code ported from tinybig: thin shells over the functions.

Each class stores its configuration and forwards to the function of the same formula; none
holds an implementation of its own. The lower-case names follow tinybig's, so ported code
needs only its import changed.

``device`` is accepted in ``forward`` for signature compatibility and not acted on: the result
lives in the namespace and on the device of ``w`` (and the inputs), as for the functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._validation import RefimplError, check_dim
from .functions._sparse import check_format
from .functions.dual_lphm import dual_lphm, dual_lphm_l
from .functions.dual_lphm_fusion import dual_lphm_fusion, dual_lphm_fusion_l
from .functions.duplicated_diagonal_padding import duplicated_diagonal_padding
from .functions.duplicated_padding import duplicated_padding, duplicated_padding_l
from .shapes import concat_shape, default_q

__all__ = [
    "dual_lphm_parameterized_concatenation_fusion",
    "dual_lphm_reconciliation",
    "duplicated_diagonal_padding_reconciliation",
    "duplicated_padding_reconciliation",
]


def _width(a: Any) -> int | None:
    """The last dimension of one fusion input (an array or a nested list), or ``None`` when it
    has fewer than two dimensions (then :func:`dual_lphm_fusion` names what is wrong)."""
    shape = getattr(a, "shape", None)
    if shape is not None:
        return int(tuple(shape)[-1]) if len(tuple(shape)) >= 2 else None
    depth, inner, width = 0, a, None
    while isinstance(inner, Sequence) and not isinstance(inner, (str, bytes)):
        depth, width = depth + 1, len(inner)
        if not inner:
            break
        inner = inner[0]
    return width if depth >= 2 else None


def _widths(x: Any) -> list[int] | None:
    """The widths of the fusion inputs ``x``, or ``None`` if ``x`` is not a list of inputs."""
    if not isinstance(x, (list, tuple)) or not x:
        return None
    widths = [_width(a) for a in x]
    return None if None in widths else widths  # type: ignore[return-value]


class _Reconciliation:
    """Shared shell: ``calculate_l(n, D)``, ``forward(n, D, w)``, and ``__call__ = forward``."""

    def __init__(self, p: int = 2, q: int | None = None) -> None:
        self.p = check_dim(p, "p")
        self.q = default_q(self.p, q)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"

    def calculate_l(self, n: int, D: int) -> int:
        raise NotImplementedError

    def forward(self, n: int, D: int, w: Any, device: Any = "cpu") -> Any:
        raise NotImplementedError

    def __call__(self, n: int, D: int, w: Any, device: Any = "cpu") -> Any:
        return self.forward(n, D, w, device=device)


class duplicated_padding_reconciliation(_Reconciliation):
    """Shell over :func:`refimpl.duplicated_padding`: ``kron(ones(p, q), reshape(w, (s, t)))``.

    Parameters
    ----------
    p, q : int
        Block rows and block columns; ``q`` defaults to ``p``.

    Examples
    --------
    >>> from refimpl import duplicated_padding_reconciliation
    >>> rec = duplicated_padding_reconciliation(p=2)
    >>> rec.calculate_l(n=4, D=4)
    4
    >>> print(rec(4, 4, [1.0, 2.0, 3.0, 4.0]))
    [[1. 2. 1. 2.]
     [3. 4. 3. 4.]
     [1. 2. 1. 2.]
     [3. 4. 3. 4.]]
    """

    def calculate_l(self, n: int, D: int) -> int:
        return duplicated_padding_l(n, D, self.p, self.q)

    def forward(self, n: int, D: int, w: Any, device: Any = "cpu") -> Any:
        return duplicated_padding(w, n, D, self.p, self.q)


class duplicated_diagonal_padding_reconciliation(_Reconciliation):
    """Shell over :func:`refimpl.duplicated_diagonal_padding`: ``kron(eye(p, q), W)``.

    ``forward`` returns a dense array (tinybig returns a dense tensor); pass
    ``format="csr"`` (or another sparse format) to the constructor for a sparse one.

    Parameters
    ----------
    p, q : int
        Block rows and block columns; ``q`` defaults to ``p``.
    format : {"dense", "csr", "csc", "coo", "bsr"}, default "dense"
        The format ``forward`` returns.

    Examples
    --------
    >>> from refimpl import duplicated_diagonal_padding_reconciliation
    >>> rec = duplicated_diagonal_padding_reconciliation(p=2, q=1)
    >>> print(rec(4, 2, [1.0, 2.0, 3.0, 4.0]))
    [[1. 2.]
     [3. 4.]
     [0. 0.]
     [0. 0.]]
    """

    def __init__(self, p: int = 2, q: int | None = None, *, format: str = "dense") -> None:
        super().__init__(p, q)
        self.format = check_format(format)

    def calculate_l(self, n: int, D: int) -> int:
        return duplicated_padding_l(n, D, self.p, self.q)

    def forward(self, n: int, D: int, w: Any, device: Any = "cpu") -> Any:
        return duplicated_diagonal_padding(w, n, D, self.p, self.q, format=self.format)  # type: ignore[arg-type]


class dual_lphm_reconciliation(_Reconciliation):
    """Shell over :func:`refimpl.dual_lphm`: ``kron(P @ Q.T, S @ T.T)``.

    Parameters
    ----------
    p, q : int
        Shape of ``P @ Q.T``; ``q`` defaults to ``p``.
    r : int, default 2
        Rank of both Kronecker factors.

    Examples
    --------
    >>> from refimpl import dual_lphm_reconciliation
    >>> rec = dual_lphm_reconciliation(p=2, r=1)
    >>> rec.calculate_l(n=4, D=4)  # 1 * (2 + 2 + 4/2 + 4/2)
    8
    """

    def __init__(self, p: int, q: int | None = None, r: int = 2) -> None:
        super().__init__(p, q)
        self.r = check_dim(r, "r")

    def calculate_l(self, n: int, D: int) -> int:
        return dual_lphm_l(n, D, self.p, self.q, self.r)

    def forward(self, n: int, D: int, w: Any, device: Any = "cpu") -> Any:
        return dual_lphm(w, n, D, self.p, self.q, self.r)


class dual_lphm_parameterized_concatenation_fusion:
    """Shell over :func:`refimpl.dual_lphm_fusion`.

    Parameters
    ----------
    r, p, q : int
        Rank and factor shape, as in :func:`refimpl.dual_lphm_fusion`.
    n : int, optional
        Output width; by default the common width of ``dims`` (or of the inputs).
    dims : sequence of int, optional
        The input widths ``n_1..n_k``; needed by :meth:`calculate_l`, and checked against
        the inputs in :meth:`forward` when given.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl import dual_lphm_parameterized_concatenation_fusion as Fusion
    >>> fusion = Fusion(r=1, p=2, dims=[2, 2])
    >>> fusion.calculate_n(), fusion.calculate_l()  # n = 2, l = 1 * (2 + 2 + 4/2 + 2/2)
    (2, 7)
    >>> fusion([np.ones((3, 2)), np.ones((3, 2))], np.ones(7)).shape
    (3, 2)
    """

    def __init__(
        self,
        r: int,
        p: int,
        q: int | None = None,
        n: int | None = None,
        dims: Sequence[int] | None = None,
    ) -> None:
        self.r = check_dim(r, "r")
        self.p = check_dim(p, "p")
        self.q = default_q(self.p, q)
        self.n = None if n is None else check_dim(n, "n")
        self.dims = None if dims is None else concat_shape(dims, self.n).widths

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"

    def _dims(self, dims: Sequence[int] | None) -> Sequence[int]:
        dims = self.dims if dims is None else dims
        if dims is None:
            raise TypeError("the input widths are unknown: pass dims here or to the constructor")
        return dims

    def calculate_n(self, dims: Sequence[int] | None = None) -> int:
        """The output width: ``n`` if given, else the common input width."""
        return concat_shape(self._dims(dims), self.n).n

    def calculate_l(self, dims: Sequence[int] | None = None) -> int:
        """``l = r*(p + q + sum(dims)/p + n/q)``, see :func:`refimpl.dual_lphm_fusion_l`."""
        return dual_lphm_fusion_l(self._dims(dims), self.n, self.p, self.q, self.r)

    def forward(self, x: Sequence[Any], w: Any, device: Any = "cpu") -> Any:
        """``concat(x, axis=-1) @ kron(P @ Q.T, S @ T.T)``, see :func:`refimpl.dual_lphm_fusion`."""
        if self.dims is not None:
            widths = _widths(x)
            if widths is not None and widths != list(self.dims):  # before the function blames n
                raise RefimplError(
                    f"inputs must have the widths dims={list(self.dims)} given to the constructor, "
                    f"got inputs of widths {widths}"
                )
        return dual_lphm_fusion(x, w, p=self.p, q=self.q, r=self.r, n=self.n)

    def __call__(self, x: Sequence[Any], w: Any, device: Any = "cpu") -> Any:
        return self.forward(x, w, device=device)
