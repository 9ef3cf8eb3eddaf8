"""The memory guard on every allocation that grows with the configuration (issue 11, item 1).

Each case asks for far more than any machine holds: the guard must refuse it *before*
allocating, at once, with a message that says what was asked, how big, and the way out.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

import refimpl
from refimpl._memory import _human, check_elements, check_size

P = 2**63


# -- the helper ------------------------------------------------------------------------------


def test_check_size_is_exact_at_the_limit():
    with refimpl.dense_limit(1000):
        check_size(1000, "x would allocate y", "ask for less")
        with pytest.raises(refimpl.DenseSizeError, match=r"x would allocate y of 1001 bytes, over the dense limit of 1000 bytes; ask for less, or raise the limit"):
            check_size(1001, "x would allocate y", "ask for less")


def test_check_elements_multiplies_in_exact_integers():
    # 2**63 * 2**63 * 8 overflows int64 many times over; Python ints do not.
    with pytest.raises(refimpl.DenseSizeError, match=r"more than 2\*\*|YiB"):
        check_elements(P * P, 8, "x would allocate y", "z")
    with pytest.raises(refimpl.DenseSizeError):
        check_elements(np.int64(2**62), np.int64(8), "x would allocate y", "z")  # NumPy ints: converted first


def test_check_size_does_nothing_with_the_guard_off():
    with refimpl.dense_limit(None):
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
    before = refimpl.get_dense_limit()
    try:
        refimpl.set_dense_limit(limit)
        assert refimpl.get_dense_limit() == 10
        assert type(refimpl.get_dense_limit()) is int
        with refimpl.dense_limit(limit):
            assert refimpl.get_dense_limit() == 10
    finally:
        refimpl.set_dense_limit(before)


@pytest.mark.parametrize("limit", [True, np.True_, 1.5, np.float64(10.0), "10"])
def test_set_dense_limit_refuses_non_integers(limit):
    with pytest.raises(TypeError, match="the dense limit must be an integer number of bytes or None, got"):
        refimpl.set_dense_limit(limit)
