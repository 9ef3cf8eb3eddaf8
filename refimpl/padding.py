"""Duplicated padding and duplicated diagonal padding (SPEC sections 1 and 2).

Both reshape a parameter vector ``w`` of length ``l = s*t`` into ``W`` (``s x t``, row-major)
and repeat it over a ``p x q`` grid of blocks, giving an ``n x D`` matrix with ``n = p*s`` and
``D = q*t``:

* :func:`duplicated_padding` repeats ``W`` in every block: ``kron(ones(p, q), W)``;
* :func:`duplicated_diagonal_padding` only on the diagonal blocks: ``kron(eye(p, q), W)``,
  a sparse matrix whose other entries are structural zeros.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Literal

import array_api_compat

from ._memory import check_dense_size, check_size, itemsize
from ._validation import RefimplError, check_parameter_vector
from ._xp import namespace_and_arrays, sparse_module
from .shapes import PaddingShape, padding_shape

__all__ = [
    "SPARSE_FORMATS",
    "duplicated_diagonal_padding",
    "duplicated_padding",
    "duplicated_padding_l",
]

SparseFormat = Literal["csr", "csc", "coo", "bsr", "dense"]
#: The values of ``format`` that :func:`duplicated_diagonal_padding` accepts.
SPARSE_FORMATS: tuple[str, ...] = ("csr", "csc", "coo", "bsr", "dense")


def check_format(format: Any) -> str:
    """Return ``format`` if it is one of :data:`SPARSE_FORMATS`."""
    if not isinstance(format, str):
        raise TypeError(f"format must be one of {SPARSE_FORMATS}, got {format!r}")
    if format not in SPARSE_FORMATS:
        raise RefimplError(f"format must be one of {SPARSE_FORMATS}, got {format!r}")
    return format


def _parameter_matrix(w: Any, shape: PaddingShape) -> tuple[ModuleType, Any]:
    """``W = reshape(w, (s, t))`` in the namespace of ``w``."""
    xp, (w,) = namespace_and_arrays(w)
    w = check_parameter_vector(xp, w, shape.l, shape.rule)
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
    DenseSizeError
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
    xp, W = _parameter_matrix(w, shape)
    check_dense_size(xp, n, D, W.dtype, "duplicated_padding", "use refimpl.duplicated_padding_operator")
    return xp.tile(W, (shape.p, shape.q))  # tile(W, (p, q)) == kron(ones(p, q), W)


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
    DenseSizeError
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
    xp, W = _parameter_matrix(w, shape)
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
    sparse = _sparse_module_for(xp, format, W.dtype)
    check_sparse_size(xp, shape, format, W.dtype, f"duplicated_diagonal_padding(format={format!r})")
    # kron builds the structure from exact indices 1..l, then the stored entries take their
    # values from w: no value is ever multiplied, so inf stays inf (also complex inf, which
    # 1 * (inf+0j) would turn into inf+nanj) and zeros of W are stored like any entry.
    index = xp.reshape(xp.arange(1, shape.l + 1, dtype=xp.float64, device=array_api_compat.device(W)), (s, t))
    operand = index if array_api_compat.is_numpy_namespace(xp) else sparse.csr_matrix(index)
    psi = sparse.kron(_sparse_eye(sparse, p, q, xp.float64), operand, format=format)
    w_flat = xp.reshape(W, (shape.l,))
    values = xp.take(w_flat, xp.reshape(xp.astype(psi.data, xp.int64) - 1, (-1,)), axis=0)
    psi = psi.astype(W.dtype)
    psi.data = xp.reshape(values, psi.data.shape)
    return psi


def _sparse_module_for(xp: ModuleType, format: str, dtype: Any) -> ModuleType:
    sparse = sparse_module(xp)
    if sparse is None:
        raise TypeError(
            f"format={format!r} needs a SciPy-style sparse module, and the namespace "
            f"{xp.__name__} has none; pass format='dense' for a dense array of that namespace"
        )
    if getattr(dtype, "itemsize", None) == 2:
        raise TypeError(f"sparse formats do not hold dtype {dtype}; use format='dense' or a float32 w")
    if format == "bsr" and not hasattr(sparse, "bsr_array"):
        raise TypeError(
            f"format='bsr' is not available in {sparse.__name__}; use 'csr', 'csc', 'coo' or 'dense'"
        )
    return sparse


#: The largest index of SciPy's (and CuPy's) sparse index arrays: int64.
_MAX_INDEX = 2**63 - 1


def sparse_nbytes(shape: PaddingShape, format: str, item: int) -> int:
    """Bytes of the sparse result in ``format``: stored entries, their indices and pointers.

    Exact integers; the indices counted as int64 (SciPy uses int32 when they fit, so this is
    an upper bound). ``k = min(p, q)`` diagonal blocks hold ``nnz = k*s*t`` entries.
    """
    k = min(shape.p, shape.q)
    nnz = k * shape.l
    if format == "coo":
        return nnz * (item + 2 * 8)  # data, row, col
    if format == "bsr":
        return nnz * item + k * 8 + (shape.p + 1) * 8  # k dense blocks, block indices, block pointers
    pointers = shape.n if format == "csr" else shape.D
    return nnz * (item + 8) + (pointers + 1) * 8  # data, indices, indptr


def check_sparse_size(
    xp: ModuleType,
    shape: PaddingShape,
    format: str,
    dtype: Any,
    what: str,
    advice: str = "use refimpl.duplicated_diagonal_padding_operator, which stores W only",
) -> None:
    """The memory guard for the sparse result of the diagonal padding, before anything is built.

    Then refuses shapes that int64 indices cannot address (with the guard off, or a COO
    result with few entries).
    """
    nnz = min(shape.p, shape.q) * shape.l
    check_size(
        sparse_nbytes(shape, format, itemsize(xp, dtype)),
        f"{what} would allocate a sparse {shape.n} x {shape.D} {dtype} matrix with "
        f"{nnz} stored entries (min(p, q)*s*t) and their int64 indices",
        advice,
    )
    if max(shape.n, shape.D) > _MAX_INDEX:
        raise RefimplError(
            f"{what}: a sparse {shape.n} x {shape.D} matrix cannot be indexed by int64, the widest "
            f"index of sparse arrays (n and D must be at most 2**63 - 1); {advice}"
        )


def _sparse_eye(sparse: ModuleType, p: int, q: int, dtype: Any) -> Any:
    """The rectangular identity ``eye(p, q)`` as a COO sparse array (a matrix for CuPy).

    Built from its ``min(p, q)`` entries directly: SciPy's ``eye`` goes through CSR and
    allocates ``p + 1`` row pointers, which the guard does not see for a COO result. Passing a
    sparse operand to ``kron`` keeps it from densifying ``W`` and keeps SciPy from warning
    about two dense operands.
    """
    xp = _dense_module(sparse)
    k = min(p, q)
    diagonal = xp.arange(k, dtype=xp.int64)
    coo = getattr(sparse, "coo_array", None) or sparse.coo_matrix
    return coo((xp.ones(k, dtype=dtype), (diagonal, diagonal)), shape=(p, q))


def _dense_module(sparse: ModuleType) -> ModuleType:
    """NumPy for ``scipy.sparse``, CuPy for ``cupyx.scipy.sparse``."""
    if sparse.__name__.startswith("cupyx"):
        import cupy

        return cupy  # type: ignore[no-any-return]  # CuPy ships no types: the module is Any
    import numpy

    return numpy
