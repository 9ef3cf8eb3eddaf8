"""The backend switch, the array namespaces, dtypes and devices of the inputs, and lazy imports.

One class per backend function (``get_backend``, ``use_backend``, ``set_backend``), then one per
rule every function follows (``refimpl._xp``): the namespace an input picks, the dtype of the
result, the device it stays on. What mixed libraries, devices and non-numeric inputs raise is in
``test_errors.py``'s table of invalid arguments.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import threading
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import refimpl
from refimpl import (
    _xp,
    dual_lphm,
    dual_lphm_fusion,
    dual_lphm_fusion_l,
    dual_lphm_l,
    dual_lphm_operator,
    duplicated_diagonal_padding,
    duplicated_diagonal_padding_operator,
    duplicated_padding_l,
    duplicated_padding_operator,
)

from ._support import loop_dual_lphm, loop_padding, namespace_name, to_numpy

HAS_CUPY = importlib.util.find_spec("cupy") is not None


def same(actual: Any, expected: Any) -> None:
    """Equal shapes, dtypes and entries (both converted to NumPy)."""
    a, e = to_numpy(actual), to_numpy(expected)
    assert a.dtype == e.dtype, (a.dtype, e.dtype)
    assert a.shape == e.shape, (a.shape, e.shape)
    np.testing.assert_array_equal(a, e)


def _fuse(X: Any, w: Any) -> Any:
    """A Dual-LPHM fusion of one 1 x 2 input ``X`` with ``w`` of length 6: every rule of the dtype."""
    return refimpl.dual_lphm_fusion([X], w, p=1, r=1)


# -- the backend ------------------------------------------------------------------------------


class TestGetBackend:
    def test_default_backend_is_numpy(self) -> None:
        assert refimpl.get_backend() == "numpy"


class TestUseBackend:
    def test_overrides_then_restores_the_default(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from refimpl import _xp

        monkeypatch.setattr(_xp, "_default_backend", "cupy")  # the name only: nothing imported
        assert refimpl.get_backend() == "cupy"
        with refimpl.use_backend("numpy"):
            assert refimpl.get_backend() == "numpy"
            assert isinstance(refimpl.duplicated_padding([1.0, 2.0], 2, 2, 2, 1), np.ndarray)
        assert refimpl.get_backend() == "cupy"

    def test_is_local_to_its_thread(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from refimpl import _xp

        monkeypatch.setattr(_xp, "_default_backend", "cupy")
        seen: list[str] = []
        with refimpl.use_backend("numpy"):
            thread = threading.Thread(target=lambda: seen.append(refimpl.get_backend()))
            thread.start()
            thread.join()
        assert seen == ["cupy"]  # the other thread sees the default, not this block's backend

    @pytest.mark.skipif(not HAS_CUPY, reason="CuPy is not installed")
    def test_cupy_backend_turns_lists_into_cupy_arrays(self) -> None:  # pragma: no cover (GPU only)
        cupy = pytest.importorskip("cupy")
        with refimpl.use_backend("cupy"):
            out = refimpl.duplicated_padding([1.0, 2.0], 2, 2, 2, 1)
            sparse = refimpl.duplicated_diagonal_padding([1.0, 2.0], 2, 2, 2, 1, format="csr")
        assert isinstance(out, cupy.ndarray)
        assert type(sparse).__module__.startswith("cupyx")


class TestSetBackend:
    @pytest.mark.skipif(HAS_CUPY, reason="CuPy is installed here: the missing-CuPy error cannot happen")
    def test_cupy_backend_without_cupy_is_a_clear_import_error(self) -> None:
        with pytest.raises(ImportError, match=r"refimpl\[gpu\]"):
            refimpl.set_backend("cupy")
        with pytest.raises(ImportError, match="CuPy"):
            with refimpl.use_backend("cupy"):
                pass  # pragma: no cover
        assert refimpl.get_backend() == "numpy"  # a failed switch leaves the backend alone


# -- the rules of every function ----------------------------------------------------------------


class TestNamespaces:
    """The array namespace of the result: the arrays', else the backend's."""

    def test_arrays_decide_their_namespace_whatever_the_backend(self, xp: Any) -> None:
        with refimpl.use_backend("numpy"):
            out = refimpl.duplicated_padding(xp.asarray([1.0, 2.0]), 2, 2, 2, 1)
        assert namespace_name(out) == xp.__name__

    def test_lists_mixed_with_arrays_follow_the_arrays(self, xp: Any) -> None:
        out = refimpl.dual_lphm_fusion([[[1.0, 1.0]], xp.asarray([[1.0, 1.0]])], [1.0] * 7, p=2, q=1, r=1)
        assert namespace_name(out) == xp.__name__
        np.testing.assert_array_equal(to_numpy(out), [[4.0, 4.0]])

    def test_a_numpy_array_with_a_list_beside_it_still_works(self) -> None:
        out = refimpl.dual_lphm_fusion([np.ones((1, 2))], [1.0] * 6, p=1, r=1)
        assert isinstance(out, np.ndarray)
        np.testing.assert_array_equal(out, [[2.0, 2.0]])

    def test_lists_alone_go_to_the_backend(self) -> None:
        # With no array input, the backend gives the namespace and the device.
        out = refimpl.duplicated_padding([1.0, 2.0], 2, 2, 2, 1)
        assert isinstance(out, np.ndarray) and out.dtype == np.float64
        out = _fuse([[1, 1]], [1] * 6)
        assert isinstance(out, np.ndarray) and out.dtype == np.float64


class TestDtypes:
    """The dtype of the result (``refimpl._xp._cast_to_common_float``)."""

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
    def test_the_result_dtype_is_the_promotion_of_the_inputs(
        self, X_dtype: Any, w: object, expected: type
    ) -> None:
        # Floats counted as strong where weak or back, a complex list taken for a real one, another
        # default float, the cast left out, or lists counted as strong: the dtype changes.
        X = np.ones((1, 2), dtype=X_dtype)
        out = _fuse(X, w)
        assert out.dtype == expected
        np.testing.assert_allclose(np.real(out), [[2.0, 2.0]])

    def test_a_complex_list_keeps_its_imaginary_part(self) -> None:
        # The complex list must make the result complex, not be cast to the array's real dtype.
        w = [1.0j, 1.0, 1.0, 1.0, 1.0, 1.0]  # one factor imaginary: W = 1j everywhere
        out = refimpl.dual_lphm_fusion([np.ones((1, 2), np.float32)], w, p=1, r=1)
        assert out.dtype == np.complex64
        np.testing.assert_allclose(out, [[2.0j, 2.0j]])

    def test_integer_arrays_of_array_api_strict_take_the_default_float(self) -> None:
        xps = pytest.importorskip("array_api_strict")
        out = _fuse(xps.ones((1, 2), dtype=xps.int64), xps.ones(6, dtype=xps.int32))
        assert out.dtype == xps.float64

    def test_the_default_float_is_the_device_s(self) -> None:
        # The default float of the arrays' device, not of the default device: array_api_strict's
        # 'no_float64' device has float32 as its default float.
        xps = pytest.importorskip("array_api_strict")
        info = xps.__array_namespace_info__()
        devices = [d for d in info.devices() if info.default_dtypes(device=d)["real floating"] == xps.float32]
        if not devices:
            pytest.skip("this array_api_strict has no device whose default float is float32")
        device = devices[0]
        out = _fuse(xps.ones((1, 2), dtype=xps.int64, device=device), [1] * 6)
        assert out.dtype == xps.float32
        assert out.device == device


class TestPlainNumpy:
    """The short path of ``namespace_and_arrays`` for plain NumPy arrays of one floating dtype
    gives what the general path gives: the same namespace, the same arrays (not copies)."""

    @given(
        kinds=st.lists(
            st.sampled_from(
                [
                    "float16",
                    "float32",
                    "float64",
                    "complex64",
                    "complex128",
                    "int64",
                    "bool",
                    "masked",
                    "subclass",
                ]
            ),
            min_size=1,
            max_size=4,
        )
    )
    def test_it_agrees_with_the_general_path(self, kinds: list[str]) -> None:
        objs = tuple(_array_of(kind) for kind in kinds)
        try:
            general = _xp._found_and_cast(objs)
        except TypeError as error:  # masked arrays are refused by both, with one message
            with pytest.raises(TypeError, match=re.escape(str(error))):
                _xp.namespace_and_arrays(*objs)
            return
        xp, arrays = _xp.namespace_and_arrays(*objs)
        assert xp is general[0]
        assert [a.dtype for a in arrays] == [a.dtype for a in general[1]]
        assert all(type(a) is type(b) for a, b in zip(arrays, general[1]))
        assert all((a is x) == (b is x) for a, b, x in zip(arrays, general[1], objs))

    def test_it_is_taken_only_for_one_floating_dtype(self) -> None:
        # Taken for float arrays of one dtype; not for mixed floats, integers, masks, subclasses.
        f64 = np.ones(2)
        assert _xp._plain_numpy((f64, np.ones(3)))
        assert _xp._plain_numpy((np.ones(2, np.complex64),))
        assert not _xp._plain_numpy(())
        assert not _xp._plain_numpy((f64, np.ones(2, np.float32)))
        assert not _xp._plain_numpy((np.ones(2, np.int64),))
        assert not _xp._plain_numpy((f64, np.ma.masked_array(f64)))
        assert not _xp._plain_numpy((f64, [1.0, 2.0]))
        assert not _xp._plain_numpy((f64, f64.view(_Subclass)))


def _array_of(kind: str) -> Any:
    if kind == "masked":
        return np.ma.masked_array(np.ones(2))
    if kind == "subclass":
        return np.ones(2).view(_Subclass)
    return np.ones(2, dtype=kind)


class _Subclass(np.ndarray):
    """A subclass of ``numpy.ndarray``: the short path leaves it to the general one."""


class TestDevices:
    """The device of the result: the inputs' one device."""

    def test_a_list_beside_an_array_on_another_device_goes_to_that_device(self) -> None:
        # A list made on the default device fails here: array_api_strict refuses arithmetic between
        # devices, and the result must stay on the array's device.
        xps = pytest.importorskip("array_api_strict")
        device = xps.Device("device1")
        X = xps.asarray([[1.0, 1.0]], device=device)
        out = refimpl.dual_lphm_fusion([X], [1.0] * 6, p=1, r=1)
        assert out.device == device
        np.testing.assert_array_equal(
            np.asarray(xps.asarray(out, device=xps.Device("CPU_DEVICE"))), [[2.0, 2.0]]
        )

    def test_operators_keep_the_device_of_their_pieces(self) -> None:
        xps = pytest.importorskip("array_api_strict")
        device = xps.Device("device1")
        X = xps.ones((2, 4), device=device)
        for op in (
            dual_lphm_operator(xps.ones(8, device=device), 4, 4, 2, 2, 1),
            duplicated_padding_operator(xps.ones(4, device=device), 4, 4, 2),
            duplicated_diagonal_padding_operator(xps.ones(4, device=device), 4, 4, 2),
        ):
            assert op.rmatmul(X).device == device
            assert op.matmul(xps.ones((4, 3), device=device)).device == device
        fused = dual_lphm_fusion([X], xps.ones(8, device=device), p=2, r=1)
        assert fused.device == device
        with pytest.raises(refimpl.RefimplError, match="one device"):
            dual_lphm_operator(xps.ones(8, device=device), 4, 4, 2, 2, 1).rmatmul(xps.ones((2, 4)))

    @pytest.mark.parametrize(("n", "D", "p", "q"), [(4, 9, 2, 3), (6, 4, 3, 2), (2, 6, 1, 3), (4, 4, 2, 2)])
    def test_the_dense_diagonal_padding_and_its_operator_stay_on_the_device_of_w(
        self, n: int, D: int, p: int, q: int
    ) -> None:
        # p != q: the dense branch's eye and zeros, and the zeros the diagonal operator appends when
        # p < q, are made on w's device; made without device=, they land on the default one.
        xps = pytest.importorskip("array_api_strict")
        device = xps.Device("device1")
        w_np = np.arange(1.0, duplicated_padding_l(n, D, p, q) + 1.0)
        expected = loop_padding(w_np, n, D, p, q, diagonal=True)
        w = xps.asarray(w_np, device=device)

        psi = duplicated_diagonal_padding(w, n, D, p, q, format="dense")
        assert psi.device == device
        same(psi, expected)

        op = duplicated_diagonal_padding_operator(w, n, D, p, q)
        X_np = np.arange(1.0, 3.0 * n + 1.0).reshape(3, n)
        out = op.rmatmul(xps.asarray(X_np, device=device))
        assert out.device == device
        same(out, X_np @ expected)
        Y_np = np.arange(1.0, 2.0 * D + 1.0).reshape(D, 2)
        out = op @ xps.asarray(Y_np, device=device)  # op.T has p and q swapped: both branches run
        assert out.device == device
        same(out, expected @ Y_np)
        dense = op.toarray()
        assert dense.device == device
        same(dense, expected)

    def test_a_traced_jax_array_has_no_device_yet_and_joins_the_others(self) -> None:
        # A device of None (a JAX array traced by jax.vjp) counted as a device of its own makes
        # refimpl refuse every fusion under JAX autodiff ("devices [None, cpu]").
        jax = pytest.importorskip("jax", reason="JAX is not installed (pip install jax)")
        jnp = jax.numpy
        jax.config.update("jax_enable_x64", True)
        w_np = np.arange(1.0, dual_lphm_fusion_l([2, 2], 4, 2, 2, 1) + 1.0)
        X_np = np.arange(1.0, 7.0).reshape(3, 2)
        expected = np.concatenate([X_np, X_np + 1.0], axis=1) @ loop_dual_lphm(w_np, 4, 4, 2, 2, 1)

        def fusion(w: Any) -> Any:
            return dual_lphm_fusion([jnp.asarray(X_np), jnp.asarray(X_np + 1.0)], w, p=2, q=2, r=1, n=4)

        out, _ = jax.vjp(fusion, jnp.asarray(w_np))
        same(out, expected)

    def test_inputs_that_are_all_traced_have_no_device_and_still_compute(self) -> None:
        # With every array traced (no device known at all), taking the device from an empty list
        # of devices raises IndexError: the device must be None.
        jax = pytest.importorskip("jax", reason="JAX is not installed (pip install jax)")
        jax.config.update("jax_enable_x64", True)
        w_np = np.arange(1.0, dual_lphm_l(4, 4, 2, 2, 1) + 1.0)
        out, _ = jax.vjp(lambda w: dual_lphm(w, 4, 4, 2, 2, 1), jax.numpy.asarray(w_np))
        same(out, loop_dual_lphm(w_np, 4, 4, 2, 2, 1))


# -- imports ------------------------------------------------------------------------------------


class TestImports:
    def test_importing_and_computing_loads_nothing_gpu_related(self) -> None:
        code = (
            "import sys, refimpl\n"
            "refimpl.duplicated_diagonal_padding([1.0, 2.0, 3.0, 4.0], 4, 4, 2, format='csr')\n"
            "refimpl.dual_lphm_fusion([[[1.0, 1.0]]], [1.0] * 6, p=1, r=1)\n"
            "loaded = sorted(m for m in ('cupy', 'cupyx', 'torch', 'array_api_compat.cupy') if m in sys.modules)\n"
            "print(loaded)\n"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert result.stdout.strip() == "[]"
