"""Defends refimpl.padding against the mutants that survived the core's test suite (issue 13).

* The memory guard of the sparse diagonal padding counts exactly what SciPy stores: the data,
  and the indices and pointers as int64 (SciPy may use int32; the guard counts the widest). A
  limit set exactly at that size must let the result through, one byte less must refuse it.
* ``n`` or ``D`` equal to ``2**63 - 1`` is still addressable by int64 indices (a COO result
  with one entry is 24 bytes): only sizes *past* it are refused.
* The guard's messages name the function asked and the operator that avoids the allocation.
* The sparse results hold ``w``'s values and dtype in every format (exact small examples).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import refimpl
from refimpl import MemoryLimitError, duplicated_diagonal_padding, duplicated_padding

SPARSE = ("csr", "csc", "coo", "bsr")
# (n, D, p, q): p != q and n != D so that the CSR/CSC pointer counts differ; nnz != n + 1 and
# nnz != D + 1 so that COO's two index arrays differ from CSR's/CSC's indices and pointers.
SHAPES = ((6, 12, 3, 2), (12, 6, 2, 3), (4, 9, 2, 3), (2, 2, 1, 1))


def _stored_nbytes_int64(psi: Any) -> int:
    """What ``psi`` stores, with its index arrays counted as int64 (the guard's promise)."""
    if psi.format == "coo":
        indices = sum(int(c.size) for c in psi.coords)
    else:  # csr, csc, bsr: indices and pointers (of blocks for BSR)
        indices = int(psi.indices.size) + int(psi.indptr.size)
    return int(psi.data.nbytes) + 8 * indices


@pytest.mark.parametrize("fmt", SPARSE)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_sparse_guard_limit_is_the_stored_size(
    fmt: str, shape: tuple[int, int, int, int], dtype: Any
) -> None:
    # Kills sparse_nbytes mutants 9, 10 (COO counted as CSR), 14, 15 (COO index bytes),
    # 17-27 (BSR blocks, block indices, block pointers) and 30 (CSC counted with n + 1 pointers).
    n, D, p, q = shape
    w = np.arange(1, refimpl.duplicated_padding_l(n, D, p, q) + 1).astype(dtype)
    with refimpl.memory_limit(None):
        size = _stored_nbytes_int64(duplicated_diagonal_padding(w, n, D, p, q, format=fmt))
    with refimpl.memory_limit(size):
        psi = duplicated_diagonal_padding(w, n, D, p, q, format=fmt)
    assert psi.format == fmt
    with refimpl.memory_limit(size - 1), pytest.raises(MemoryLimitError):
        duplicated_diagonal_padding(w, n, D, p, q, format=fmt)


@pytest.mark.parametrize(("n", "D", "p", "q"), [(2**63 - 1, 1, 2**63 - 1, 1), (1, 2**63 - 1, 1, 2**63 - 1)])
def test_sparse_dimension_at_the_int64_maximum_is_accepted(n: int, D: int, p: int, q: int) -> None:
    # Kills check_sparse_size mutant 30 (> _MAX_INDEX made >=): 2**63 - 1 is an int64 index.
    psi = duplicated_diagonal_padding(np.array([2.5]), n, D, p, q, format="coo")
    assert psi.shape == (n, D)
    assert psi.nnz == 1
    np.testing.assert_array_equal(psi.data, [2.5])
    with pytest.raises(refimpl.RefimplError, match=r"2\*\*63 - 1"):
        # One past it, on the same side, is refused.
        bump_rows, bump_cols = int(n > 1), int(D > 1)
        duplicated_diagonal_padding(
            np.array([2.5]), n + bump_rows, D + bump_cols, p + bump_rows, q + bump_cols, format="coo"
        )


def test_duplicated_padding_guard_message_names_function_and_operator() -> None:
    # Kills duplicated_padding mutants 19 (name None), 27, 28 (name mangled) and 29 (advice mangled).
    with refimpl.memory_limit(8), pytest.raises(MemoryLimitError) as info:
        duplicated_padding(np.ones(4), 4, 4, 2, 2)
    message = str(info.value)
    assert re.search(r"(?<![\w.])duplicated_padding\b", message), message
    assert re.search(r"\brefimpl\.duplicated_padding_operator\b", message), message
    assert re.search(r"\b4 x 4\b", message), message


def test_diagonal_dense_guard_message_names_function_and_way_out() -> None:
    # Kills duplicated_diagonal_padding mutants 26 (name None), 34, 35 (name mangled) and
    # 36 (advice mangled).
    with refimpl.memory_limit(8), pytest.raises(MemoryLimitError) as info:
        duplicated_diagonal_padding(np.ones(4), 4, 4, 2, 2, format="dense")
    message = str(info.value)
    assert re.search(r"(?<![\w.])duplicated_diagonal_padding\b", message), message
    assert re.search(r"format='dense'", message), message
    assert re.search(r"\brefimpl\.duplicated_diagonal_padding_operator\b", message), message


@pytest.mark.parametrize("fmt", SPARSE)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
def test_sparse_result_exact_values_and_dtype(fmt: str, dtype: Any) -> None:
    # Exact example in every format and dtype: W on the min(p, q) diagonal blocks, w's dtype.
    n, D, p, q = 6, 6, 3, 2  # s = 2, t = 3, two diagonal blocks
    w = (np.arange(1, 7) * (1 + 1j if np.iscomplexobj(np.empty(0, dtype)) else 1)).astype(dtype)
    W = w.reshape(2, 3)
    expected = np.zeros((n, D), dtype)
    expected[0:2, 0:3] = W
    expected[2:4, 3:6] = W
    psi = duplicated_diagonal_padding(w, n, D, p, q, format=fmt)
    assert psi.format == fmt
    assert psi.dtype == dtype
    assert psi.nnz == 12
    np.testing.assert_array_equal(psi.toarray(), expected)
