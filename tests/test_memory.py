"""The memory guard on every allocation that grows with the configuration (issue 11, item 1).

Each case asks for far more than any machine holds: the guard must refuse it *before*
allocating, with a message that says what was asked, how big, and the way out.

Every test here runs with the address space capped a little above what the process maps
(the ``memory_cap`` marker): an allocation the guard failed to refuse raises ``MemoryError`` at
once, the same on every machine, instead of depending on how much memory is free at that moment.
"""

from __future__ import annotations

import numpy as np
import pytest

import refimpl
from refimpl._memory import _human, check_elements, check_size

pytestmark = pytest.mark.memory_cap

P = 2**63


# -- the helper ------------------------------------------------------------------------------


def test_check_size_is_exact_at_the_limit():
    with refimpl.memory_limit(1000):
        check_size(1000, "x would allocate y", "ask for less")
        with pytest.raises(
            refimpl.MemoryLimitError,
            match=r"x would allocate y of 1001 bytes, over the memory limit of 1000 bytes; ask for less, or raise the limit",
        ):
            check_size(1001, "x would allocate y", "ask for less")


def test_check_elements_multiplies_in_exact_integers():
    # 2**63 * 2**63 * 8 overflows int64 many times over; Python ints do not.
    with pytest.raises(refimpl.MemoryLimitError, match=r"more than 2\*\*|YiB"):
        check_elements(P * P, 8, "x would allocate y", "z")
    with pytest.raises(refimpl.MemoryLimitError):
        check_elements(np.int64(2**62), np.int64(8), "x would allocate y", "z")  # NumPy ints: converted first


def test_check_size_does_nothing_with_the_guard_off():
    with refimpl.memory_limit(None):
        check_size(2**200, "x would allocate y", "z")


def test_human_sizes_never_overflow():
    assert _human(1023) == "1023 bytes"
    assert _human(1536) == "1.5 KiB"
    assert _human(4 * 2**30) == "4.0 GiB"
    assert _human(16 * P) == "128.0 EiB"
    assert _human(10**400).startswith("more than 2**")


# -- the limit accepts any integer ----------------------------------------------------------


@pytest.mark.parametrize("limit", [np.int64(10), np.uint32(10), np.int8(10)])
def test_set_dense_limit_accepts_numpy_integers(limit):
    before = refimpl.get_memory_limit()
    try:
        refimpl.set_memory_limit(limit)
        assert refimpl.get_memory_limit() == 10
        assert type(refimpl.get_memory_limit()) is int
        with refimpl.memory_limit(limit):
            assert refimpl.get_memory_limit() == 10
    finally:
        refimpl.set_memory_limit(before)


@pytest.mark.parametrize("limit", [True, np.True_, 1.5, np.float64(10.0), "10"])
def test_set_dense_limit_refuses_non_integers(limit):
    with pytest.raises(TypeError, match="the memory limit must be an integer number of bytes or None, got"):
        refimpl.set_memory_limit(limit)


# -- the cases: refused before any allocation ------------------------------


def _refused(call, *patterns):
    """``call`` raises the guard's error (not the capped allocation's ``MemoryError``), and its
    message names ``patterns``."""
    with pytest.raises(refimpl.MemoryLimitError) as info:
        call()
    message = str(info.value)
    for pattern in patterns:
        assert pattern in message, (pattern, message)
    assert "over the memory limit of 4.0 GiB" in message
    assert "refimpl.set_memory_limit(bytes)" in message  # the way out
    return message


@pytest.mark.parametrize("format", ["csr", "csc", "coo", "bsr"])
def test_sparse_diagonal_padding_of_two_billion_entries_is_refused(format):
    # Before: the default CSR allocated until the machine ran out (21 s, then MemoryError).
    _refused(
        lambda: refimpl.duplicated_diagonal_padding(np.ones(4), 10**9, 10**9, 5 * 10**8, format=format),
        f"duplicated_diagonal_padding(format={format!r})",
        "sparse 1000000000 x 1000000000 float64 matrix with 2000000000 stored entries",
        "use refimpl.duplicated_diagonal_padding_operator",
    )


def test_dimensions_past_int64_give_the_guards_error_not_overflow():
    # Before: OverflowError from SciPy's eye.
    _refused(
        lambda: refimpl.duplicated_diagonal_padding(np.ones(4), 2 * P, 2 * P, P),
        f"sparse {2 * P} x {2 * P} float64 matrix with {4 * P} stored entries",
    )
    _refused(
        lambda: refimpl.duplicated_diagonal_padding(np.ones(4), 2 * P, 2 * P, P, format="dense"),
        f"dense {2 * P} x {2 * P} float64 matrix",
    )


def test_row_pointers_count_even_with_few_entries():
    # One stored entry, but 2**62 + 1 row pointers in CSR.
    _refused(
        lambda: refimpl.duplicated_diagonal_padding(np.ones(1), 2**62, 1, 2**62, 1),
        f"sparse {2**62} x 1 float64 matrix with 1 stored entries",
    )


def test_coo_with_few_entries_is_built_without_a_row_pointer_per_row():
    psi = refimpl.duplicated_diagonal_padding(np.ones(1), 2**40, 1, 2**40, 1, format="coo")
    assert psi.shape == (2**40, 1) and psi.nnz == 1


def test_sparse_shapes_past_int64_are_refused_with_the_guard_off():
    with (
        refimpl.memory_limit(None),
        pytest.raises(refimpl.RefimplError, match=rf"sparse {P} x 1 matrix cannot be indexed by int64"),
    ):
        refimpl.duplicated_diagonal_padding(np.ones(1), P, 1, P, 1, format="coo")


def test_tosparse_of_two_billion_entries_is_refused():
    op = refimpl.duplicated_diagonal_padding_operator(np.ones(4), 10**9, 10**9, 5 * 10**8)
    _refused(
        op.tosparse,
        "DuplicatedDiagonalPaddingOperator.tosparse('csr')",
        "2000000000 stored entries",
        "apply the operator instead",
    )
    _refused(lambda: op.tosparse("dense"), "dense 1000000000 x 1000000000")


def test_sparse_size_counts_entries_indices_and_pointers_exactly():
    # 8 stored float64 entries, 8-byte indices, 4 + 1 row pointers: 8*16 + 5*8 = 168 bytes.
    with refimpl.memory_limit(168):
        refimpl.duplicated_diagonal_padding(np.ones(4), 4, 6, 2, 3)
    with (
        refimpl.memory_limit(167),
        pytest.raises(refimpl.MemoryLimitError, match="of 168 bytes, over the memory limit of 167 bytes"),
    ):
        refimpl.duplicated_diagonal_padding(np.ones(4), 4, 6, 2, 3)


def test_huge_dual_lphm_fusion_output_is_refused():
    # n = 2**40 from q = t = 2**20: w has 2**21 + 3 entries, the output 8 PiB.
    # Before: a plain NumPy MemoryError.
    w = np.ones(1 + 2**20 + 2 + 2**20)
    for method in ("structured", "dense"):
        _refused(
            lambda method=method: refimpl.dual_lphm_fusion(
                [np.ones((1000, 2))], w, p=1, q=2**20, r=1, n=2**40, method=method
            ),
            f"dual_lphm_fusion would allocate an output of shape (1000, {2**40}) (float64)",
            "fuse fewer rows at a time",
        )


def test_huge_concatenation_fusion_output_is_refused():
    _refused(
        lambda: refimpl.concatenation_fusion([np.ones((10**5, 1))], np.ones(10**5), n=10**5),
        "concatenation_fusion would allocate an output of shape (100000, 100000) (float64) of 74.5 GiB",
    )


def test_the_fusion_class_is_guarded_too():
    fusion = refimpl.dual_lphm_parameterized_concatenation_fusion(r=1, p=1, q=2**20, n=2**40)
    with pytest.raises(refimpl.MemoryLimitError, match="dual_lphm_fusion would allocate an output"):
        fusion([np.ones((1000, 2))], np.ones(1 + 2**20 + 2 + 2**20))


def test_batched_fusion_output_counts_every_batch():
    inputs = [np.ones((3, 4, 2))]
    with refimpl.memory_limit(3 * 4 * 2 * 8):
        assert refimpl.concatenation_fusion(inputs, np.ones(4)).shape == (3, 4, 2)
    with (
        refimpl.memory_limit(3 * 4 * 2 * 8 - 1),
        pytest.raises(
            refimpl.MemoryLimitError, match=r"output of shape \(3, 4, 2\) \(float64\) of 192 bytes"
        ),
    ):
        refimpl.concatenation_fusion(inputs, np.ones(4))


def test_operator_results_are_guarded():
    op = refimpl.dual_lphm_operator(np.ones(8), 4, 4, 2, 2, 1)
    with refimpl.memory_limit(5 * 4 * 8 - 1):
        assert (np.ones((4, 4)) @ op).shape == (4, 4)
        with pytest.raises(
            refimpl.MemoryLimitError,
            match=r"X @ op would allocate a result of shape \(5, 4\) \(float64, DualLphmOperator\) of 160 bytes",
        ):
            np.ones((5, 4)) @ op
        with pytest.raises(
            refimpl.MemoryLimitError, match=r"X @ op would allocate a result of shape \(2, 3, 4\)"
        ):
            np.ones((2, 3, 4)) @ op
        with pytest.raises(
            refimpl.MemoryLimitError,
            match=r"op @ Y would allocate a result of shape \(4, 5\).*fewer rows at a time",
        ):
            op @ np.ones((4, 5))
    with (
        refimpl.memory_limit(4 * 8 - 1),
        pytest.raises(
            refimpl.MemoryLimitError, match=r"op @ y would allocate a result of shape \(4,\) \(float64"
        ),
    ):
        op @ np.ones(4)


def test_operator_results_past_int64_are_refused_at_once():
    op = refimpl.duplicated_padding_operator(np.ones(4), 2, P, 1, P // 2)
    _refused(lambda: np.ones((3, 2)) @ op, f"X @ op would allocate a result of shape (3, {P}) (float64")


def test_dask_fusion_is_lazy_and_guarded_per_chunk():
    da = pytest.importorskip("dask.array")
    X = da.ones((8, 2), chunks=(2, 2))
    out = refimpl.concatenation_fusion([X], np.ones(4))  # lazy: nothing checked, nothing allocated
    with refimpl.memory_limit(2 * 2 * 8):
        assert out.compute().shape == (8, 2)
    with refimpl.memory_limit(2 * 2 * 8 - 1):
        out = refimpl.dual_lphm_fusion([X], np.ones(6), p=2, q=1, r=1)
        with pytest.raises(
            refimpl.MemoryLimitError, match=r"X @ op would allocate a result of shape \(2, 2\)"
        ):
            out.compute()
