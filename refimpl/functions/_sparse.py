"""The sparse results of the diagonal padding (SPEC section 2): their formats, their memory
guard, and the pieces ``kron`` builds them from."""

from __future__ import annotations

from types import ModuleType
from typing import Any, Literal

from .._memory import check_size, itemsize
from .._validation import RefimplError
from .._xp import sparse_module
from ..shapes import PaddingShape

__all__ = [
    "SPARSE_FORMATS",
    "SparseFormat",
    "check_format",
    "check_sparse_size",
    "sparse_eye",
    "sparse_module_for",
    "sparse_nbytes",
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


def sparse_module_for(xp: ModuleType, format: str, dtype: Any) -> ModuleType:
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


def sparse_eye(sparse: ModuleType, p: int, q: int, dtype: Any) -> Any:
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
