"""Tests against the surviving mutants of refimpl's rules (issue 13).

They defend the memory guard (``refimpl._memory``: the exact limit, the limit's validation,
``REFIMPL_DENSE_LIMIT``, the sizes a message names), the namespaces and devices of the inputs
(``refimpl._xp``), the shape rules (``refimpl.shapes``) and the argument validation
(``refimpl._validation``). Each test's comment names the mutants it kills; the mutants that
cannot change anything observable are listed, with the reason, in the equivalents file.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import refimpl
from refimpl import _memory
from refimpl._memory import check_size

# -- the memory guard: the limit itself --------------------------------------------------------


def test_a_limit_of_one_byte_is_a_valid_limit() -> None:
    # Kills _checked_limit__mutmut_10 (``limit <= 1`` refused a limit of one byte).
    with refimpl.dense_limit(1):
        assert refimpl.get_dense_limit() == 1
        check_size(1, "x would allocate y", "ask for less")  # exactly the limit passes
        with pytest.raises(refimpl.DenseSizeError, match=r"of 2 bytes, over the dense limit of 1 bytes"):
            check_size(2, "x would allocate y", "ask for less")  # one byte over fails
    before = refimpl.get_dense_limit()
    try:
        refimpl.set_dense_limit(1)
        assert refimpl.get_dense_limit() == 1
    finally:
        refimpl.set_dense_limit(before)


@pytest.mark.parametrize("limit", [0, -1, np.int64(0)])
def test_a_limit_of_zero_or_less_is_refused_naming_it(limit: int) -> None:
    with pytest.raises(refimpl.RefimplError) as info:
        refimpl.set_dense_limit(limit)
    assert re.search(rf"positive.*got {int(limit)}\b", str(info.value))


@pytest.mark.parametrize(("limit", "type_name"), [(1.5, "float"), ("10", "str"), ([10], "list")])
def test_a_limit_of_the_wrong_type_names_its_type(limit: object, type_name: str) -> None:
    # Kills _checked_limit__mutmut_8 (the message named the type of None, not of the limit).
    with pytest.raises(TypeError) as info:
        refimpl.set_dense_limit(limit)  # type: ignore[arg-type]  # the wrong type on purpose
    assert re.search(rf"\b{type_name}\b", str(info.value))
    assert "NoneType" not in str(info.value)


def test_a_dense_result_of_exactly_the_limit_passes_and_one_byte_more_fails() -> None:
    # The public path: a 2 x 2 float64 duplicated padding is 32 bytes.
    with refimpl.dense_limit(32):
        out = refimpl.duplicated_padding([1.0, 2.0], 2, 2, 2, 1)
        assert out.shape == (2, 2)
    with refimpl.dense_limit(31):
        with pytest.raises(refimpl.DenseSizeError) as info:
            refimpl.duplicated_padding([1.0, 2.0], 2, 2, 2, 1)
    message = str(info.value)
    assert re.search(r"\b32 bytes\b", message)  # the size
    assert re.search(r"limit of 31 bytes\b", message)  # the limit
    assert "refimpl.duplicated_padding_operator" in message  # the advice
    assert "refimpl.set_dense_limit" in message  # and the other way out


@pytest.mark.parametrize(
    ("dtype", "nbytes"), [(np.float32, 16), (np.float64, 32), (np.complex64, 32), (np.complex128, 64)]
)
def test_complex_entries_count_both_parts(dtype: type, nbytes: int) -> None:
    # Kills itemsize__mutmut_2 (complex counted as one part) and _4 (as three parts): a 2 x 2
    # duplicated padding is exactly 4 entries of the dtype's size, so the limit is exact there.
    w = np.asarray([1.0 + 1.0j, 2.0] if np.dtype(dtype).kind == "c" else [1.0, 2.0], dtype=dtype)
    with refimpl.dense_limit(nbytes):
        assert refimpl.duplicated_padding(w, 2, 2, 2, 1).dtype == dtype
    with refimpl.dense_limit(nbytes - 1):
        with pytest.raises(refimpl.DenseSizeError) as info:
            refimpl.duplicated_padding(w, 2, 2, 2, 1)
    assert re.search(rf"\b{nbytes} bytes, over the dense limit of {nbytes - 1} bytes", str(info.value))


# -- REFIMPL_DENSE_LIMIT ------------------------------------------------------------------------
# The variable is read once, when refimpl is imported: these tests call the helper that reads it
# (a reload would make a second DenseSizeError class), and one runs a fresh interpreter.


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, refimpl.DEFAULT_DENSE_LIMIT),  # unset
        ("", refimpl.DEFAULT_DENSE_LIMIT),  # set but empty
        ("1000", 1000),
        ("1", 1),
        ("none", None),
        ("None", None),
        ("NONE", None),
    ],
)
def test_the_environment_variable_sets_the_limit(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: int | None
) -> None:
    # Kills _from_environment__mutmut_1 to _14: the variable ignored or misnamed (1-4), unset or
    # empty not the default (5, 8), a number ignored (6, 7, 10, 13, 14), 'none' not recognised
    # in any case (9, 11, 12).
    if value is None:
        monkeypatch.delenv("REFIMPL_DENSE_LIMIT", raising=False)
    else:
        monkeypatch.setenv("REFIMPL_DENSE_LIMIT", value)
    assert _memory._from_environment() == expected


@pytest.mark.parametrize("value", ["lots", "1.5", "0", "-3"])
def test_a_bad_environment_variable_is_refused_naming_it_and_its_value(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    # Kills _from_environment__mutmut_15 (a message of None).
    monkeypatch.setenv("REFIMPL_DENSE_LIMIT", value)
    with pytest.raises(refimpl.RefimplError) as info:
        _memory._from_environment()
    message = str(info.value)
    assert value in message
    if value not in ("0", "-3"):
        assert "REFIMPL_DENSE_LIMIT" in message


def test_the_environment_variable_is_the_limit_of_a_fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    monkeypatch.setenv("REFIMPL_DENSE_LIMIT", "1000")
    code = "import refimpl; print(refimpl.get_dense_limit())"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "1000"


# -- the sizes a message names --------------------------------------------------------------------


def _limit_in_message(limit: int) -> str:
    """The limit as the guard's message writes it, one byte over ``limit``."""
    with refimpl.dense_limit(limit):
        with pytest.raises(refimpl.DenseSizeError) as info:
            check_size(limit + 1, "x would allocate y", "ask for less")
    found = re.search(r"over the dense limit of (.*?);", str(info.value))
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("limit", "written"),
    [
        (1023, "1023 bytes"),
        (1024, "1.0 KiB"),
        (1280, "1.3 KiB"),  # 1.25: half rounds up (kills _human__mutmut_28)
        (1279, "1.2 KiB"),
        (2**19, "512.0 KiB"),  # kills _human__mutmut_9 (the unit of 2**19 taken as MiB)
        (2**20 - 1, "1024.0 KiB"),
        (2**20, "1.0 MiB"),
        (4 * 2**30, "4.0 GiB"),
        (1024**8, "1.0 YiB"),  # kills _human__mutmut_13 (YiB never used)
        (1024**9 - 1, "1024.0 YiB"),
        (1024**9, "more than 2**90 bytes"),  # kills _human__mutmut_14 and _16 (the bound)
        (2**100 + 5, "more than 2**100 bytes"),  # kills _human__mutmut_17 and _18 (the power)
    ],
)
def test_the_message_writes_the_limit_in_the_largest_unit_under_it(limit: int, written: str) -> None:
    assert _limit_in_message(limit) == written


# -- namespaces and devices ---------------------------------------------------------------------


def test_a_list_beside_an_array_on_another_device_goes_to_that_device() -> None:
    # Kills _asarray__mutmut_2 and _4 (the list made on the default device): array_api_strict
    # refuses arithmetic between devices, and the result must stay on the array's device.
    xps = pytest.importorskip("array_api_strict")
    device = xps.Device("device1")
    X = xps.asarray([[1.0, 1.0]], device=device)
    out = refimpl.dual_lphm_fusion([X], [1.0] * 6, p=1, r=1)
    assert out.device == device
    np.testing.assert_array_equal(np.asarray(xps.asarray(out, device=xps.Device("CPU_DEVICE"))), [[2.0, 2.0]])


def test_arrays_on_two_devices_are_refused_naming_both() -> None:
    # namespace_and_arrays now ignores a device of None (a JAX array traced by jax.vjp); two
    # real devices are still refused.
    xps = pytest.importorskip("array_api_strict")
    one = xps.asarray([[1.0, 1.0]], device=xps.Device("device1"))
    two = xps.asarray([[1.0, 1.0]], device=xps.Device("device2"))
    with pytest.raises(refimpl.RefimplError) as info:
        refimpl.dual_lphm_fusion([one, two], [1.0] * 7, p=2, q=1, r=1)
    message = str(info.value)
    assert "device1" in message and "device2" in message


def test_a_numpy_array_with_a_list_beside_it_still_works() -> None:
    out = refimpl.dual_lphm_fusion([np.ones((1, 2))], [1.0] * 6, p=1, r=1)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, [[2.0, 2.0]])


def test_a_ragged_list_is_refused_naming_its_type() -> None:
    # Kills _asarray__mutmut_5 (a message of None) and _6 (the type of None named).
    with pytest.raises(refimpl.RefimplError) as info:
        refimpl.duplicated_padding([[1.0], [1.0, 2.0]], 2, 2, 2, 1)
    message = str(info.value)
    assert re.search(r"\blist\b", message)
    assert "NoneType" not in message
