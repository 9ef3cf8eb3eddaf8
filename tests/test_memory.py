"""The memory guard on every allocation that grows with the configuration (issue 11, item 1).

First the guard itself (its helpers, its limit, ``REFIMPL_MEMORY_LIMIT``), then one class per
function it guards. Each huge case asks for far more than any machine holds: the guard must refuse
it *before* allocating, with a message that says what was asked, how big, and the way out. The
small cases set the limit at exactly the size of the result, which passes, and one byte under it,
which is refused.

Every test here runs with the address space capped a little above what the process maps
(the ``memory_cap`` marker): an allocation the guard failed to refuse raises ``MemoryError`` at
once, the same on every machine, instead of depending on how much memory is free at that moment.
(JAX's runtime cannot start under that cap: the one guard test on every backend is in
``test_padding.py``.)
"""

from __future__ import annotations

import re
import tracemalloc
from collections.abc import Callable
from typing import Any
from unittest import mock

import array_api_compat.numpy as npx
import numpy as np
import pytest

import refimpl
from refimpl import _memory
from refimpl._memory import _human, check_elements, check_size
from refimpl.operators import _row_blocks

pytestmark = pytest.mark.memory_cap


def _peak_of(call: Callable[[], Any]) -> tuple[Any, int]:
    """``call()`` and the peak of the memory it allocated (NumPy reports to tracemalloc)."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        result = call()
        return result, tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


P = 2**63
SPARSE = ("csr", "csc", "coo", "bsr")


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


def _message_of(error, call):
    """The message of ``error``, which ``call`` must raise exactly (not a subclass of it)."""
    with pytest.raises(error) as excinfo:
        call()
    assert type(excinfo.value) is error or error is refimpl.RefimplError, type(excinfo.value)
    return str(excinfo.value)


def _stored_nbytes_int64(psi):
    """What ``psi`` stores, with its index arrays counted as int64 (the guard's promise)."""
    if psi.format == "coo":
        indices = sum(int(c.size) for c in psi.coords)
    else:  # csr, csc, bsr: indices and pointers (of blocks for BSR)
        indices = int(psi.indices.size) + int(psi.indptr.size)
    return int(psi.data.nbytes) + 8 * indices


# -- the guard's helpers ------------------------------------------------------------------------


class TestCheckSize:
    def test_is_exact_at_the_limit(self):
        with refimpl.memory_limit(1000):
            check_size(1000, "x would allocate y", "ask for less")
            with pytest.raises(
                refimpl.MemoryLimitError,
                match=r"x would allocate y of 1001 bytes, over the memory limit of 1000 bytes; ask for less, or raise the limit",
            ):
                check_size(1001, "x would allocate y", "ask for less")

    def test_does_nothing_with_the_guard_off(self):
        with refimpl.memory_limit(None):
            check_size(2**200, "x would allocate y", "z")

    def test_a_message_given_as_a_function_is_formatted_only_to_raise(self):
        # What a small call saves: the message of an allocation within the limit is never made.
        calls = []

        def what():
            calls.append(1)
            return "x would allocate y"

        with refimpl.memory_limit(1000):
            check_size(1000, what, "ask for less")
            assert calls == []
            with pytest.raises(
                refimpl.MemoryLimitError, match=r"^x would allocate y of 1001 bytes, over the memory limit"
            ):
                check_size(1001, what, "ask for less")
        assert calls == [1]


class TestCheckElements:
    def test_multiplies_in_exact_integers(self):
        # 2**63 * 2**63 * 8 overflows int64 many times over; Python ints do not.
        with pytest.raises(refimpl.MemoryLimitError, match=r"more than 2\*\*|YiB"):
            check_elements(P * P, 8, "x would allocate y", "z")
        with pytest.raises(refimpl.MemoryLimitError):
            check_elements(
                np.int64(2**62), np.int64(8), "x would allocate y", "z"
            )  # NumPy ints: converted first


def _limit_in_message(limit):
    """The limit as the guard's message writes it, one byte over ``limit``."""
    with refimpl.memory_limit(limit):
        with pytest.raises(refimpl.MemoryLimitError) as info:
            check_size(limit + 1, "x would allocate y", "ask for less")
    found = re.search(r"over the memory limit of (.*?);", str(info.value))
    assert found is not None
    return found.group(1)


class TestHuman:
    """The sizes a message names."""

    def test_sizes_never_overflow(self):
        assert _human(1023) == "1023 bytes"
        assert _human(1536) == "1.5 KiB"
        assert _human(4 * 2**30) == "4.0 GiB"
        assert _human(16 * P) == "128.0 EiB"
        assert _human(10**400).startswith("more than 2**")

    @pytest.mark.parametrize(
        ("limit", "written"),
        [
            (1023, "1023 bytes"),
            (1024, "1.0 KiB"),
            (1280, "1.3 KiB"),  # 1.25: half rounds up (not to even)
            (1279, "1.2 KiB"),
            (2**19, "512.0 KiB"),  # not taken for MiB
            (2**20 - 1, "1024.0 KiB"),
            (2**20, "1.0 MiB"),
            (4 * 2**30, "4.0 GiB"),
            (1024**8, "1.0 YiB"),  # the largest unit is used
            (1024**9 - 1, "1024.0 YiB"),
            (1024**9, "more than 2**90 bytes"),  # past the largest unit: a bound
            (2**100 + 5, "more than 2**100 bytes"),  # the bound's power is the size's
        ],
    )
    def test_the_message_writes_the_limit_in_the_largest_unit_under_it(self, limit, written):
        assert _limit_in_message(limit) == written


# -- the limit ----------------------------------------------------------------------------------


class TestSetDenseLimit:
    @pytest.mark.parametrize("limit", [np.int64(10), np.uint32(10), np.int8(10)])
    def test_accepts_numpy_integers(self, limit):
        before = refimpl.get_memory_limit()
        try:
            refimpl.set_memory_limit(limit)
            assert refimpl.get_memory_limit() == 10
            assert type(refimpl.get_memory_limit()) is int
            with refimpl.memory_limit(limit):
                assert refimpl.get_memory_limit() == 10
        finally:
            refimpl.set_memory_limit(before)

    def test_a_limit_of_one_byte_is_a_valid_limit(self):
        # A check of the limit that refused 1 (``limit <= 1``) fails here.
        with refimpl.memory_limit(1):
            assert refimpl.get_memory_limit() == 1
            check_size(1, "x would allocate y", "ask for less")  # exactly the limit passes
            with pytest.raises(
                refimpl.MemoryLimitError, match=r"of 2 bytes, over the memory limit of 1 bytes"
            ):
                check_size(2, "x would allocate y", "ask for less")  # one byte over fails
        before = refimpl.get_memory_limit()
        try:
            refimpl.set_memory_limit(1)
            assert refimpl.get_memory_limit() == 1
        finally:
            refimpl.set_memory_limit(before)


class TestDenseLimit:
    def test_can_be_raised_switched_off_and_restored(self):
        before = refimpl.get_memory_limit()
        with refimpl.memory_limit(None):
            assert refimpl.get_memory_limit() is None
            with refimpl.memory_limit(10):
                assert refimpl.get_memory_limit() == 10
        assert refimpl.get_memory_limit() == before
        refimpl.set_memory_limit(123)
        try:
            assert refimpl.get_memory_limit() == 123
        finally:
            refimpl.set_memory_limit(before)
        with pytest.raises(refimpl.RefimplError, match="positive number of bytes, got 0"):
            refimpl.set_memory_limit(0)
        with pytest.raises(TypeError, match="got 1.5"):
            refimpl.set_memory_limit(1.5)  # type: ignore[arg-type]


class TestEnvironmentVariable:
    """``REFIMPL_MEMORY_LIMIT``. The variable is read once, when refimpl is imported: these tests call
    the helper that reads it (a reload would make a second refimpl.MemoryLimitError class), and one runs a
    fresh interpreter."""

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (None, refimpl.DEFAULT_MEMORY_LIMIT),  # unset
            ("", refimpl.DEFAULT_MEMORY_LIMIT),  # set but empty
            ("1000", 1000),
            ("1", 1),
            ("none", None),
            ("None", None),
            ("NONE", None),
        ],
    )
    def test_sets_the_limit(self, monkeypatch, value, expected):
        # A wrong implementation ignores or misnames the variable, takes unset or empty for
        # something else than the default, ignores a number, or recognises 'none' in one case only.
        if value is None:
            monkeypatch.delenv("REFIMPL_MEMORY_LIMIT", raising=False)
        else:
            monkeypatch.setenv("REFIMPL_MEMORY_LIMIT", value)
        assert _memory._from_environment() == expected

    @pytest.mark.parametrize("value", ["lots", "1.5", "0", "-3"])
    def test_a_bad_value_is_refused_naming_it_and_its_value(self, monkeypatch, value):
        # A refusal with no message (None) fails here.
        monkeypatch.setenv("REFIMPL_MEMORY_LIMIT", value)
        with pytest.raises(refimpl.RefimplError) as info:
            _memory._from_environment()
        message = str(info.value)
        assert value in message
        if value not in ("0", "-3"):
            assert "REFIMPL_MEMORY_LIMIT" in message

    def test_is_the_limit_of_a_fresh_process(self, monkeypatch):
        import subprocess
        import sys

        monkeypatch.setenv("REFIMPL_MEMORY_LIMIT", "1000")
        code = "import refimpl; print(refimpl.get_memory_limit())"
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert result.stdout.strip() == "1000"


# -- the guarded functions ----------------------------------------------------------------------


class TestDuplicatedPadding:
    def test_a_dense_result_of_exactly_the_limit_passes_and_one_byte_more_fails(self):
        # A 2 x 2 float64 duplicated padding is 32 bytes.
        with refimpl.memory_limit(32):
            out = refimpl.duplicated_padding([1.0, 2.0], 2, 2, 2, 1)
            assert out.shape == (2, 2)
        with refimpl.memory_limit(31):
            with pytest.raises(refimpl.MemoryLimitError) as info:
                refimpl.duplicated_padding([1.0, 2.0], 2, 2, 2, 1)
        message = str(info.value)
        assert re.search(r"\b32 bytes\b", message)  # the size
        assert re.search(r"limit of 31 bytes\b", message)  # the limit
        assert "refimpl.duplicated_padding_operator" in message  # the advice
        assert "refimpl.set_memory_limit" in message  # and the other way out

    @pytest.mark.parametrize(
        ("dtype", "nbytes"), [(np.float32, 16), (np.float64, 32), (np.complex64, 32), (np.complex128, 64)]
    )
    def test_complex_entries_count_both_parts(self, dtype, nbytes):
        # A complex entry counted as one part, or as three, fails here: a 2 x 2 duplicated padding
        # is exactly 4 entries of the dtype's size, so the limit is exact there.
        w = np.asarray([1.0 + 1.0j, 2.0] if np.dtype(dtype).kind == "c" else [1.0, 2.0], dtype=dtype)
        with refimpl.memory_limit(nbytes):
            assert refimpl.duplicated_padding(w, 2, 2, 2, 1).dtype == dtype
        with refimpl.memory_limit(nbytes - 1):
            with pytest.raises(refimpl.MemoryLimitError) as info:
                refimpl.duplicated_padding(w, 2, 2, 2, 1)
        assert re.search(rf"\b{nbytes} bytes, over the memory limit of {nbytes - 1} bytes", str(info.value))

    def test_guard_message_names_function_and_operator(self):
        # The function asked and the operator that avoids the allocation, spelt as in the code:
        # a message without them (None), or with them mangled, fails here.
        with refimpl.memory_limit(8), pytest.raises(refimpl.MemoryLimitError) as info:
            refimpl.duplicated_padding(np.ones(4), 4, 4, 2, 2)
        message = str(info.value)
        assert re.search(r"(?<![\w.])duplicated_padding\b", message), message
        assert re.search(r"\brefimpl\.duplicated_padding_operator\b", message), message
        assert re.search(r"\b4 x 4\b", message), message

    def test_guard_names_the_operator_that_avoids_it(self):
        with refimpl.memory_limit(1024):
            with pytest.raises(MemoryError, match="duplicated_padding_operator"):
                refimpl.duplicated_padding(np.ones(64), 64, 64, 8)


class TestDuplicatedDiagonalPadding:
    @pytest.mark.parametrize("format", ["csr", "csc", "coo", "bsr"])
    def test_sparse_diagonal_padding_of_two_billion_entries_is_refused(self, format):
        # Before: the default CSR allocated until the machine ran out (21 s, then MemoryError).
        _refused(
            lambda: refimpl.duplicated_diagonal_padding(np.ones(4), 10**9, 10**9, 5 * 10**8, format=format),
            f"duplicated_diagonal_padding(format={format!r})",
            "sparse 1000000000 x 1000000000 float64 matrix with 2000000000 stored entries",
            "use refimpl.duplicated_diagonal_padding_operator",
        )

    def test_dimensions_past_int64_give_the_guards_error_not_overflow(self):
        # Before: OverflowError from SciPy's eye.
        _refused(
            lambda: refimpl.duplicated_diagonal_padding(np.ones(4), 2 * P, 2 * P, P),
            f"sparse {2 * P} x {2 * P} float64 matrix with {4 * P} stored entries",
        )
        _refused(
            lambda: refimpl.duplicated_diagonal_padding(np.ones(4), 2 * P, 2 * P, P, format="dense"),
            f"dense {2 * P} x {2 * P} float64 matrix",
        )

    def test_row_pointers_count_even_with_few_entries(self):
        # One stored entry, but 2**62 + 1 row pointers in CSR.
        _refused(
            lambda: refimpl.duplicated_diagonal_padding(np.ones(1), 2**62, 1, 2**62, 1),
            f"sparse {2**62} x 1 float64 matrix with 1 stored entries",
        )

    def test_coo_with_few_entries_is_built_without_a_row_pointer_per_row(self):
        psi = refimpl.duplicated_diagonal_padding(np.ones(1), 2**40, 1, 2**40, 1, format="coo")
        assert psi.shape == (2**40, 1) and psi.nnz == 1

    def test_sparse_shapes_past_int64_are_refused_with_the_guard_off(self):
        with (
            refimpl.memory_limit(None),
            pytest.raises(refimpl.RefimplError, match=rf"sparse {P} x 1 matrix cannot be indexed by int64"),
        ):
            refimpl.duplicated_diagonal_padding(np.ones(1), P, 1, P, 1, format="coo")

    @pytest.mark.parametrize(
        ("n", "D", "p", "q"), [(2**63 - 1, 1, 2**63 - 1, 1), (1, 2**63 - 1, 1, 2**63 - 1)]
    )
    def test_sparse_dimension_at_the_int64_maximum_is_accepted(self, n, D, p, q):
        # 2**63 - 1 is an int64 index: a bound checked with >= where > is meant refuses it.
        psi = refimpl.duplicated_diagonal_padding(np.array([2.5]), n, D, p, q, format="coo")
        assert psi.shape == (n, D)
        assert psi.nnz == 1
        np.testing.assert_array_equal(psi.data, [2.5])
        with pytest.raises(refimpl.RefimplError, match=r"2\*\*63 - 1"):
            # One past it, on the same side, is refused.
            bump_rows, bump_cols = int(n > 1), int(D > 1)
            refimpl.duplicated_diagonal_padding(
                np.array([2.5]), n + bump_rows, D + bump_cols, p + bump_rows, q + bump_cols, format="coo"
            )

    def test_sparse_size_counts_entries_indices_and_pointers_exactly(self):
        # 8 stored float64 entries, 8-byte indices, 4 + 1 row pointers: 8*16 + 5*8 = 168 bytes.
        with refimpl.memory_limit(168):
            refimpl.duplicated_diagonal_padding(np.ones(4), 4, 6, 2, 3)
        with (
            refimpl.memory_limit(167),
            pytest.raises(refimpl.MemoryLimitError, match="of 168 bytes, over the memory limit of 167 bytes"),
        ):
            refimpl.duplicated_diagonal_padding(np.ones(4), 4, 6, 2, 3)

    @pytest.mark.parametrize("fmt", SPARSE)
    @pytest.mark.parametrize("shape", [(6, 12, 3, 2), (12, 6, 2, 3), (4, 9, 2, 3), (2, 2, 1, 1)])
    @pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
    def test_sparse_guard_limit_is_the_stored_size(self, fmt, shape, dtype):
        # The guard counts exactly what SciPy stores: the data, and the indices and pointers as int64
        # (SciPy may use int32; the guard counts the widest). A limit set exactly at that size lets
        # the result through, one byte less refuses it. (n, D, p, q): p != q and n != D so that the
        # CSR and CSC pointer counts differ; nnz != n + 1 and nnz != D + 1 so that COO's two index
        # arrays differ from CSR's and CSC's indices and pointers. Counting COO as CSR, COO's index
        # bytes, BSR's blocks, block indices or block pointers, or CSC with n + 1 pointers wrongly
        # fails here.
        n, D, p, q = shape
        w = np.arange(1, refimpl.duplicated_padding_l(n, D, p, q) + 1).astype(dtype)
        with refimpl.memory_limit(None):
            size = _stored_nbytes_int64(refimpl.duplicated_diagonal_padding(w, n, D, p, q, format=fmt))
        with refimpl.memory_limit(size):
            psi = refimpl.duplicated_diagonal_padding(w, n, D, p, q, format=fmt)
        assert psi.format == fmt
        with refimpl.memory_limit(size - 1), pytest.raises(refimpl.MemoryLimitError):
            refimpl.duplicated_diagonal_padding(w, n, D, p, q, format=fmt)

    def test_dense_guard_message_names_function_and_way_out(self):
        # The function asked, its format and the operator that avoids the allocation: a message
        # without them (None), or with them mangled, fails here.
        with refimpl.memory_limit(8), pytest.raises(refimpl.MemoryLimitError) as info:
            refimpl.duplicated_diagonal_padding(np.ones(4), 4, 4, 2, 2, format="dense")
        message = str(info.value)
        assert re.search(r"(?<![\w.])duplicated_diagonal_padding\b", message), message
        assert re.search(r"format='dense'", message), message
        assert re.search(r"\brefimpl\.duplicated_diagonal_padding_operator\b", message), message

    def test_dense_guard_names_the_sparse_formats(self):
        with refimpl.memory_limit(1024):
            with pytest.raises(MemoryError, match="sparse format"):
                refimpl.duplicated_diagonal_padding(np.ones(64), 64, 64, 8, format="dense")

    def test_sparse_result_counts_stored_entries_not_n_times_D(self):
        # A sparse result counts its stored entries and indices (8.5 KiB here), not n*D (32 KiB).
        with refimpl.memory_limit(16 * 1024):
            with pytest.raises(refimpl.MemoryLimitError, match="dense 64 x 64"):
                refimpl.duplicated_diagonal_padding(np.ones(64), 64, 64, 8, format="dense")
            assert refimpl.duplicated_diagonal_padding(np.ones(64), 64, 64, 8).nnz == 8 * 64


class TestDualLphm:
    def test_guard_names_the_size_and_the_limit(self):
        with refimpl.memory_limit(1024):
            with pytest.raises(
                refimpl.MemoryLimitError,
                match=r"dense 64 x 64 float64 matrix of 32\.0 KiB, over the memory limit of 1\.0 KiB",
            ):
                refimpl.dual_lphm(np.ones(4 * 32), 64, 64, 8, 8, 4)

    def test_guard_names_function_and_way_out(self):
        # The function asked and the operator that avoids the allocation: a message without them
        # (None), or with them mangled (XX...XX, upper case), fails here.
        w = np.ones(refimpl.dual_lphm_l(64, 64, 8, 8, 1))
        with refimpl.memory_limit(1000), pytest.raises(refimpl.MemoryLimitError) as excinfo:
            refimpl.dual_lphm(w, 64, 64, 8, 8, 1)
        message = str(excinfo.value)
        assert re.search(r"(?<![\w.])dual_lphm(?!\w)", message), message  # the function asked
        assert re.search(r"\b64 x 64\b", message), message
        assert re.search(r"(?<!\w)refimpl\.dual_lphm_operator(?!\w)", message), message  # the way out


class TestDualLphmFusion:
    def test_huge_output_is_refused(self):
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

    @pytest.mark.parametrize("method", ["structured", "dense"])
    def test_output_guard(self, method):
        # The output guard's message for dual_lphm_fusion: the function, the shape with its batch,
        # the dtype and the advice. The output (2, 3, 8) complex64 is 384 bytes; W (4 x 8) is
        # 256 bytes in complex64.
        A = [np.ones((2, 3, 4), dtype=np.complex64)]
        w = np.ones(refimpl.dual_lphm_fusion_l([4], 8, 2, 2, 1), dtype=np.complex64)
        with refimpl.memory_limit(384):
            assert refimpl.dual_lphm_fusion(A, w, p=2, q=2, r=1, n=8, method=method).shape == (2, 3, 8)
        with refimpl.memory_limit(383):
            message = _message_of(
                refimpl.MemoryLimitError,
                lambda: refimpl.dual_lphm_fusion(A, w, p=2, q=2, r=1, n=8, method=method),
            )
        assert re.search(r"(?<![\w.])dual_lphm_fusion(?![\w(])", message), message
        assert re.search(r"\(2, 3, 8\)", message) and re.search(r"\bcomplex64\b", message), message
        assert re.search(r"\bfewer rows\b", message), message

    def test_dense_weight_guard(self):
        # The dense method's guard of W names what was asked (not None, not mangled) and the way
        # out. One row: the output (1, 16) float32 is 64 bytes, W (16 x 16) float32 is 1 KiB.
        A = [np.ones((1, 16), dtype=np.float32)]
        w = np.ones(refimpl.dual_lphm_fusion_l([16], 16, 4, 4, 1), dtype=np.float32)
        with refimpl.memory_limit(1024):
            assert refimpl.dual_lphm_fusion(A, w, p=4, r=1, method="dense").shape == (1, 16)
        with refimpl.memory_limit(1023):
            assert refimpl.dual_lphm_fusion(A, w, p=4, r=1).shape == (1, 16)  # structured: no W
            message = _message_of(
                refimpl.MemoryLimitError, lambda: refimpl.dual_lphm_fusion(A, w, p=4, r=1, method="dense")
            )
        assert re.search(r"(?<![\w.])dual_lphm_fusion\(method='dense'\)(?!\w)", message), message
        assert re.search(r"\b16 x 16\b", message) and re.search(r"\bfloat32\b", message), message
        assert re.search(r"(?<!\w)method='structured'(?!\w)", message), message

    def test_dense_method_is_guarded_the_structured_one_is_not(self):
        with refimpl.memory_limit(1024):
            inputs = [np.ones((2, 64))]
            with pytest.raises(refimpl.MemoryLimitError, match="method='structured'"):
                refimpl.dual_lphm_fusion(inputs, np.ones(4 * 32), p=8, r=4, method="dense")
            # The structured path never materialises W, so the guard leaves it alone.
            out = refimpl.dual_lphm_fusion(inputs, np.ones(4 * 32), p=8, r=4)
            assert out.shape == (2, 64)

    def test_a_broadcast_input_of_24_tib_is_refused_before_its_copy(self):
        # Issue 21: a valid zero-stride view whose rows cannot be seen as groups of s columns
        # without a copy. Before: NumPy's own MemoryError ("Unable to allocate 24.0 TiB").
        X = np.broadcast_to(np.ones(3 * 2**20), (2**20, 3 * 2**20))
        w = np.ones(refimpl.dual_lphm_fusion_l([3 * 2**20], 1, 3, 1, 1))
        message = _refused(
            lambda: refimpl.dual_lphm_fusion([X], w, p=3, q=1, r=1, n=1),
            f"dual_lphm_fusion would copy inputs[0] of shape (1048576, {3 * 2**20}) (float64) into "
            "contiguous memory of 24.0 TiB",
            "numpy.ascontiguousarray",
        )
        assert "fewer rows" in message

    @pytest.mark.parametrize("contiguous", [True, False])
    def test_the_copy_of_an_input_is_counted(self, contiguous):
        # The output (1024 x 8) is 64 KiB, a copy of the input (1024 x 64) 512 KiB: with a limit
        # between the two, the contiguous input is read where it lies (as 2048 x 32, s = 32) and
        # the broadcast one, whose zero-stride rows cannot be seen so, refused.
        A = np.ones((1024, 64)) if contiguous else np.broadcast_to(np.ones(64), (1024, 64))
        B = np.ones((1024, 64))
        w = np.ones(refimpl.dual_lphm_fusion_l([64, 64], 8, 4, 1, 1))
        with refimpl.memory_limit(128 * 1024):
            if contiguous:
                out = refimpl.dual_lphm_fusion([B, A], w, p=4, q=1, r=1, n=8)
                np.testing.assert_array_equal(out, np.full((1024, 8), 128.0))
            else:
                message = _message_of(
                    refimpl.MemoryLimitError, lambda: refimpl.dual_lphm_fusion([B, A], w, p=4, q=1, r=1, n=8)
                )
                assert "dual_lphm_fusion would copy inputs[1] of shape (1024, 64) (float64)" in message, (
                    message
                )
                assert "of 512.0 KiB" in message, message
        with refimpl.memory_limit(512 * 1024):
            out = refimpl.dual_lphm_fusion([B, A], w, p=4, q=1, r=1, n=8)
            np.testing.assert_array_equal(out, np.full((1024, 8), 128.0))

    def test_the_copy_of_a_strided_batch_is_counted_in_the_dense_order(self):
        # Very few rows and r = 3 make the dense contraction order the cheapest; a batch stored
        # transposed (2, 3, 4) cannot be seen as its 6 rows without a copy (192 bytes), while the
        # output (96 bytes) and W (4 x 2, 64 bytes) fit a limit of 128.
        A = np.ones((3, 2, 4)).transpose(1, 0, 2)
        w = np.ones(refimpl.dual_lphm_fusion_l([4], 2, 2, 2, 3))
        op = refimpl.dual_lphm_fusion_operator([4], w, p=2, q=2, r=3, n=2)
        assert op.contraction_order(6) == "dense"
        with refimpl.memory_limit(128):
            message = _message_of(
                refimpl.MemoryLimitError, lambda: refimpl.dual_lphm_fusion([A], w, p=2, q=2, r=3, n=2)
            )
        assert message.startswith(
            "dual_lphm_fusion would copy inputs[0] of shape (2, 3, 4) (float64) into contiguous memory of 192 bytes"
        ), message
        with refimpl.memory_limit(192):
            np.testing.assert_array_equal(
                refimpl.dual_lphm_fusion([A], w, p=2, q=2, r=3, n=2), np.full((2, 3, 2), 36.0)
            )

    def test_the_join_of_the_dense_order_is_counted(self):
        # The dense order (very few rows, r = 3) multiplies the joined X: 6 x 4, 192 bytes, over
        # a limit of 128 that the output (96 bytes) and W (64 bytes) fit. Two inputs join; one
        # input is used where it lies.
        A = [np.ones((6, 2)), np.ones((6, 2))]
        w = np.ones(refimpl.dual_lphm_fusion_l([2, 2], 2, 2, 2, 3))
        assert (
            refimpl.dual_lphm_fusion_operator([2, 2], w, p=2, q=2, r=3, n=2).contraction_order(6) == "dense"
        )
        with refimpl.memory_limit(128):
            message = _message_of(
                refimpl.MemoryLimitError, lambda: refimpl.dual_lphm_fusion(A, w, p=2, q=2, r=3, n=2)
            )
            one = refimpl.dual_lphm_fusion([np.ones((6, 4))], w, p=2, q=2, r=3, n=2)
        assert message.startswith(
            "dual_lphm_fusion would join the inputs into an array of shape (6, 4) (float64) of 192 bytes"
        ), message
        assert "fewer rows at a time" in message, message
        with refimpl.memory_limit(192):
            np.testing.assert_array_equal(refimpl.dual_lphm_fusion(A, w, p=2, q=2, r=3, n=2), one)

    def test_the_intermediates_are_counted_and_the_blocks_fit_them(self):
        # p = 64, q = 1, r = 1, n = 2, one input: a row of a block holds S^T's 64 values and the
        # 1 before T (65 values, 520 bytes); NumPy writes the output (2 values a row) in place.
        # The blocks of rows shrink to fit the limit, down to one row; one row over the limit is
        # refused, naming the intermediates.
        rng = np.random.default_rng(5)
        A = rng.integers(-3, 4, size=(100, 64)).astype(np.float64)
        w = rng.integers(-3, 4, size=refimpl.dual_lphm_fusion_l([64], 2, 64, 1, 1)).astype(np.float64)
        expected = refimpl.dual_lphm_fusion([A], w, p=64, q=1, r=1, n=2, method="dense")
        for limit in (1600, 2000, 2**20):  # blocks of 3 rows, 3 rows, all 100 rows
            with refimpl.memory_limit(limit):
                got = refimpl.dual_lphm_fusion([A], w, p=64, q=1, r=1, n=2)
            np.testing.assert_array_equal(got, expected)
        with refimpl.memory_limit(520):
            np.testing.assert_array_equal(
                refimpl.dual_lphm_fusion([A[:1]], w, p=64, q=1, r=1, n=2), expected[:1]
            )
        with refimpl.memory_limit(519):
            message = _message_of(
                refimpl.MemoryLimitError, lambda: refimpl.dual_lphm_fusion([A[:1]], w, p=64, q=1, r=1, n=2)
            )
        assert "dual_lphm_fusion would allocate intermediates of 1 x 65 values (float64)" in message, message
        assert "of 520 bytes, over the memory limit of 519 bytes" in message, message
        assert "a block of one row needs them" in message, message

    def test_a_library_that_cannot_write_in_place_counts_the_output_block(self):
        # array_api_strict has no out=: each block of the output is computed, then assigned, so
        # a row of a block holds the output's 2 values too (67 values, 536 bytes).
        xps = pytest.importorskip("array_api_strict")
        rng = np.random.default_rng(5)
        A = rng.integers(-3, 4, size=(1, 64)).astype(np.float64)
        w = rng.integers(-3, 4, size=refimpl.dual_lphm_fusion_l([64], 2, 64, 1, 1)).astype(np.float64)
        expected = refimpl.dual_lphm_fusion([A], w, p=64, q=1, r=1, n=2, method="dense")
        with refimpl.memory_limit(536):
            got = refimpl.dual_lphm_fusion([xps.asarray(A)], xps.asarray(w), p=64, q=1, r=1, n=2)
        np.testing.assert_array_equal(np.asarray(got), expected)
        with refimpl.memory_limit(535):
            message = _message_of(
                refimpl.MemoryLimitError,
                lambda: refimpl.dual_lphm_fusion([xps.asarray(A)], xps.asarray(w), p=64, q=1, r=1, n=2),
            )
        assert "intermediates of 1 x 67 values" in message, message

    def test_peak_memory_is_the_output_and_one_block_of_rows(self):
        # Two inputs of 512 x 2048 (8 MiB each), p = q = 64, r = 4, the first row of issue 21's
        # table: no joined copy of X (16 MiB), only the output (16 MiB) and one block's arrays.
        rng = np.random.default_rng(6)
        A = [rng.standard_normal((512, 2048)) for _ in range(2)]
        w = rng.standard_normal(refimpl.dual_lphm_fusion_l([2048, 2048], 4096, 64, 64, 4))
        out, peak = _peak_of(lambda: refimpl.dual_lphm_fusion(A, w, p=64, q=64, r=4, n=4096))
        assert out.nbytes <= peak <= out.nbytes + _row_blocks.BLOCK_BYTES, (peak, out.nbytes)

    def test_the_size_of_each_dtype_is_its_own(self):
        # Sizes are remembered per dtype: each dtype gets its own, whichever came first.
        for dtype, size in [(np.float32, 4), (np.float64, 8), (np.complex128, 16), (np.float32, 4)]:
            assert _memory.itemsize(npx, np.dtype(dtype)) == size

    def test_a_copy_in_a_joined_run_is_guarded_and_named(self):
        # Widths 3 and 5 share a group of s = 4 columns: one run, joined a block at a time. The
        # first input is a broadcast batch (8 zero-stride copies of 3 rows), which cannot be seen
        # as rows without a copy: the guard counts the copy and names the input and the caller.
        A0 = np.broadcast_to(np.ones((1, 3, 3)), (8, 3, 3))
        A1 = np.ones((8, 3, 5))
        w = np.ones(refimpl.dual_lphm_fusion_l([3, 5], 2, 2, 1, 1))
        with refimpl.memory_limit(8 * 3 * 3 * 8 - 1):
            message = _message_of(
                refimpl.MemoryLimitError, lambda: refimpl.dual_lphm_fusion([A0, A1], w, p=2, q=1, r=1, n=2)
            )
        assert message.startswith("dual_lphm_fusion would copy inputs[0] of shape (8, 3, 3) (float64)"), (
            message
        )

    def test_numpy_writes_each_block_into_the_output(self):
        # The same inputs, 64 rows in blocks of 10 (BLOCK_BYTES made 64 KiB for 768 values a
        # row): NumPy's products write each block straight into the output, so beyond it there
        # is one block's intermediates (60 KiB), never a block of the output (320 KiB).
        rng = np.random.default_rng(6)
        A = [rng.standard_normal((64, 2048)) for _ in range(2)]
        w = rng.standard_normal(refimpl.dual_lphm_fusion_l([2048, 2048], 4096, 64, 64, 4))
        with mock.patch.object(_row_blocks, "BLOCK_BYTES", 2**16):
            out, peak = _peak_of(lambda: refimpl.dual_lphm_fusion(A, w, p=64, q=64, r=4, n=4096))
        assert out.nbytes <= peak <= out.nbytes + 2**16, (peak, out.nbytes)
        np.testing.assert_allclose(
            out, refimpl.dual_lphm_fusion(A, w, p=64, q=64, r=4, n=4096, method="dense")
        )

    def test_dask_is_guarded_per_chunk(self):
        da = pytest.importorskip("dask.array")
        X = da.ones((8, 2), chunks=(2, 2))
        with refimpl.memory_limit(2 * 2 * 8 - 1):
            out = refimpl.dual_lphm_fusion([X], np.ones(6), p=2, q=1, r=1)
            with pytest.raises(
                refimpl.MemoryLimitError, match=r"X @ op would allocate a result of shape \(2, 2\)"
            ):
                out.compute()


class TestConcatenationFusion:
    def test_huge_output_is_refused(self):
        _refused(
            lambda: refimpl.concatenation_fusion([np.ones((10**5, 1))], np.ones(10**5), n=10**5),
            "concatenation_fusion would allocate an output of shape (100000, 100000) (float64) of 74.5 GiB",
        )

    def test_batched_output_counts_every_batch(self):
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

    def test_output_guard(self):
        # The output guard's message: the function, the shape, the dtype and the advice ("fewer
        # rows"), which a message without its advice (None) loses.
        A = [np.ones((2, 3, 1), dtype=np.float32), np.ones((2, 3, 3), dtype=np.float32)]
        w = np.ones(4 * 5, dtype=np.float32)
        with refimpl.memory_limit(2 * 3 * 5 * 4):
            assert refimpl.concatenation_fusion(A, w, n=5).shape == (2, 3, 5)
        with refimpl.memory_limit(2 * 3 * 5 * 4 - 1):
            message = _message_of(refimpl.MemoryLimitError, lambda: refimpl.concatenation_fusion(A, w, n=5))
        assert re.search(r"(?<![\w.])concatenation_fusion(?!\w)", message), message
        assert re.search(r"\(2, 3, 5\)", message) and re.search(r"\bfloat32\b", message), message
        assert re.search(r"\bfewer rows\b", message), message

    def test_joining_the_inputs_is_counted(self):
        # The joined X (2 x 3 x 4 float64, 192 bytes) is larger than the output (2 x 3 x 1, 48
        # bytes): a limit between the two refuses the join, naming it.
        A = [np.ones((2, 3, 1)), np.ones((2, 3, 3))]
        with refimpl.memory_limit(192):
            assert refimpl.concatenation_fusion(A, np.ones(4), n=1).shape == (2, 3, 1)
        with refimpl.memory_limit(191):
            message = _message_of(
                refimpl.MemoryLimitError, lambda: refimpl.concatenation_fusion(A, np.ones(4), n=1)
            )
        assert (
            "joining the inputs would allocate an array of shape (2, 3, 4) (float64) of 192 bytes" in message
        )
        assert "fewer rows" in message

    def test_dask_inputs_are_joined_lazily_whatever_the_limit(self):
        # Joining Dask inputs allocates nothing at the call: no guard there, however low the limit.
        da = pytest.importorskip("dask.array")
        A = [da.ones((8, 1), chunks=(2, 1)), da.ones((8, 3), chunks=(2, 3))]
        with refimpl.memory_limit(8):
            out = refimpl.concatenation_fusion(A, np.ones(4), n=1)
        np.testing.assert_array_equal(out.compute(), np.full((8, 1), 4.0))

    def test_dask_is_lazy_and_computes_within_the_limit(self):
        da = pytest.importorskip("dask.array")
        X = da.ones((8, 2), chunks=(2, 2))
        out = refimpl.concatenation_fusion([X], np.ones(4))  # lazy: nothing checked, nothing allocated
        with refimpl.memory_limit(2 * 2 * 8):
            assert out.compute().shape == (8, 2)


class TestDualLphmParameterizedConcatenationFusion:
    def test_is_guarded_too(self):
        fusion = refimpl.dual_lphm_parameterized_concatenation_fusion(r=1, p=1, q=2**20, n=2**40)
        with pytest.raises(refimpl.MemoryLimitError, match="dual_lphm_fusion would allocate an output"):
            fusion([np.ones((1000, 2))], np.ones(1 + 2**20 + 2 + 2**20))


# -- the operators ----------------------------------------------------------------------------------


def _lphm_4x6():
    """A 4 x 6 Dual-LPHM operator (n != D: a message naming the wrong side of the shape shows)."""
    return refimpl.dual_lphm_operator(np.arange(1.0, refimpl.dual_lphm_l(4, 6, 2, 3, 1) + 1), 4, 6, 2, 3, 1)


class TestOperatorProducts:
    """``X @ op`` and ``op @ Y``."""

    def test_operator_results_are_guarded(self):
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

    def test_operator_results_past_int64_are_refused_at_once(self):
        op = refimpl.duplicated_padding_operator(np.ones(4), 2, P, 1, P // 2)
        _refused(lambda: np.ones((3, 2)) @ op, f"X @ op would allocate a result of shape (3, {P}) (float64")

    def test_guard_message_names_the_shape_of_op_at_y_with_its_batch(self):
        # "op @ Y" computes (Y^T @ op^T)^T, and the message must name the shape op @ Y would have,
        # (batch..., n, k), not a cut or repeated version of it.
        op = _lphm_4x6()
        with refimpl.memory_limit(8):
            with pytest.raises(refimpl.MemoryLimitError) as excinfo:
                op @ np.ones((2, 5, 6, 3))
            assert re.search(r"op @ Y.*\(2, 5, 4, 3\)", str(excinfo.value)), str(excinfo.value)
            with pytest.raises(refimpl.MemoryLimitError) as excinfo:
                op @ np.ones((6, 3))
            assert re.search(r"op @ Y.*\(4, 3\)", str(excinfo.value)), str(excinfo.value)
            with pytest.raises(refimpl.MemoryLimitError) as excinfo:
                op @ np.ones(6)
            assert re.search(r"op @ y.*\(4,\)", str(excinfo.value)), str(excinfo.value)
            with pytest.raises(refimpl.MemoryLimitError) as excinfo:
                np.ones((2, 3, 4)) @ op
            assert re.search(r"X @ op.*\(2, 3, 6\)", str(excinfo.value)), str(excinfo.value)


class TestToarray:
    def test_guard_names_toarray(self):
        op = refimpl.dual_lphm_operator(np.ones(4 * 32), 64, 64, 8, 8, 4)
        with refimpl.memory_limit(1024), pytest.raises(refimpl.MemoryLimitError, match=r"toarray\(\)"):
            op.toarray()

    def test_guard_message_names_the_class_and_the_way_out(self):
        # The operator's class (not NoneType) and the advice (not None) must be in the message.
        op = _lphm_4x6()
        with refimpl.memory_limit(8), pytest.raises(refimpl.MemoryLimitError) as excinfo:
            op.toarray()
        message = str(excinfo.value)
        assert re.search(r"DualLphmOperator\.toarray\(\)", message), message
        assert re.search(r"apply the operator", message, re.IGNORECASE), message


class TestTosparse:
    """``DuplicatedDiagonalPaddingOperator.tosparse``."""

    def test_tosparse_of_two_billion_entries_is_refused(self):
        op = refimpl.duplicated_diagonal_padding_operator(np.ones(4), 10**9, 10**9, 5 * 10**8)
        _refused(
            op.tosparse,
            "DuplicatedDiagonalPaddingOperator.tosparse('csr')",
            "2000000000 stored entries",
            "apply the operator instead",
        )
        _refused(lambda: op.tosparse("dense"), "dense 1000000000 x 1000000000")

    @pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "bsr"])
    def test_guard_limit_is_the_stored_size_of_the_format(self, fmt):
        # The guard must be sized for the format asked: sized for format None (CSC's layout)
        # whatever the format, it fails here. n != D so that CSR and CSC differ.
        op = refimpl.duplicated_diagonal_padding_operator(np.arange(1.0, 13.0), 6, 12, 3, 2)
        with refimpl.memory_limit(None):
            size = _stored_nbytes_int64(op.tosparse(fmt))
        with refimpl.memory_limit(size):
            assert op.tosparse(fmt).format == fmt
        with refimpl.memory_limit(size - 1), pytest.raises(refimpl.MemoryLimitError) as excinfo:
            op.tosparse(fmt)
        assert re.search(rf"DuplicatedDiagonalPaddingOperator\.tosparse\('{fmt}'\)", str(excinfo.value))
