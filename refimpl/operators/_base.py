"""The base of the structured operators: ``X @ op`` and ``op @ Y`` for any batch shape.

:class:`StructuredOperator` turns a matrix known by its structure into something that multiplies
like an array: it checks and promotes the other operand, flattens batch dimensions, sends Dask
arrays chunk by chunk, and speaks SciPy's ``LinearOperator`` protocol. A subclass in
:mod:`refimpl.operators` and in the functions' homes (:mod:`refimpl.functions`) says only how
to apply its structure to a 2-D ``X``.
"""

from __future__ import annotations

import importlib
import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import array_api_compat

from .._memory import check_dense_size, check_elements, itemsize
from .._validation import RefimplError
from .._xp import namespace_and_arrays, sparse_module

__all__ = ["StructuredOperator"]


class StructuredOperator(ABC):
    """An ``n x D`` matrix known by its structure; the base of the operators of this module.

    Subclasses implement ``_apply(X)`` (``X @ matrix`` for a 2-D ``X`` of ``self.xp``),
    ``_transpose()``, ``_conj()``, ``_astype(dtype)`` and ``_dense()`` (the literal definition).

    Parameters
    ----------
    xp : module
        The array namespace of the operator's pieces.
    shape : tuple of int
        ``(n, D)``, the shape of the matrix.
    dtype : dtype
        The dtype of the matrix.
    device : optional
        The device of its pieces; ``X`` must live there too.

    Examples
    --------
    >>> import numpy as np
    >>> import refimpl
    >>> op = refimpl.dual_lphm_operator(np.ones(8), 4, 4, 2, 2, 1)
    >>> isinstance(op, refimpl.StructuredOperator), op.shape, op.T.shape
    (True, (4, 4), (4, 4))
    """

    # NumPy (and libraries that follow it) defer ``X @ op`` to ``op.__rmatmul__``.
    __array_ufunc__ = None
    __array_priority__ = 1000
    ndim = 2

    def __init__(self, xp: ModuleType, shape: tuple[int, int], dtype: Any, device: Any = None) -> None:
        self.xp = xp
        self.shape = shape
        self.dtype = dtype
        self.device = device

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.shape[0]} x {self.shape[1]}, dtype {self.dtype}, {self.xp.__name__}>"

    # -- the algebra -------------------------------------------------------------------------

    @property
    def T(self) -> StructuredOperator:
        """The transpose, an operator of the same structure."""
        return self._transpose()

    @property
    def H(self) -> StructuredOperator:
        """The conjugate transpose (the transpose for real dtypes)."""
        return self.conj()._transpose()

    def conj(self) -> StructuredOperator:
        """The entrywise complex conjugate (``self`` for real dtypes)."""
        return self._conj() if self.xp.isdtype(self.dtype, "complex floating") else self

    def adjoint(self) -> StructuredOperator:
        """The conjugate transpose, :attr:`H` (SciPy's ``LinearOperator.adjoint``).

        Examples
        --------
        >>> import numpy as np
        >>> import refimpl
        >>> op = refimpl.dual_lphm_operator(np.arange(1.0, 9.0), 4, 4, 2, 2, 1)
        >>> bool(np.array_equal(op.adjoint().toarray(), op.toarray().T))
        True
        """
        return self.H

    def __rmatmul__(self, X: Any) -> Any:
        return self.rmatmul(X)

    def __matmul__(self, Y: Any) -> Any:
        if isinstance(Y, StructuredOperator):
            from .algebra import ProductOperator

            return ProductOperator(self, Y)
        return self.matmul(Y)

    def __mul__(self, c: Any) -> StructuredOperator:
        from .algebra import ScaledOperator

        scaled: StructuredOperator = ScaledOperator(c, self)
        return scaled

    __rmul__ = __mul__

    def __neg__(self) -> StructuredOperator:
        return self * -1

    def __add__(self, other: Any) -> StructuredOperator:
        from .algebra import SumOperator

        return SumOperator(self, _operator(other, "op1 + op2"))

    def __sub__(self, other: Any) -> StructuredOperator:
        return self + -_operator(other, "op1 - op2")

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        raise TypeError(
            f"np.asarray(op) does not materialise a {type(self).__name__}: call op.toarray() for the "
            "dense matrix (under the memory guard), or apply the operator (X @ op, op @ Y)"
        )

    # -- SciPy's LinearOperator protocol -----------------------------------------------------

    def dot(self, x: Any) -> Any:
        """``op * x`` for a number ``x``, otherwise ``op @ x`` (an array, list or operator).

        Examples
        --------
        >>> import numpy as np
        >>> import refimpl
        >>> op = refimpl.dual_lphm_operator(np.ones(8), 4, 4, 2, 2, 1)
        >>> print(op.dot(np.ones(4)), op.dot(2).toarray()[0])
        [4. 4. 4. 4.] [2. 2. 2. 2.]
        """
        return self * x if isinstance(x, numbers.Number) else self @ x

    def matvec(self, x: Any) -> Any:
        """``op @ x`` for ``x`` of shape ``(D,)`` or ``(D, 1)``, the result of shape ``(n,)`` or ``(n, 1)``.

        SciPy's ``LinearOperator.matvec``; :meth:`rmatvec` is ``op.H @ y``, :meth:`matmat` and
        :meth:`rmatmat` the same for ``(D, k)`` and ``(n, k)``. With these, ``shape`` and ``dtype``,
        ``scipy.sparse.linalg.aslinearoperator(op)`` and SciPy's solvers take the operator directly.

        Examples
        --------
        >>> import numpy as np
        >>> import refimpl
        >>> op = refimpl.dual_lphm_operator(np.ones(8, np.float32), 4, 4, 2, 2, 1)
        >>> print(op.matvec([1.0, 0, 0, 0]), op.rmatmat(np.ones((4, 1))).shape)
        [1. 1. 1. 1.] (4, 1)
        """
        return _vector_product(self, x, "op.matvec(x)")

    def rmatvec(self, y: Any) -> Any:
        """``op.H @ y`` for ``y`` of shape ``(n,)`` or ``(n, 1)`` (see :meth:`matvec`)."""
        return _vector_product(self.H, y, "op.rmatvec(y)")

    def matmat(self, X: Any) -> Any:
        """``op @ X`` for ``X`` of shape ``(D, k)`` (see :meth:`matvec`)."""
        return _matrix_product(self, X, "op.matmat(X)")

    def rmatmat(self, Y: Any) -> Any:
        """``op.H @ Y`` for ``Y`` of shape ``(n, k)`` (see :meth:`matvec`)."""
        return _matrix_product(self.H, Y, "op.rmatmat(Y)")

    # PyLops' LinearOperator(op) calls these names of the operator it wraps.
    _matvec, _rmatvec, _matmat, _rmatmat = matvec, rmatvec, matmat, rmatmat

    def rmatmul(self, X: Any) -> Any:
        """``X @ op`` for ``X`` of shape ``(..., n)``; returns shape ``(..., D)``.

        Raises
        ------
        MemoryLimitError
            If the result is over the memory guard's limit; checked before it is computed.
        """
        return self._rmatmul(X)

    def _rmatmul(self, X: Any, product: str = "X @ op") -> Any:
        """:meth:`rmatmul`; ``product`` is what the caller wrote, for the guard's message
        (``"op @ Y"`` computes ``(Y^T @ op^T)^T``, and its result shape is transposed back)."""
        if array_api_compat.is_dask_array(X):
            return self._rmatmul_dask(X)
        if not (array_api_compat.is_array_api_obj(X) or isinstance(X, Sequence)) or isinstance(
            X, (str, bytes)
        ):
            raise TypeError(
                f"X @ op needs an array X of shape (..., {self.shape[0]}), got {type(X).__name__}"
            )
        xp, (X, _) = namespace_and_arrays(X, self._probe())  # one library, one device, one dtype
        if X.ndim == 0 or X.shape[-1] != self.shape[0]:
            raise RefimplError(f"X @ op needs X of shape (..., {self.shape[0]}), got shape {tuple(X.shape)}")
        lead = tuple(X.shape[:-1])
        rows = math.prod(lead)
        result = lead + (self.shape[1],)
        if product != "X @ op":
            result = result[:-2] + result[:-3:-1]
        check_elements(
            rows * self.shape[1],
            itemsize(xp, X.dtype),
            f"{product} would allocate a result of shape {result} ({X.dtype}, {type(self).__name__})",
            "apply the operator to fewer rows at a time (a Dask X chunked along its rows is applied "
            "chunk by chunk)",
        )
        out = self._cast(X.dtype)._apply(xp.reshape(X, (rows, self.shape[0])))
        return xp.reshape(out, lead + (self.shape[1],))

    def matmul(self, Y: Any) -> Any:
        """``op @ Y`` for ``Y`` of shape ``(..., D, k)`` or ``(D,)``; returns ``(..., n, k)`` or ``(n,)``."""
        if not (array_api_compat.is_array_api_obj(Y) or isinstance(Y, Sequence)) or isinstance(
            Y, (str, bytes)
        ):
            raise TypeError(
                f"op @ Y needs an array Y of shape (..., {self.shape[1]}, k) or ({self.shape[1]},), got {type(Y).__name__}"
            )
        if getattr(Y, "ndim", None) == 1 or (not hasattr(Y, "ndim") and _depth(Y) == 1):
            length = Y.shape[0] if hasattr(Y, "shape") else len(Y)
            if length != self.shape[1]:
                raise RefimplError(f"op @ y needs y of shape ({self.shape[1]},), got shape ({length},)")
            return self.T._rmatmul(Y, "op @ y")  # op @ y == y @ op.T for a vector
        if array_api_compat.is_array_api_obj(Y):
            xp = array_api_compat.array_namespace(Y)
        else:  # a list is weak, as in X @ op: it takes the operator's dtype
            xp, (Y, _) = namespace_and_arrays(Y, self._probe())
        if Y.ndim < 2 or Y.shape[-2] != self.shape[1]:
            raise RefimplError(
                f"op @ Y needs Y of shape (..., {self.shape[1]}, k) or ({self.shape[1]},), "
                f"got shape {tuple(Y.shape)}"
            )
        return xp.matrix_transpose(self.T._rmatmul(xp.matrix_transpose(Y), "op @ Y"))

    def toarray(self) -> Any:
        """The dense matrix, by the literal definition, under the memory guard."""
        check_dense_size(
            self.xp,
            *self.shape,
            self.dtype,
            f"{type(self).__name__}.toarray()",
            "apply the operator instead (X @ op, op @ Y)",
        )
        return self._dense()

    def aslinearoperator(self) -> Any:
        """This operator as a ``scipy.sparse.linalg.LinearOperator`` (CuPy's on CuPy).

        Raises
        ------
        TypeError
            For namespaces with no SciPy-style ``LinearOperator`` (PyTorch, ``array_api_strict``).
        """
        sparse = sparse_module(self.xp)
        if sparse is None:
            raise TypeError(
                f"aslinearoperator needs a SciPy-style sparse.linalg, and {self.xp.__name__} has none; "
                "apply the operator directly (X @ op, op @ Y)"
            )
        linalg = importlib.import_module(sparse.__name__ + ".linalg")
        op = self
        return linalg.LinearOperator(
            shape=self.shape,
            dtype=self.dtype,
            matvec=lambda x: op.matmul(x.reshape(-1)),
            rmatvec=lambda y: op.H.matmul(y.reshape(-1)),
            matmat=lambda X: op.matmul(X),
            rmatmat=lambda Y: op.H.matmul(Y),
        )

    # -- helpers -----------------------------------------------------------------------------

    def _probe(self) -> Any:
        """A 0-d array of the operator's dtype, to promote ``X``'s dtype against."""
        return self.xp.zeros((), dtype=self.dtype, device=self.device)

    def _cast(self, dtype: Any) -> StructuredOperator:
        """The same operator with its pieces in ``dtype`` (``self`` when it already is)."""
        return self if dtype == self.dtype else self._astype(dtype)

    def _rmatmul_dask(self, X: Any) -> Any:
        """``X @ op`` for a Dask ``X``: the factors go to every row chunk, lazily."""
        if not array_api_compat.is_numpy_namespace(self.xp):
            raise TypeError(f"Dask arrays need an operator built from NumPy arrays, got {self.xp.__name__}")
        if X.ndim == 0 or X.shape[-1] != self.shape[0]:
            raise RefimplError(f"X @ op needs X of shape (..., {self.shape[0]}), got shape {tuple(X.shape)}")
        if len(X.chunks[-1]) > 1:
            X = X.rechunk({X.ndim - 1: -1})
        import numpy as np

        # As namespace_and_arrays promotes: integer and bool take the floating operand's dtype.
        floating = [d for d in (np.dtype(X.dtype), np.dtype(self.dtype)) if np.issubdtype(d, np.inexact)]
        dtype = np.result_type(*floating) if floating else np.dtype(np.float64)
        op = self._cast(dtype)
        return X.map_blocks(op.rmatmul, dtype=dtype, chunks=X.chunks[:-1] + ((self.shape[1],),))

    # -- what a structure implements -------------------------------------------------------

    @abstractmethod
    def _apply(self, X: Any) -> Any:
        """``X @ matrix`` for a 2-D ``X`` of ``self.xp`` in the operator's dtype."""

    @abstractmethod
    def _transpose(self) -> StructuredOperator:
        """The transpose, an operator of the same structure."""

    @abstractmethod
    def _conj(self) -> StructuredOperator:
        """The entrywise conjugate, an operator of the same structure."""

    @abstractmethod
    def _astype(self, dtype: Any) -> StructuredOperator:
        """The same operator with its pieces in ``dtype``."""

    @abstractmethod
    def _dense(self) -> Any:
        """The matrix by its literal definition (the guard has been checked)."""


def _operator(other: Any, what: str) -> StructuredOperator:
    if not isinstance(other, StructuredOperator):
        raise TypeError(f"{what} needs two operators, got {type(other).__name__}")
    return other


def _list_shape(x: Any) -> tuple[int, ...]:
    """The shape of an array, or of a nested list by its first entries."""
    if hasattr(x, "shape"):
        return tuple(x.shape)
    return (len(x),) + _list_shape(x[0]) if _depth(x) else ()


def _vector_product(op: StructuredOperator, x: Any, what: str) -> Any:
    """``op @ x`` for ``x`` of shape ``(D,)`` or ``(D, 1)``: SciPy's ``matvec``."""
    D = op.shape[1]
    shape = _list_shape(x)
    if shape not in ((D,), (D, 1)):
        raise RefimplError(f"{what} needs a vector of shape ({D},) or ({D}, 1), got shape {shape}")
    return op.matmul(x)


def _matrix_product(op: StructuredOperator, X: Any, what: str) -> Any:
    """``op @ X`` for ``X`` of shape ``(D, k)``: SciPy's ``matmat``."""
    shape = _list_shape(X)
    if len(shape) != 2 or shape[0] != op.shape[1]:
        raise RefimplError(f"{what} needs a matrix of shape ({op.shape[1]}, k), got shape {shape}")
    return op.matmul(X)


def _depth(obj: Any) -> int:
    depth = 0
    while isinstance(obj, Sequence) and not isinstance(obj, (str, bytes)) and len(obj) > 0:
        obj, depth = obj[0], depth + 1
    return depth
