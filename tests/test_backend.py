"""The backend switch, namespace discovery and lazy imports."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import threading
from typing import Any

import numpy as np
import pytest

import refimpl

from ._support import namespace_name, to_numpy

HAS_CUPY = importlib.util.find_spec("cupy") is not None


def test_default_backend_is_numpy() -> None:
    assert refimpl.get_backend() == "numpy"


def test_use_backend_overrides_then_restores_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from refimpl import _xp

    monkeypatch.setattr(_xp, "_default_backend", "cupy")  # the name only: nothing imported
    assert refimpl.get_backend() == "cupy"
    with refimpl.use_backend("numpy"):
        assert refimpl.get_backend() == "numpy"
        assert isinstance(refimpl.duplicated_padding([1.0, 2.0], 2, 2, 2, 1), np.ndarray)
    assert refimpl.get_backend() == "cupy"


def test_use_backend_is_local_to_its_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    from refimpl import _xp

    monkeypatch.setattr(_xp, "_default_backend", "cupy")
    seen: list[str] = []
    with refimpl.use_backend("numpy"):
        thread = threading.Thread(target=lambda: seen.append(refimpl.get_backend()))
        thread.start()
        thread.join()
    assert seen == ["cupy"]  # the other thread sees the default, not this block's backend


@pytest.mark.skipif(HAS_CUPY, reason="CuPy is installed here: the missing-CuPy error cannot happen")
def test_cupy_backend_without_cupy_is_a_clear_import_error() -> None:
    with pytest.raises(ImportError, match=r"refimpl\[gpu\]"):
        refimpl.set_backend("cupy")
    with pytest.raises(ImportError, match="CuPy"):
        with refimpl.use_backend("cupy"):
            pass  # pragma: no cover
    assert refimpl.get_backend() == "numpy"  # a failed switch leaves the backend alone


def test_arrays_decide_their_namespace_whatever_the_backend(xp: Any) -> None:
    with refimpl.use_backend("numpy"):
        out = refimpl.duplicated_padding(xp.asarray([1.0, 2.0]), 2, 2, 2, 1)
    assert namespace_name(out) == xp.__name__


def test_lists_mixed_with_arrays_follow_the_arrays(xp: Any) -> None:
    out = refimpl.dual_lphm_fusion([[[1.0, 1.0]], xp.asarray([[1.0, 1.0]])], [1.0] * 7, p=2, q=1, r=1)
    assert namespace_name(out) == xp.__name__
    np.testing.assert_array_equal(to_numpy(out), [[4.0, 4.0]])


@pytest.mark.skipif(not HAS_CUPY, reason="CuPy is not installed")
def test_cupy_backend_turns_lists_into_cupy_arrays() -> None:  # pragma: no cover (GPU only)
    cupy = pytest.importorskip("cupy")
    with refimpl.use_backend("cupy"):
        out = refimpl.duplicated_padding([1.0, 2.0], 2, 2, 2, 1)
        sparse = refimpl.duplicated_diagonal_padding([1.0, 2.0], 2, 2, 2, 1, format="csr")
    assert isinstance(out, cupy.ndarray)
    assert type(sparse).__module__.startswith("cupyx")


def test_importing_and_computing_loads_nothing_gpu_related() -> None:
    code = (
        "import sys, refimpl\n"
        "refimpl.duplicated_diagonal_padding([1.0, 2.0, 3.0, 4.0], 4, 4, 2, format='csr')\n"
        "refimpl.dual_lphm_fusion([[[1.0, 1.0]]], [1.0] * 6, p=1, r=1)\n"
        "loaded = sorted(m for m in ('cupy', 'cupyx', 'torch', 'array_api_compat.cupy') if m in sys.modules)\n"
        "print(loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
