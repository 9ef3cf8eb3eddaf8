"""Reading what an implementation returns, of any array library and layout, as NumPy.

A service below the oracle: the oracle judges outputs with it, and the command line and the
plotting read arrays with it, without importing the oracle.

* :func:`read_output` reads an output of any library and layout (dense values, the entries a
  sparse output stores, the layout's name), or says why it is no array; :func:`read_counted`
  adds how many entries a sparse output stores, duplicates counted (:func:`stored_count`);
* :func:`to_numpy` is its dense view, the one way every part of refimpl (judgement,
  gradients, diagnosis, vectors, plotting, the command line) reads arrays;
* :func:`numpy_dtype` names the dtype of an array of any library as a NumPy dtype.
"""

from __future__ import annotations

import warnings
from types import ModuleType
from typing import Any, NamedTuple

import array_api_compat
import numpy as np
import scipy.sparse as sp

__all__ = [
    "Output",
    "UnreadableOutput",
    "numpy_dtype",
    "read_counted",
    "read_output",
    "stored_count",
    "to_numpy",
]


class Output(NamedTuple):
    """A candidate's output as the oracle reads it (:func:`read_output`)."""

    #: every entry, as NumPy, in the output's own dtype
    dense: np.ndarray
    #: for a sparse output, ``True`` where the output stores an entry (explicit zeros
    #: included); ``None`` for a dense one
    stored: np.ndarray | None
    #: the library and layout read, e.g. ``"dense"``, ``"scipy csr_array"``, ``"torch sparse_coo"``
    layout: str


class UnreadableOutput(TypeError):
    """An output the oracle cannot read as an array; its message is the verdict."""


def read_output(x: Any) -> Output:
    """The one reading of a candidate's output, of any library and any layout.

    Dense arrays of NumPy, PyTorch (any device, requiring grad or not), CuPy, JAX,
    ``array_api_strict`` and Dask (computed), masked arrays (masked entries read as ``nan``) and
    nested lists; sparse matrices and arrays of SciPy (every format) and CuPy, and PyTorch's
    sparse layouts (COO, CSR, CSC, BSR, BSC). A sparse output's stored entries are its own,
    explicit zeros and duplicates included; in the formats that pad what they store with zeros
    (BSR and BSC blocks, DIA diagonals) the padding beside a nonzero entry is the format's and
    does not count, while a stored block or diagonal of zeros only counts whole.

    Raises
    ------
    UnreadableOutput
        A :class:`TypeError` whose message says what the output is instead
        (``"the output is a str, not an array of numbers"``).

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from refimpl._outputs import read_output
    >>> out = read_output(sp.csr_array(np.array([[1.0, 0.0], [0.0, 2.0]])))
    >>> out.layout, out.stored.sum(), out.dense.tolist()
    ('scipy csr_array', np.int64(2), [[1.0, 0.0], [0.0, 2.0]])
    >>> read_output([[1, 2]]).layout
    'dense'
    >>> read_output("abc")
    Traceback (most recent call last):
        ...
    refimpl._outputs.UnreadableOutput: the output is a str, not an array of numbers
    """
    return read_counted(x)[0]


def stored_count(x: Any) -> int | None:
    """How many entries the sparse output ``x`` stores, duplicates counted; ``None`` if dense.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from refimpl._outputs import stored_count
    >>> stored_count(sp.coo_array(([1.0, 2.0], ([0, 0], [0, 0])), shape=(2, 2))), stored_count(np.eye(2))
    (2, None)
    """
    return read_counted(x)[1]


def read_counted(x: Any) -> tuple[Output, int | None]:
    """:func:`read_output`'s work, and the stored count (duplicates included) of a sparse output."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyTorch's "sparse CSR support is in beta" and the like
            if _is_cupy_sparse(x):
                x = x.get()  # a SciPy sparse matrix of the same format
            if sp.issparse(x):
                return _read_scipy(x)
            if array_api_compat.is_torch_array(x) and x.layout != _torch().strided:
                return _read_torch_sparse(x)
            dense = _dense(x)
    except UnreadableOutput:
        raise
    except Exception as exc:
        raise UnreadableOutput(f"the output is a {_describe(x)}, which could not be read: {exc}") from None
    if dense.dtype.kind not in "biufc":
        what = f"{_describe(x)} of dtype {dense.dtype}" if hasattr(x, "dtype") else _describe(x)
        raise UnreadableOutput(f"the output is a {what}, not an array of numbers")
    return Output(dense, None, "dense"), None


def _dense(x: Any) -> np.ndarray:
    """A dense array of any library as NumPy, in its own dtype (no check of the dtype's kind)."""
    if isinstance(x, np.ma.MaskedArray):
        data = np.asarray(x.data)
        mask = np.ma.getmaskarray(x)
        if mask.any():
            if data.dtype.kind not in "fc":
                raise UnreadableOutput(f"the output is a masked {data.dtype} array with masked entries")
            data = np.where(mask, np.asarray(np.nan, data.dtype), data)
        return data
    if isinstance(x, np.ndarray):
        return x
    if array_api_compat.is_cupy_array(x):
        host: np.ndarray = x.get()  # CuPy ships no types
        return host
    if array_api_compat.is_torch_array(x):
        x = x.detach().cpu().resolve_conj().resolve_neg()
    if array_api_compat.is_dask_array(x):
        return np.asarray(x.compute())
    if array_api_compat.is_array_api_obj(x):
        try:
            return np.from_dlpack(x)
        except (BufferError, RuntimeError, TypeError, ValueError):
            pass  # a DLPack the CPU cannot take (JAX on a GPU, say): __array__ below
    if hasattr(x, "todense") and not hasattr(x, "__array__"):  # JAX's BCOO and the like
        x = x.todense()
    return np.asarray(x)


def _read_scipy(x: Any) -> tuple[Output, int]:
    """A SciPy sparse array or matrix of any format: its dense values and stored entries."""
    kind = f"scipy {type(x).__name__}"
    dense = np.asarray(x.toarray())
    if x.format == "dia":
        stored = _dia_stored(x, dense)
        return Output(dense, stored, kind), int(stored.sum())
    if x.format == "bsr":
        data = _padding_excused(np.asarray(x.data))
        counted = sp.bsr_array((data.astype(np.float64), x.indices, x.indptr), shape=x.shape)
        stored = counted.toarray() != 0
        return Output(dense, stored, kind), int(data.sum())
    coo = x.tocoo()  # keeps explicit zeros and duplicates
    stored = np.zeros(dense.shape, dtype=bool)
    coords = getattr(coo, "coords", None) or (coo.row, coo.col)  # n-D COO arrays have coords only
    stored[tuple(np.asarray(c) for c in coords)] = True
    return Output(dense, stored, kind), int(coo.nnz)


def _padding_excused(blocks: np.ndarray) -> np.ndarray:
    """Which entries of each stored block count as stored: its nonzero ones (the zeros beside
    them are the block format's padding), or all of them in a block of zeros only."""
    nonzero = blocks != 0  # nan counts as nonzero
    some = nonzero.any(axis=(-2, -1), keepdims=True)
    return np.where(some, nonzero, True)


def _dia_stored(x: Any, dense: np.ndarray) -> np.ndarray:
    """DIA stores whole diagonals, padded with zeros by the format: a stored diagonal's nonzero
    entries count as stored, or all of them on a diagonal of zeros only."""
    stored = np.zeros(dense.shape, dtype=bool)
    rows, cols = np.indices(dense.shape)
    for offset in {int(o) for o in np.asarray(x.offsets)}:
        on = cols - rows == offset
        if on.any():
            values = dense[on]
            stored[on] = values != 0 if np.any(values != 0) else True
    return stored


def _read_torch_sparse(x: Any) -> tuple[Output, int]:
    """A PyTorch sparse tensor (COO, CSR, CSC, BSR, BSC; batched or hybrid): values and stored entries."""
    torch = _torch()
    kind = f"torch {str(x.layout).removeprefix('torch.')}"
    x = x.detach().cpu()
    dense = _dense(x.to_dense())
    if x.layout in (torch.sparse_bsr, torch.sparse_bsc):  # blocks: their padding excused
        compressed, plain = (
            (x.crow_indices(), x.col_indices())
            if x.layout == torch.sparse_bsr
            else (x.ccol_indices(), x.row_indices())
        )
        counted = _padding_excused(_dense(x.values()))
        mask = torch.sparse_compressed_tensor(
            compressed, plain, torch.from_numpy(counted.astype(np.float64)), size=x.shape, layout=x.layout
        )
        stored = _dense(mask.to_dense()) != 0
        return Output(dense, stored, kind), int(counted.sum())
    coo = x if x.layout == torch.sparse_coo else x.to_sparse_coo()
    indices = coo._indices().numpy()  # uncoalesced: duplicates are stored entries too
    stored = np.zeros(dense.shape, dtype=bool)
    stored[tuple(indices)] = True  # a hybrid tensor's dense dimensions are stored whole
    per_index = int(np.prod(dense.shape[indices.shape[0] :], dtype=np.int64))
    return Output(dense, stored, kind), int(indices.shape[1]) * per_index


def _is_cupy_sparse(x: Any) -> bool:
    module = type(x).__module__
    return module.startswith("cupyx.scipy.sparse") and hasattr(x, "get")


def _torch() -> ModuleType:
    import torch

    return torch


def _describe(x: Any) -> str:
    """``x``'s type as a reader knows it: ``str``, ``torch.Tensor of dtype torch.bfloat16``."""
    name = type(x).__qualname__
    module = type(x).__module__.split(".")[0]
    name = name if module == "builtins" else f"{module}.{name}"
    dtype = getattr(x, "dtype", None)
    return f"{name} of dtype {dtype}" if dtype is not None and not isinstance(x, np.ndarray) else name


def to_numpy(x: Any, name: str = "the array") -> np.ndarray:
    """Any array (NumPy, CuPy, PyTorch, JAX, ``array_api_strict``, Dask, sparse of any library) as NumPy.

    The dense view of :func:`read_output`: arrays keep their dtype; PyTorch tensors are
    detached, moved to the CPU and their lazy conjugation or negation resolved; sparse matrices
    and tensors are densified; lists become arrays. ``name`` is what a :class:`TypeError`
    calls ``x`` when it is none of these.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from refimpl._outputs import to_numpy
    >>> to_numpy(sp.eye_array(2, format="csr"))
    array([[1., 0.],
           [0., 1.]])
    >>> to_numpy([1, 2]).dtype
    dtype('int64')
    """
    if isinstance(x, np.ndarray) and not isinstance(x, np.ma.MaskedArray):
        return x
    try:
        return read_counted(x)[0].dense
    except UnreadableOutput:
        pass
    try:
        return np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be an array or a nested sequence of numbers, got {type(x).__name__}: {exc}"
        ) from None


def numpy_dtype(x: Any) -> np.dtype:
    """The dtype of the array ``x`` of any library as a NumPy dtype, without converting ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> from refimpl._outputs import numpy_dtype
    >>> numpy_dtype(np.ones(3, dtype=np.float32))
    dtype('float32')
    """
    try:
        dtype: np.dtype = np.dtype(x.dtype)  # NumPy's stubs type a dtype made of Any as Any
        return dtype
    except TypeError:  # a dtype object NumPy does not know (PyTorch's, say): an empty array of it
        xp = array_api_compat.array_namespace(x)
        return to_numpy(xp.empty(0, dtype=x.dtype, device=array_api_compat.device(x))).dtype
