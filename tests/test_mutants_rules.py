"""Tests against the surviving mutants of refimpl's rules (issue 13).

They defend the memory guard (``refimpl._memory``: the exact limit, the limit's validation,
``REFIMPL_MEMORY_LIMIT``, the sizes a message names), the namespaces and devices of the inputs
(``refimpl._xp``), the shape rules (``refimpl.shapes``) and the argument validation
(``refimpl._validation``). Each test's comment names the mutants it kills; the mutants that
cannot change anything observable are listed, with the reason, in the equivalents file.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import refimpl
from refimpl import _memory
from refimpl._memory import check_size

# -- the memory guard: the limit itself --------------------------------------------------------


def test_a_limit_of_one_byte_is_a_valid_limit() -> None:
    # Kills _checked_limit__mutmut_10 (``limit <= 1`` refused a limit of one byte).
    with refimpl.memory_limit(1):
        assert refimpl.get_memory_limit() == 1
        check_size(1, "x would allocate y", "ask for less")  # exactly the limit passes
        with pytest.raises(refimpl.MemoryLimitError, match=r"of 2 bytes, over the memory limit of 1 bytes"):
            check_size(2, "x would allocate y", "ask for less")  # one byte over fails
    before = refimpl.get_memory_limit()
    try:
        refimpl.set_memory_limit(1)
        assert refimpl.get_memory_limit() == 1
    finally:
        refimpl.set_memory_limit(before)


@pytest.mark.parametrize("limit", [0, -1, np.int64(0)])
def test_a_limit_of_zero_or_less_is_refused_naming_it(limit: int) -> None:
    with pytest.raises(refimpl.RefimplError) as info:
        refimpl.set_memory_limit(limit)
    assert re.search(rf"positive.*got {int(limit)}\b", str(info.value))


@pytest.mark.parametrize(("limit", "type_name"), [(1.5, "float"), ("10", "str"), ([10], "list")])
def test_a_limit_of_the_wrong_type_names_its_type(limit: object, type_name: str) -> None:
    # Kills _checked_limit__mutmut_8 (the message named the type of None, not of the limit).
    with pytest.raises(TypeError) as info:
        refimpl.set_memory_limit(limit)  # type: ignore[arg-type]  # the wrong type on purpose
    assert re.search(rf"\b{type_name}\b", str(info.value))
    assert "NoneType" not in str(info.value)


def test_a_dense_result_of_exactly_the_limit_passes_and_one_byte_more_fails() -> None:
    # The public path: a 2 x 2 float64 duplicated padding is 32 bytes.
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
def test_complex_entries_count_both_parts(dtype: Any, nbytes: int) -> None:
    # Kills itemsize__mutmut_2 (complex counted as one part) and _4 (as three parts): a 2 x 2
    # duplicated padding is exactly 4 entries of the dtype's size, so the limit is exact there.
    w = np.asarray([1.0 + 1.0j, 2.0] if np.dtype(dtype).kind == "c" else [1.0, 2.0], dtype=dtype)
    with refimpl.memory_limit(nbytes):
        assert refimpl.duplicated_padding(w, 2, 2, 2, 1).dtype == dtype
    with refimpl.memory_limit(nbytes - 1):
        with pytest.raises(refimpl.MemoryLimitError) as info:
            refimpl.duplicated_padding(w, 2, 2, 2, 1)
    assert re.search(rf"\b{nbytes} bytes, over the memory limit of {nbytes - 1} bytes", str(info.value))


# -- REFIMPL_MEMORY_LIMIT ------------------------------------------------------------------------
# The variable is read once, when refimpl is imported: these tests call the helper that reads it
# (a reload would make a second MemoryLimitError class), and one runs a fresh interpreter.


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
def test_the_environment_variable_sets_the_limit(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: int | None
) -> None:
    # Kills _from_environment__mutmut_1 to _14: the variable ignored or misnamed (1-4), unset or
    # empty not the default (5, 8), a number ignored (6, 7, 10, 13, 14), 'none' not recognised
    # in any case (9, 11, 12).
    if value is None:
        monkeypatch.delenv("REFIMPL_MEMORY_LIMIT", raising=False)
    else:
        monkeypatch.setenv("REFIMPL_MEMORY_LIMIT", value)
    assert _memory._from_environment() == expected


@pytest.mark.parametrize("value", ["lots", "1.5", "0", "-3"])
def test_a_bad_environment_variable_is_refused_naming_it_and_its_value(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    # Kills _from_environment__mutmut_15 (a message of None).
    monkeypatch.setenv("REFIMPL_MEMORY_LIMIT", value)
    with pytest.raises(refimpl.RefimplError) as info:
        _memory._from_environment()
    message = str(info.value)
    assert value in message
    if value not in ("0", "-3"):
        assert "REFIMPL_MEMORY_LIMIT" in message


def test_the_environment_variable_is_the_limit_of_a_fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    monkeypatch.setenv("REFIMPL_MEMORY_LIMIT", "1000")
    code = "import refimpl; print(refimpl.get_memory_limit())"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "1000"


# -- the sizes a message names --------------------------------------------------------------------


def _limit_in_message(limit: int) -> str:
    """The limit as the guard's message writes it, one byte over ``limit``."""
    with refimpl.memory_limit(limit):
        with pytest.raises(refimpl.MemoryLimitError) as info:
            check_size(limit + 1, "x would allocate y", "ask for less")
    found = re.search(r"over the memory limit of (.*?);", str(info.value))
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


# -- the dtype of the inputs (refimpl._xp._cast_to_common_float) ---------------------------------


def _fuse(X: Any, w: Any) -> Any:
    """A Dual-LPHM fusion of one 1 x 2 input ``X`` with ``w`` of length 6: every rule of the dtype."""
    return refimpl.dual_lphm_fusion([X], w, p=1, r=1)


@pytest.mark.parametrize(
    ("X_dtype", "w", "expected"),
    [
        (np.float32, [1.0] * 6, np.float32),  # a list is weak: it takes the array's precision
        (np.float32, [1] * 6, np.float32),
        (np.float64, [1.0] * 6, np.float64),
        (np.float32, np.ones(6, np.float64), np.float64),  # two arrays: their promotion
        (np.float32, np.ones(6, np.float32), np.float32),
        (np.int64, np.ones(6, np.int32), np.float64),  # no floating array: the default float
        (np.bool_, np.ones(6, np.int8), np.float64),
        (np.int64, np.ones(6, np.float32), np.float32),  # integers take the float array's dtype
        (np.float32, [1.0 + 0.0j] * 6, np.complex64),  # a complex list makes the result complex
        (np.float64, [1.0 + 0.0j] * 6, np.complex128),
        (np.float32, np.ones(6, np.complex128), np.complex128),
        (np.complex64, [1.0] * 6, np.complex64),
    ],
)
def test_the_result_dtype_is_the_promotion_of_the_inputs(X_dtype: Any, w: object, expected: type) -> None:
    # Kills _cast_to_common_float__mutmut_6 to _71 that change a dtype (floats counted as strong
    # or weak, complex lists, the default float, the cast) and namespace_and_arrays__mutmut_34
    # (lists counted as strong).
    X = np.ones((1, 2), dtype=X_dtype)
    out = _fuse(X, w)
    assert out.dtype == expected
    np.testing.assert_allclose(np.real(out), [[2.0, 2.0]])


def test_a_complex_list_keeps_its_imaginary_part() -> None:
    # The complex list must make the result complex, not be cast to the array's real dtype.
    w = [1.0j, 1.0, 1.0, 1.0, 1.0, 1.0]  # one factor imaginary: W = 1j everywhere
    out = refimpl.dual_lphm_fusion([np.ones((1, 2), np.float32)], w, p=1, r=1)
    assert out.dtype == np.complex64
    np.testing.assert_allclose(out, [[2.0j, 2.0j]])


def test_integer_arrays_of_array_api_strict_take_the_default_float() -> None:
    xps = pytest.importorskip("array_api_strict")
    out = _fuse(xps.ones((1, 2), dtype=xps.int64), xps.ones(6, dtype=xps.int32))
    assert out.dtype == xps.float64


def test_the_default_float_is_the_device_s() -> None:
    # Kills _cast_to_common_float__mutmut_46 and namespace_and_arrays__mutmut_39 (the default
    # float of the default device, not of the arrays' device): array_api_strict's 'no_float64'
    # device has float32 as its default float.
    xps = pytest.importorskip("array_api_strict")
    info = xps.__array_namespace_info__()
    devices = [d for d in info.devices() if info.default_dtypes(device=d)["real floating"] == xps.float32]
    if not devices:
        pytest.skip("this array_api_strict has no device whose default float is float32")
    device = devices[0]
    out = _fuse(xps.ones((1, 2), dtype=xps.int64, device=device), [1] * 6)
    assert out.dtype == xps.float32
    assert out.device == device


@pytest.mark.parametrize("dtype", ["U1", "O", "datetime64[s]"])
def test_a_non_numeric_array_is_refused_naming_its_dtype(dtype: str) -> None:
    # Kills _cast_to_common_float__mutmut_42 (a message of None).
    X = np.ones((1, 2)).astype(dtype) if dtype != "datetime64[s]" else np.zeros((1, 2), dtype)
    with pytest.raises(TypeError) as info:
        _fuse(X, [1.0] * 6)
    assert np.dtype(dtype).str[1:] in str(info.value) or str(np.dtype(dtype)) in str(info.value)


def test_a_masked_array_is_refused_with_the_two_ways_out() -> None:
    # Kills _refuse_masked__mutmut_1 (no message), _3 (numpy.ma written in capitals), _6 and _8
    # (the ways out no longer code), and namespace_and_arrays__mutmut_3 (masked arrays let through).
    w = np.ma.masked_array([1.0, 2.0], mask=[False, False])
    with pytest.raises(TypeError) as info:
        refimpl.duplicated_padding(w, 2, 2, 2, 1)
    message = str(info.value)
    for fact in ("numpy.ma", "x.filled(value)", "numpy.ma.getdata(x)"):
        assert fact in message


def test_arrays_of_two_libraries_are_refused_naming_both() -> None:
    # Kills namespace_and_arrays__mutmut_5 to _8 (the libraries lost from the message).
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError) as info:
        _fuse(np.ones((1, 2)), torch.ones(6, dtype=torch.float64))
    message = str(info.value)
    assert re.search(r"\bnumpy\b", message) and re.search(r"\btorch\b", message)


def test_lists_alone_go_to_the_backend() -> None:
    # namespace_and_arrays__mutmut_21 and _22: no array input, the backend's namespace and device.
    out = refimpl.duplicated_padding([1.0, 2.0], 2, 2, 2, 1)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    out = _fuse([[1, 1]], [1] * 6)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64


# -- the dimensions (refimpl._validation.check_dim, is_bool) -------------------------------------


@pytest.mark.parametrize("value", [True, False, np.True_, np.bool_(False)])
def test_a_bool_dimension_is_refused_as_a_bool(value: object) -> None:
    # Kills is_bool__mutmut_1, _3, _4, _6, _7, _9 (a bool taken for an integer, or refused as
    # something else) and check_dim__mutmut_1, _2.
    with pytest.raises(TypeError) as info:
        refimpl.duplicated_padding_l(value, 4, 2)  # type: ignore[arg-type]  # the wrong type on purpose
    assert re.search(r"\bn\b.*\bbool\b", str(info.value))
    assert re.search(r"the bool", str(info.value))


def test_a_boolean_tensor_dimension_is_refused_as_a_bool() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match=r"\bp\b.*the bool"):
        refimpl.duplicated_padding_l(4, 4, torch.tensor(True))


@pytest.mark.parametrize(
    "value", [np.int64(4), np.uint8(4), np.int32(4), np.array(4), pytest.param("torch", id="torch")]
)
def test_integer_scalars_of_array_libraries_are_dimensions(value: object) -> None:
    # Kills is_bool__mutmut_10 to _16 (an error when asking an integer array scalar's dtype).
    if isinstance(value, str):
        torch = pytest.importorskip("torch")
        value = torch.tensor(4)
    assert refimpl.duplicated_padding_l(value, 4, 2) == 4  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "type_name"), [(2.5, "float"), ("4", "str"), (None, "NoneType")])
def test_a_dimension_of_the_wrong_type_names_its_value_and_type(value: object, type_name: str) -> None:
    # Kills check_dim__mutmut_6, _7 and is_bool__mutmut_8 (a float called a bool).
    with pytest.raises(TypeError) as info:
        refimpl.duplicated_padding_l(4, value, 2)  # type: ignore[arg-type]  # the wrong type on purpose
    message = str(info.value)
    assert re.search(rf"\bD\b.*{re.escape(repr(value))}.*\b{type_name}\b", message)
    assert "bool" not in message


@pytest.mark.parametrize("name", ["n", "D", "p", "q", "r"])
@pytest.mark.parametrize("value", [0, -2])
def test_a_dimension_of_zero_or_less_is_refused_naming_it(name: str, value: int) -> None:
    # Kills check_dim__mutmut_8 (0 accepted), _10 (no message), and the names given to check_dim
    # by lphm_shape and default_q (lphm_shape__mutmut_4, _8, _12, _15, _16, _23, _26, _27,
    # default_q__mutmut_5, _8, _9).
    args = {"n": 4, "D": 4, "p": 2, "q": 2, "r": 1, name: value}
    with pytest.raises(refimpl.RefimplError) as info:
        refimpl.dual_lphm_l(**args)
    assert re.search(rf"(?<![\w\[]){name}={value}\b", str(info.value))


def test_dimensions_of_one_are_dimensions() -> None:
    # Kills check_dim__mutmut_9 (1 refused).
    assert refimpl.duplicated_padding_l(1, 1, 1, 1) == 1
    assert refimpl.dual_lphm_l(1, 1, 1, 1, 1) == 4


# -- the divisions (check_divides) and the derived sizes -------------------------------------------


def test_a_size_that_does_not_divide_names_both_numbers() -> None:
    # Kills check_divides__mutmut_2 and lphm_shape__mutmut_45, _47, _52, _53, _55, _57, _62, _63
    # (the names in the message).
    with pytest.raises(refimpl.RefimplError) as info:
        refimpl.dual_lphm_l(10, 4, 3, 2, 1)
    assert re.search(r"(?<!\w)n=10\b.*(?<!\w)p=3\b", str(info.value))
    with pytest.raises(refimpl.RefimplError) as info:
        refimpl.dual_lphm_l(6, 5, 3, 2, 1)
    assert re.search(r"(?<!\w)D=5\b.*(?<!\w)q=2\b", str(info.value))
    with pytest.raises(refimpl.RefimplError) as info:
        refimpl.duplicated_padding_l(10, 4, 3)
    assert re.search(r"(?<!\w)n=10\b.*(?<!\w)p=3\b", str(info.value))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((6, 12, 3, None, 2), 2 * (3 + 3 + 2 + 4)),  # q defaults to p
        ((6, 12, 3, 2, 2), 2 * (3 + 2 + 2 + 6)),
        ((4, 6, 2, 3, 1), 1 * (2 + 3 + 2 + 2)),
        ((8, 3, 4, 1, 3), 3 * (4 + 1 + 2 + 3)),
    ],
)
def test_dual_lphm_l_is_r_times_p_q_n_over_p_d_over_q(args: tuple[Any, ...], expected: int) -> None:
    # Kills check_divides__mutmut_3 (a float), default_q__mutmut_1 to _3, and lphm_shape's
    # swapped or dropped arguments.
    l = refimpl.dual_lphm_l(*args)
    assert l == expected and type(l) is int


@pytest.mark.parametrize(("args", "expected"), [((6, 8, 3, 2), 8), ((6, 8, 2, None), 12), ((5, 7, 5, 7), 1)])
def test_duplicated_padding_l_is_n_d_over_p_q(args: tuple[Any, ...], expected: int) -> None:
    l = refimpl.duplicated_padding_l(*args)
    assert l == expected and type(l) is int


# -- w (check_parameter_vector) ------------------------------------------------------------------


def test_w_as_a_row_is_w_as_a_vector() -> None:
    # Kills check_parameter_vector__mutmut_10, _11 ((1, l) refused), _18, _20 to _25 (not reshaped).
    vector = refimpl.duplicated_padding(np.asarray([1.0, 2.0]), 2, 2, 2, 1)
    row = refimpl.duplicated_padding(np.asarray([[1.0, 2.0]]), 2, 2, 2, 1)
    assert row.shape == vector.shape == (2, 2)
    np.testing.assert_array_equal(row, vector)
    lphm = refimpl.dual_lphm(np.arange(8.0).reshape(1, 8), 4, 4, 2, 2, 1)
    np.testing.assert_array_equal(lphm, refimpl.dual_lphm(np.arange(8.0), 4, 4, 2, 2, 1))


@pytest.mark.parametrize("shape", [(2, 1), (2, 2), (1, 1, 2), (), (2, 2, 1)])
def test_w_of_another_shape_is_refused_naming_the_shape(shape: tuple[int, ...]) -> None:
    # Kills check_parameter_vector__mutmut_4 to _9 (other shapes let in) and _26 (no message).
    with pytest.raises(refimpl.RefimplError) as info:
        refimpl.duplicated_padding(np.ones(shape), 2, 2, 2, 1)
    message = str(info.value)
    assert f"got shape {shape}" in message
    assert re.search(r"\(2,\) or \(1, 2\)", message)  # the shapes expected
    assert re.search(r"n=2, D=2, p=2, q=1", message)  # and the rule


@pytest.mark.parametrize("shape", [(3,), (1,), (1, 3), (1, 1)])
def test_w_of_the_wrong_length_is_refused_naming_both_lengths(shape: tuple[int, ...]) -> None:
    # Kills check_parameter_vector__mutmut_12 to _17 (the length checked or named wrongly).
    with pytest.raises(refimpl.RefimplError) as info:
        refimpl.duplicated_padding(np.ones(shape), 2, 2, 2, 1)
    message = str(info.value)
    assert re.search(rf"length 2\b.*got length {shape[-1]}\b", message)
    assert "n=2, D=2, p=2, q=1" in message


def test_the_rule_in_a_message_uses_the_caller_s_names() -> None:
    # Kills lphm_shape__mutmut_35 and _43 (the fusion's weight named n x D, not N x n).
    with pytest.raises(refimpl.RefimplError) as info:
        refimpl.dual_lphm([1.0] * 5, 4, 6, 2, 3, 1)
    assert "r*(p + q + n/p + D/q) with n=4, D=6, p=2, q=3, r=1" in str(info.value)
    with pytest.raises(refimpl.RefimplError) as info:
        refimpl.dual_lphm_fusion([np.ones((1, 2)), np.ones((1, 2))], [1.0] * 5, p=2, q=1, r=1)
    assert "r*(p + q + N/p + n/q) with N=4, n=2, p=2, q=1, r=1" in str(info.value)


# -- the input widths (input_widths, output_width) ------------------------------------------------


@pytest.mark.parametrize(
    ("dims", "n", "expected"),
    [
        ([4], None, 16),  # one input: its width is the output width
        ([3, 3], None, 18),
        ([2, 4], 3, 18),
        ((2, 4), 1, 6),
        (np.array([2, 4]), 3, 18),  # a 1-D integer array like a list
        ([np.int64(2), np.int64(4)], 3, 18),
    ],
)
def test_concatenation_fusion_l_is_n_times_the_sum_of_widths(
    dims: object, n: int | None, expected: int
) -> None:
    # Kills input_widths__mutmut_1, _2, _6, _7, _12, _13, _17 to _22, output_width__mutmut_8, _12,
    # concat_shape__mutmut_1 to _10.
    assert refimpl.concatenation_fusion_l(dims, n) == expected  # type: ignore[arg-type]


def test_unequal_widths_without_n_are_refused_naming_the_widths() -> None:
    # Kills output_width__mutmut_9 (unequal widths accepted), _10 and _11 (the widths lost).
    with pytest.raises(refimpl.RefimplError) as info:
        refimpl.concatenation_fusion_l([2, 4, 2])
    message = str(info.value)
    assert "[2, 4, 2]" in message and re.search(r"\bn\b", message)


@pytest.mark.parametrize("n", [0, -1])
def test_an_output_width_of_zero_or_less_is_refused_naming_n(n: int) -> None:
    # Kills output_width__mutmut_3, _6, _7 (the name n lost).
    with pytest.raises(refimpl.RefimplError) as info:
        refimpl.concatenation_fusion_l([2, 4], n)
    assert re.search(rf"(?<!\w)n={n}\b", str(info.value))


@pytest.mark.parametrize(("dims", "fact"), [([2, 0], "dims[1]=0"), ([-1, 2], "dims[0]=-1")])
def test_a_bad_input_width_is_refused_naming_its_index(dims: list[int], fact: str) -> None:
    with pytest.raises(refimpl.RefimplError) as info:
        refimpl.concatenation_fusion_l(dims, 2)
    assert fact in str(info.value)


@pytest.mark.parametrize(
    ("dims", "fact"),
    [
        ("24", r"\bstr\b"),
        (b"24", r"\bbytes\b"),
        (4, r"\bint\b"),
        ({2, 4}, r"\bset\b"),
        (np.ones((2, 2), int), r"\(2, 2\)"),
    ],
)
def test_dims_of_the_wrong_type_are_refused_naming_it(dims: object, fact: str) -> None:
    # Kills input_widths__mutmut_3 to _5, _8 to _11 (other types let through, or not named).
    with pytest.raises(TypeError) as info:
        refimpl.concatenation_fusion_l(dims, 2)  # type: ignore[arg-type]  # the wrong type on purpose
    assert re.search(fact, str(info.value))
    assert re.search(r"\bdims\b", str(info.value))


@pytest.mark.parametrize("dims", [[], (), np.array([], dtype=int)])
def test_no_input_width_is_refused(dims: object) -> None:
    # Kills input_widths__mutmut_12, _14 to _16 (the empty dims let through, or not named).
    with pytest.raises(refimpl.RefimplError) as info:
        refimpl.concatenation_fusion_l(dims, 2)  # type: ignore[arg-type]
    assert re.search(r"\bdims\b", str(info.value)) and "empty" in str(info.value)
