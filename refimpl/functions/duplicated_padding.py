"""Duplicated padding (SPEC section 1): ``W`` repeated over a ``p x q`` grid of blocks.

``w`` of length ``l = s*t`` is reshaped into ``W`` (``s x t``, row-major) and repeated in every
block of a ``p x q`` grid: ``psi(w) = kron(ones(p, q), W)``, an ``n x D`` matrix with ``n = p*s``
and ``D = q*t``. This module is the function's home: the function and its ``l``, its operator,
and :class:`DuplicatedPaddingFunction`, what the oracle, the command line and the plotting know
of it (the diagonal padding of :mod:`refimpl.functions.duplicated_diagonal_padding` shares it).
"""

from __future__ import annotations

from abc import abstractmethod
from types import ModuleType
from typing import Any, ClassVar

import numpy as np

from .._memory import check_dense_size
from .._validation import check_parameter_vector
from .._xp import namespace_and_arrays
from ..operators import BlockGridOperator
from ..shapes import PaddingShape, padding_shape
from ._function import MatrixFunction, Stages
from ._mistakes import COLUMN_MAJOR_W, KRONECKER, OUTPUT_TRANSPOSED, P_Q_EXCHANGED, Mistake, kron_variant, one
from ._picture import BREAK, Panel, Picture, finite_range

__all__ = [
    "DuplicatedPaddingFunction",
    "DuplicatedPaddingOperator",
    "duplicated_padding",
    "duplicated_padding_l",
    "duplicated_padding_operator",
]


def parameter_matrix(w: Any, shape: PaddingShape) -> tuple[ModuleType, Any]:
    """``W = reshape(w, (s, t))`` in the namespace of ``w``."""
    xp, (w,) = namespace_and_arrays(w)
    w = check_parameter_vector(xp, w, shape)
    return xp, xp.reshape(w, (shape.s, shape.t))


def duplicated_padding_l(n: int, D: int, p: int, q: int | None = None) -> int:
    r"""Length of the parameter vector of :func:`duplicated_padding`.

    .. math:: l = s \cdot t = \frac{n D}{p q}, \qquad s = n/p,\; t = D/q.

    Parameters
    ----------
    n, D : int
        Rows and columns of the output matrix.
    p, q : int
        Number of block rows and block columns; ``q`` defaults to ``p``.
        ``p`` must divide ``n`` and ``q`` must divide ``D``.

    Returns
    -------
    int
        ``l``, the required length of ``w``.

    Raises
    ------
    TypeError
        If a dimension is not an integer (bools are not).
    RefimplError
        If a dimension is not positive or a division is not exact.

    Examples
    --------
    >>> from refimpl import duplicated_padding_l
    >>> duplicated_padding_l(n=6, D=8, p=3, q=2)
    8
    """
    return padding_shape(n, D, p, q).l


def duplicated_padding(w: Any, n: int, D: int, p: int, q: int | None = None) -> Any:
    r"""Duplicated padding: ``W`` repeated over a ``p x q`` grid of blocks.

    .. math::

        \psi(w) = \mathbf{1}_{p \times q} \otimes W \in \mathbb{R}^{n \times D},
        \qquad \psi(w)_{ij} = W_{i \bmod s,\; j \bmod t},

    with ``W = reshape(w, (s, t))`` row-major, ``s = n/p``, ``t = D/q``, ``l = s*t``.

    Parameters
    ----------
    w : array_like, shape (l,) or (1, l)
        The parameter vector, from any array-API library (or a list).
    n, D, p, q : int
        As in :func:`duplicated_padding_l`.

    Returns
    -------
    array, shape (n, D)
        A dense array of ``w``'s namespace, device and floating dtype.

    Raises
    ------
    TypeError
        If a dimension is not an integer or ``w`` is not numeric.
    RefimplError
        If the configuration is invalid or ``w`` does not have ``l`` entries.
    MemoryLimitError
        If the ``n x D`` result is over the memory guard's limit; checked before it is built.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl import duplicated_padding
    >>> print(duplicated_padding(np.arange(1.0, 5.0), n=4, D=6, p=2, q=3))
    [[1. 2. 1. 2. 1. 2.]
     [3. 4. 3. 4. 3. 4.]
     [1. 2. 1. 2. 1. 2.]
     [3. 4. 3. 4. 3. 4.]]
    """
    shape = padding_shape(n, D, p, q)
    xp, W = parameter_matrix(w, shape)
    check_dense_size(xp, n, D, W.dtype, "duplicated_padding", "use refimpl.duplicated_padding_operator")
    return xp.tile(W, (shape.p, shape.q))  # tile(W, (p, q)) == kron(ones(p, q), W)


class DuplicatedPaddingOperator(BlockGridOperator):
    r"""``kron(ones(p, q), W)`` applied without materialising it.

    With ``X`` cut into ``p`` column blocks ``X_i`` of width ``s``:

    .. math:: X (\mathbf{1}_{p \times q} \otimes W) = [\,Y \;\cdots\; Y\,] \;(q \text{ times}),
        \qquad Y = \Big(\sum_{i} X_i\Big) W,

    one pass over ``X``, one small product and one pass over the output. Build it with
    :func:`duplicated_padding_operator`.

    Parameters
    ----------
    xp : module
        The array namespace of ``W``.
    W : array, shape (s, t)
        The block.
    p, q : int
        Block rows and block columns.

    Examples
    --------
    >>> import numpy as np
    >>> import refimpl
    >>> op = refimpl.duplicated_padding_operator(np.arange(1.0, 5.0), n=4, D=4, p=2)
    >>> bool(np.array_equal(np.eye(4) @ op, op.toarray()))
    True
    """

    def _apply(self, X: Any) -> Any:
        xp, s = self.xp, self.W.shape[0]
        block_sum = xp.sum(xp.reshape(X, (X.shape[0], self.p, s)), axis=1)
        return xp.tile(block_sum @ self.W, (1, self.q))

    def _dense(self) -> Any:
        return self.xp.tile(self.W, (self.p, self.q))  # kron(ones(p, q), W), as duplicated_padding


def duplicated_padding_operator(
    w: Any, n: int, D: int, p: int, q: int | None = None
) -> DuplicatedPaddingOperator:
    """The operator of :func:`refimpl.duplicated_padding`: ``kron(ones(p, q), reshape(w, (s, t)))``.

    Parameters
    ----------
    w : array_like, shape (l,) or (1, l)
        The parameter vector, ``l = n*D/(p*q)``.
    n, D, p, q : int
        As in :func:`refimpl.duplicated_padding_l`.

    Returns
    -------
    DuplicatedPaddingOperator
        ``X @ op`` costs ``O(m*(n + s*t + D))`` for ``m`` rows.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl import duplicated_padding, duplicated_padding_operator
    >>> w, X = np.arange(1.0, 5.0), np.ones((3, 4))
    >>> op = duplicated_padding_operator(w, n=4, D=6, p=2, q=3)
    >>> op.shape
    (4, 6)
    >>> print(X @ op)
    [[ 8. 12.  8. 12.  8. 12.]
     [ 8. 12.  8. 12.  8. 12.]
     [ 8. 12.  8. 12.  8. 12.]]
    >>> bool(np.array_equal(X @ op, X @ duplicated_padding(w, 4, 6, 2, 3)))
    True
    """
    shape = padding_shape(n, D, p, q)
    xp, W = parameter_matrix(w, shape)
    return DuplicatedPaddingOperator(xp, W, shape.p, shape.q)


# -- what the rest of the package knows of it ------------------------------------------------


class PaddingFunction(MatrixFunction):
    """What the two padding functions share: ``kron(L, W)`` for a ``p x q`` pattern ``L``.

    Their entries are copies of ``w``'s, so the oracle's check is exact (no rounding). A
    subclass sets :attr:`diagonal` (``L = eye(p, q)``, otherwise ``ones(p, q)``).
    """

    config_keys = ("n", "D", "p", "q")
    exact = True
    #: ``True``: ``L = eye(p, q)``; ``False``: ``L = ones(p, q)``.
    diagonal: ClassVar[bool] = False
    generic = ({"n": 8, "D": 15, "p": 2, "q": 3}, {"n": 15, "D": 8, "p": 3, "q": 2})

    def build_shape(self, config: dict[str, Any]) -> PaddingShape:
        return padding_shape(config["n"], config["D"], config["p"], config.get("q"))

    def rounding_count(self, config: dict[str, Any]) -> int:
        return 0

    def vjp(
        self, config: dict[str, Any], w: np.ndarray, G: np.ndarray, arrays: list[np.ndarray]
    ) -> dict[str, Any]:
        """``dW`` is the sum of the blocks of ``G`` where ``L`` holds a one: every block of the
        ``p x q`` grid, or the ``min(p, q)`` diagonal ones."""
        shape = self.build_shape(config)
        G4 = G.reshape(shape.p, shape.s, shape.q, shape.t)
        dW: np.ndarray  # NumPy's stubs type einsum, and sums of an NDArray[Any], as Any
        if self.diagonal:
            k = min(shape.p, shape.q)
            dW = np.einsum("iaib->ab", G4[:k, :, :k, :])
        else:
            dW = G4.sum(axis=(0, 2))
        return {"w": dW.reshape(-1)}

    def read_shape(self, config: dict[str, Any], p: int, q: int) -> PaddingShape:
        """The shape ``w`` is read with when the grid is taken as ``p x q``."""
        return padding_shape(config["n"], config["D"], p, q)

    def applies(self, mistake: Mistake, config: dict[str, Any]) -> bool:
        if mistake.stage == "pq":
            return config["p"] != config["q"] and self.exchanged_shape(config) is not None
        return True

    @abstractmethod
    def dense(self, w: np.ndarray, shape: PaddingShape) -> np.ndarray:
        """The function's own value of a float64 NumPy ``w`` at ``shape``, dense."""

    def mistaken(self, stages: Stages, options: dict[str, Any]) -> np.ndarray | None:
        """The function's own value of the (mistakenly read) ``w``; with a stage of the Kronecker
        product changed (the other pattern, a multiplied pattern, the operands swapped, a flattened
        outer product), that product of ``L`` and ``W`` (:func:`kron_variant`)."""
        shape = stages.shape("pq" in options)
        if shape is None:
            return None
        w = stages.w
        if "layout" in options:  # a column-major reshape reads W^T's entries in W's order
            w = w.reshape(shape.t, shape.s).T.reshape(-1)
        if not {"ones", "select", "swap", "outer"} & options.keys():
            return self.dense(w, shape)
        diagonal = self.diagonal != ("ones" in options)
        L = np.eye(shape.p, shape.q, dtype=bool) if diagonal else np.ones((shape.p, shape.q), dtype=bool)
        if "select" in options:  # the pattern as numbers: multiplied, not selected
            L = L.astype(w.dtype)
        W = w.reshape(shape.s, shape.t)
        A, B = (W, L) if "swap" in options else (L, W)
        return kron_variant(A, B, outer="outer" in options)

    def blocks(self, config: dict[str, Any]) -> tuple[int, int]:
        shape = self.shape(config)
        return (shape.s, shape.t)

    def picture(self, config: dict[str, Any], w: np.ndarray, fmt: Any) -> Picture:
        """``L``, ``W = reshape(w, (s, t))`` and ``psi(w)`` with its grid of blocks; the
        diagonal blocks of the diagonal padding outlined."""
        shape = self.build_shape(config)
        (n, D, p, q, s, t), diagonal = shape, self.diagonal
        psi = self.call(config, {"w": w}, format="csr")  # checks w first
        if diagonal:
            left, name, formula = np.eye(p, q), "eye", rf"I_{{{p}\times {q}}}"
        else:
            left, name, formula = np.ones((p, q)), "ones", rf"\mathbf{{1}}_{{{p}\times {q}}}"
        W = w.reshape(s, t)
        low, high = finite_range([W])
        if diagonal:
            kind = "square" if p == q else f"rectangular: only min(p, q) = {min(p, q)} diagonal blocks"
            note = f"I = eye({p}, {q}) is {kind}; diagonal blocks outlined; grey: structural zeros (exact 0 whatever w holds)"
        else:
            note = f"every one of the {p}×{q} blocks is a copy of W"
        return Picture(
            (
                Panel(left, f"${formula}$ = {name}({p}, {q})", colour="#fdb97d" if diagonal else "#a9a9b3"),
                Panel(W, f"$W$ ={BREAK} reshape(w, ({s}, {t}))", vmin=low, vmax=high, zeros="value"),
                Panel(
                    psi,
                    rf"$\psi(w) = {formula} \otimes W$  ({n}×{D})",
                    block=(s, t),
                    vmin=low,
                    vmax=high,
                ),
            ),
            (r"$\otimes$", "="),
            f"{BREAK}   s = n/p = {s},  t = D/q = {t},  l = s·t = {shape.l}",
            (note,),
            tuple((k * s, k * t, s, t) for k in range(min(p, q))) if diagonal else (),
        )

    def telling(self, config: dict[str, Any]) -> bool:
        shape = self.shape(config)
        return bool(min(shape.s, shape.t) >= 2 and shape.p + shape.q >= 3)

    def grown(self, config: dict[str, Any]) -> list[dict[str, Any]]:
        c = self.normalize(config)
        return [{"n": 2 * c["n"], "D": k * c["D"], "p": c["p"], "q": c["q"]} for k in (2, 3)]


class DuplicatedPaddingFunction(PaddingFunction):
    """Duplicated padding, ``kron(ones(p, q), W)``, as the oracle sees it."""

    name = "duplicated_padding"
    vector_prefix = "dp"
    mistakes = (
        P_Q_EXCHANGED,
        COLUMN_MAJOR_W,
        one("identity_for_ones", "identity in place of ones", "ones"),
        *KRONECKER,
        OUTPUT_TRANSPOSED,
    )
    vectors = (
        ("basic", ("float32", "float64", "complex128"), {"n": 6, "D": 12, "p": 2, "q": 3}),  # s=3, t=4
        ("square", ("float64",), {"n": 6, "D": 6, "p": 2, "q": 2}),  # p == q, a square output
        ("p1", ("float64",), {"n": 3, "D": 8, "p": 1, "q": 2}),
        ("s1", ("float64",), {"n": 3, "D": 8, "p": 3, "q": 2}),  # n == p
        ("t1", ("float64",), {"n": 6, "D": 4, "p": 2, "q": 4}),  # q == D
        ("nonfinite", ("float64", "float32"), {"n": 6, "D": 12, "p": 2, "q": 3}),
    )

    @property
    def function(self) -> Any:
        return duplicated_padding

    def dense(self, w: np.ndarray, shape: PaddingShape) -> np.ndarray:
        psi: np.ndarray = duplicated_padding(w, shape.n, shape.D, shape.p, shape.q)
        return psi

    def call(self, config: dict[str, Any], inputs: dict[str, Any], format: Any = None) -> Any:
        return duplicated_padding(inputs["w"], config["n"], config["D"], config["p"], config.get("q"))

    def operator(self, config: dict[str, Any], w: Any) -> Any:
        return duplicated_padding_operator(w, config["n"], config["D"], config["p"], config.get("q"))
