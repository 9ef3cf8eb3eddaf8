"""Duplicated diagonal padding (SPEC section 2): ``W`` on the diagonal blocks only.

``w`` of length ``l = s*t`` is reshaped into ``W`` (``s x t``, row-major) and placed on the
``min(p, q)`` diagonal blocks of a ``p x q`` grid: ``psi(w) = kron(eye(p, q), W)``, an ``n x D``
sparse matrix (``scipy.sparse.kron``) whose other entries are structural zeros. This module is
the function's home: the function, its operator, the sparse formats and their memory guard, and
:class:`DuplicatedDiagonalPaddingFunction`; its ``l`` is :func:`refimpl.duplicated_padding_l`.
"""

from __future__ import annotations

from typing import Any

import array_api_compat
import numpy as np

from .._memory import check_dense_size
from ..operators import BlockGridOperator
from ..shapes import PaddingShape, padding_shape
from ._mistakes import COLUMN_MAJOR_W, KRONECKER, OUTPUT_TRANSPOSED, P_Q_EXCHANGED, one
from ._sparse import (
    SPARSE_FORMATS,
    SparseFormat,
    check_format,
    check_sparse_size,
    sparse_eye,
    sparse_module_for,
)
from .duplicated_padding import PaddingFunction, parameter_matrix

__all__ = [
    "SPARSE_FORMATS",
    "DuplicatedDiagonalPaddingFunction",
    "DuplicatedDiagonalPaddingOperator",
    "duplicated_diagonal_padding",
    "duplicated_diagonal_padding_operator",
]


def duplicated_diagonal_padding(
    w: Any,
    n: int,
    D: int,
    p: int,
    q: int | None = None,
    *,
    format: SparseFormat = "csr",
) -> Any:
    r"""Duplicated diagonal padding: ``W`` on the diagonal blocks, structural zeros elsewhere.

    .. math::

        \psi(w) = I_{p \times q} \otimes W \in \mathbb{R}^{n \times D}, \qquad
        \psi(w)_{ij} = \begin{cases}
            W_{i \bmod s,\; j \bmod t} & \text{if } \lfloor i/s \rfloor = \lfloor j/t \rfloor \\
            0 & \text{otherwise,}
        \end{cases}

    with ``I_pq = eye(p, q)`` (rectangular when ``p != q``: ``min(p, q)`` diagonal blocks),
    ``W = reshape(w, (s, t))`` row-major, ``s = n/p``, ``t = D/q``, ``l = s*t``.

    The entries outside the diagonal blocks are exact zeros whatever ``w`` holds (an ``inf``
    in ``w`` never becomes a ``nan`` there): the sparse result stores only the ``min(p, q)``
    diagonal blocks, and the dense one places ``W`` into them instead of computing ``0 * W``.

    Parameters
    ----------
    w : array_like, shape (l,) or (1, l)
        The parameter vector.
    n, D, p, q : int
        As in :func:`duplicated_padding_l`.
    format : {"csr", "csc", "coo", "bsr", "dense"}, default "csr"
        A sparse format, built with the backend's sparse ``kron`` (``scipy.sparse.kron``
        for NumPy, giving a SciPy sparse *array*; ``cupyx.scipy.sparse.kron`` for CuPy, which
        has sparse matrices only and no ``bsr``), or ``"dense"`` for an array of ``w``'s namespace.

    Returns
    -------
    sparse array or array, shape (n, D)
        In ``w``'s floating dtype.

    Raises
    ------
    TypeError
        If a sparse format is asked of a namespace without a SciPy-style sparse module
        (PyTorch, ``array_api_strict``: use ``format="dense"``), or of a dtype SciPy's
        sparse arrays do not hold (float16).
    RefimplError
        If the configuration, ``w`` or ``format`` is invalid, or a sparse ``n`` or ``D`` is
        past ``2**63 - 1`` (what int64 indices address).
    MemoryLimitError
        If the result is over the memory guard's limit, checked before anything is built: a
        dense one counts ``n*D`` entries, a sparse one its ``min(p, q)*s*t`` stored entries
        with their int64 indices and pointers.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl import duplicated_diagonal_padding
    >>> psi = duplicated_diagonal_padding(np.arange(1.0, 5.0), n=4, D=6, p=2, q=3)
    >>> psi.format, psi.shape, psi.nnz
    ('csr', (4, 6), 8)
    >>> print(psi.toarray())
    [[1. 2. 0. 0. 0. 0.]
     [3. 4. 0. 0. 0. 0.]
     [0. 0. 1. 2. 0. 0.]
     [0. 0. 3. 4. 0. 0.]]
    """
    check_format(format)
    shape = padding_shape(n, D, p, q)
    xp, W = parameter_matrix(w, shape)
    p, q, s, t = shape.p, shape.q, shape.s, shape.t
    if format == "dense":
        check_dense_size(
            xp,
            n,
            D,
            W.dtype,
            "duplicated_diagonal_padding(format='dense')",
            "use a sparse format or refimpl.duplicated_diagonal_padding_operator",
        )
        # Select, never multiply: where(eye, W, 0) over the (p, s, q, t) block grid.
        on_diagonal = xp.reshape(xp.eye(p, q, dtype=xp.bool, device=array_api_compat.device(W)), (p, 1, q, 1))
        zero = xp.zeros((), dtype=W.dtype, device=array_api_compat.device(W))
        blocks = xp.where(on_diagonal, xp.reshape(W, (1, s, 1, t)), zero)
        return xp.reshape(blocks, (shape.n, shape.D))
    sparse = sparse_module_for(xp, format, W.dtype)
    check_sparse_size(xp, shape, format, W.dtype, f"duplicated_diagonal_padding(format={format!r})")
    # kron builds the structure from exact indices 1..l, then the stored entries take their
    # values from w: no value is ever multiplied, so inf stays inf (also complex inf, which
    # 1 * (inf+0j) would turn into inf+nanj) and zeros of W are stored like any entry.
    index = xp.reshape(xp.arange(1, shape.l + 1, dtype=xp.float64, device=array_api_compat.device(W)), (s, t))
    operand = index if array_api_compat.is_numpy_namespace(xp) else sparse.csr_matrix(index)
    psi = sparse.kron(sparse_eye(sparse, p, q, xp.float64), operand, format=format)
    w_flat = xp.reshape(W, (shape.l,))
    values = xp.take(w_flat, xp.reshape(xp.astype(psi.data, xp.int64) - 1, (-1,)), axis=0)
    psi = psi.astype(W.dtype)
    psi.data = xp.reshape(values, psi.data.shape)
    return psi


class DuplicatedDiagonalPaddingOperator(BlockGridOperator):
    r"""``kron(eye(p, q), W)`` applied without materialising it.

    With ``X`` cut into ``p`` column blocks ``X_i`` of width ``s`` and ``k = min(p, q)``:

    .. math:: X (I_{p \times q} \otimes W) = [\,X_0 W \;\cdots\; X_{k-1} W \;\; 0 \cdots 0\,],

    computed as one matrix product ``(m*k, s) @ (s, t)``: the compute floor of the structure.
    Structural zeros stay exact: the zero blocks are written, never computed. Build it with
    :func:`duplicated_diagonal_padding_operator`.

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
    >>> op = refimpl.duplicated_diagonal_padding_operator(np.arange(1.0, 5.0), n=4, D=4, p=2)
    >>> bool(np.array_equal(np.eye(4) @ op, op.toarray()))
    True
    """

    def _apply(self, X: Any) -> Any:
        xp, (s, t), m = self.xp, self.W.shape, X.shape[0]
        k = min(self.p, self.q)
        if k < self.p:
            X = X[:, : k * s]
        out = xp.reshape(xp.reshape(X, (m * k, s)) @ self.W, (m, k * t))
        if k < self.q:
            zeros = xp.zeros((m, (self.q - k) * t), dtype=out.dtype, device=array_api_compat.device(out))
            out = xp.concat([out, zeros], axis=1)
        return out

    def _dense(self) -> Any:
        return self.tosparse("dense")

    def tosparse(self, format: SparseFormat = "csr") -> Any:
        """The matrix from :func:`refimpl.duplicated_diagonal_padding` in ``format``.

        Parameters
        ----------
        format : {"csr", "csc", "coo", "bsr", "dense"}
            As for :func:`refimpl.duplicated_diagonal_padding`.

        Returns
        -------
        sparse array or array

        Raises
        ------
        MemoryLimitError
            If the result is over the memory guard's limit; checked before anything is built.

        Examples
        --------
        >>> import numpy as np
        >>> import refimpl
        >>> op = refimpl.duplicated_diagonal_padding_operator(np.ones(4), 10**9, 10**9, 5 * 10**8)
        >>> op.tosparse()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
            ...
        refimpl._memory.MemoryLimitError: DuplicatedDiagonalPaddingOperator.tosparse('csr') would allocate ... of 37.3 GiB, over the memory limit of 4.0 GiB; apply the operator instead (X @ op, op @ Y), ...
        """
        s, t = self.W.shape
        if check_format(format) != "dense":  # the dense result is guarded by the function
            shape = padding_shape(self.p * s, self.q * t, self.p, self.q)
            check_sparse_size(
                self.xp,
                shape,
                format,
                self.dtype,
                f"{type(self).__name__}.tosparse({format!r})",
                "apply the operator instead (X @ op, op @ Y)",
            )
        w = self.xp.reshape(self.W, (s * t,))
        return duplicated_diagonal_padding(w, self.p * s, self.q * t, self.p, self.q, format=format)


def duplicated_diagonal_padding_operator(
    w: Any, n: int, D: int, p: int, q: int | None = None
) -> DuplicatedDiagonalPaddingOperator:
    """The operator of :func:`refimpl.duplicated_diagonal_padding`: ``kron(eye(p, q), W)``.

    Parameters
    ----------
    w : array_like, shape (l,) or (1, l)
        The parameter vector, ``l = n*D/(p*q)``.
    n, D, p, q : int
        As in :func:`refimpl.duplicated_padding_l`.

    Returns
    -------
    DuplicatedDiagonalPaddingOperator
        ``X @ op`` is one ``(m*min(p, q), s) @ (s, t)`` product; ``op.tosparse(format)``
        gives the sparse matrix.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl import duplicated_diagonal_padding_operator
    >>> op = duplicated_diagonal_padding_operator(np.arange(1.0, 5.0), n=4, D=6, p=2, q=3)
    >>> print(np.array([[1.0, 0.0, 0.0, 1.0]]) @ op)
    [[1. 2. 3. 4. 0. 0.]]
    >>> op.tosparse("csr").nnz
    8
    """
    shape = padding_shape(n, D, p, q)
    xp, W = parameter_matrix(w, shape)
    return DuplicatedDiagonalPaddingOperator(xp, W, shape.p, shape.q)


# -- what the rest of the package knows of it ------------------------------------------------


class DuplicatedDiagonalPaddingFunction(PaddingFunction):
    """Duplicated diagonal padding, ``kron(eye(p, q), W)``, as the oracle sees it."""

    name = "duplicated_diagonal_padding"
    vector_prefix = "ddp"
    diagonal = True
    formats = SPARSE_FORMATS
    mistakes = (
        P_Q_EXCHANGED,
        COLUMN_MAJOR_W,
        one("ones_for_identity", "ones in place of the identity", "ones"),
        one("zero_times_w", "off-diagonal blocks computed as 0 * W", "select", "multiplied"),
        *KRONECKER,
        OUTPUT_TRANSPOSED,
    )
    vectors = (
        ("wide", ("float32", "float64", "complex128"), {"n": 6, "D": 12, "p": 2, "q": 3}),  # p < q
        ("tall", ("float64",), {"n": 12, "D": 8, "p": 4, "q": 2}),  # p > q: two empty block rows
        ("square", ("float64",), {"n": 8, "D": 6, "p": 2, "q": 2}),
        ("p1", ("float64",), {"n": 3, "D": 12, "p": 1, "q": 3}),  # a single block
        ("s1", ("float64",), {"n": 3, "D": 6, "p": 3, "q": 2}),
        ("t1", ("float64",), {"n": 6, "D": 3, "p": 2, "q": 3}),
        ("nonfinite", ("float64", "float32"), {"n": 6, "D": 12, "p": 2, "q": 3}),
        ("large", ("float32",), {"n": 1024, "D": 1024, "p": 4, "q": 4}),  # s = t = 256
    )

    @property
    def function(self) -> Any:
        return duplicated_diagonal_padding

    def dense(self, w: np.ndarray, shape: PaddingShape) -> np.ndarray:
        psi: np.ndarray = duplicated_diagonal_padding(w, shape.n, shape.D, shape.p, shape.q, format="dense")
        return psi

    def call(self, config: dict[str, Any], inputs: dict[str, Any], format: Any = "dense") -> Any:
        return duplicated_diagonal_padding(
            inputs["w"], config["n"], config["D"], config["p"], config.get("q"), format=format or "dense"
        )

    def operator(self, config: dict[str, Any], w: Any) -> Any:
        return duplicated_diagonal_padding_operator(w, config["n"], config["D"], config["p"], config.get("q"))

    def edge_flags(self, config: dict[str, Any]) -> list[str]:
        """``rectangular_identity`` where ``p != q``: ``eye(p, q)`` has ``min(p, q)`` ones."""
        return ["rectangular_identity"] if config["p"] != config["q"] else []

    def structure_problem(
        self, stored: np.ndarray, count: int | None, layout: str, config: dict[str, Any]
    ) -> str:
        """Where a sparse output stores entries SPEC section 2 does not allow: outside the
        ``min(p, q)`` diagonal blocks, or more than ``min(p, q) * s * t`` of them."""
        shape = self.shape(config)
        s, t, k = shape.s, shape.t, min(shape.p, shape.q)
        rows, cols = np.indices(stored.shape)
        outside = stored & ~((rows // s == cols // t) & (rows // s < k))
        if outside.any():
            i, j = (int(v) for v in np.argwhere(outside)[0])
            return (
                f"the {layout} stores {int(outside.sum())} of its {count} entries outside the diagonal "
                f"blocks (SPEC section 2: only inside the min(p, q) = {k} diagonal blocks of {s} x {t}), "
                f"the first at entry ({i}, {j}), in block ({i // s}, {j // t})"
            )
        if count is not None and count > k * s * t:
            return (
                f"the {layout} stores {count} entries, duplicates counted; SPEC section 2 allows at most "
                f"min(p, q) * s * t = {k * s * t}"
            )
        return ""
