"""``backend="auto"``: the array library a candidate works in, found by a tiny call in each.

NumPy first; then the libraries already imported (the candidate's module imported its own),
then the others installed; CuPy only once imported (nothing GPU-related is imported to look).
A library is chosen when the candidate returns an output there (whatever it did to its
arguments: that is a clause of the check, not of the library), and it holds the check's dtypes; when NumPy inputs come back
as another library's array (a PyTorch layer that converts its inputs), that library is tried
next. With gradients judged, only the libraries with autodiff (PyTorch, JAX) are tried.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import sys
import warnings
from types import ModuleType
from typing import Any

from ...functions import Function
from ._candidates import Candidate, backend_namespace, in_backend
from ._edges import edge_cases
from ._harness import quiet, raised
from ._reproduction import Settings

__all__ = ["choose_backend", "holds", "library_of", "promotes_in_matmul"]

_ORDER = ("numpy", "torch", "jax", "array_api_strict", "cupy")
_NAMES = {
    "numpy": "NumPy",
    "torch": "PyTorch",
    "jax": "JAX",
    "array_api_strict": "array_api_strict",
    "cupy": "CuPy",
}
_MODULES = {
    "numpy": "numpy",
    "torch": "torch",
    "jax": "jax",
    "array_api_strict": "array_api_strict",
    "cupy": "cupy",
}


def choose_backend(candidate: Candidate, spec: Function, settings: Settings) -> tuple[str, str]:
    """``(backend, why)``: the first library whose tiny call returns, and what each call did."""
    probe = edge_cases(spec, Settings(dtypes=("float32",)), candidate.optional)[0]
    order = [b for b in _ORDER if _available(b) and (not settings.judges_gradients or b in ("torch", "jax"))]
    notes: list[str] = []

    def works(backend: str) -> str | None:
        """The library of the output for this backend's inputs, ``None`` when the call raised."""
        try:
            xp = backend_namespace(backend)
            if not holds(xp, settings.dtypes):
                notes.append(f"{_NAMES[backend]} cannot hold dtypes {', '.join(settings.dtypes)} here")
                return None
            with quiet():
                inputs = in_backend(xp, copy.deepcopy(probe.inputs))
                return library_of(candidate.session(probe.config, probe.omitted)(inputs)[0])
        except Exception as exc:
            notes.append(f"with {_NAMES[backend]} inputs it raised {raised(exc)}"[:200])
            return None

    for backend in order:
        library = works(backend)
        if library is None:
            continue
        if backend == "numpy" and library != "numpy" and library in order:
            notes.append(f"NumPy inputs came back as a {_NAMES[library]} array")
            if works(library) is not None:
                backend = library
        notes.append(f"{_NAMES[backend]} inputs work")
        return backend, "auto: " + "; ".join(notes)
    return "numpy", "auto: no library's inputs worked (" + "; ".join(notes) + "), so NumPy's"


def promotes_in_matmul(xp: ModuleType) -> bool:
    """Whether ``xp``'s matrix product takes float32 with float64 (NumPy, JAX, the array API
    standard promote; PyTorch refuses, so code written for it never meets mixed dtypes)."""
    name = xp.__name__.removeprefix("array_api_compat.")  # the library itself, not the compat layer
    native = importlib.import_module(name) if name != xp.__name__ else xp
    try:
        with warnings.catch_warnings():  # JAX without 64-bit mode warns that float64 is float32
            warnings.simplefilter("ignore")
            native.matmul(
                native.ones((1, 1), dtype=native.float32), native.ones((1, 1), dtype=native.float64)
            )
    except Exception:
        return False
    return True


def holds(xp: Any, dtypes: tuple[str, ...]) -> bool:
    """Whether the namespace ``xp`` holds every dtype of ``dtypes`` (JAX holds no float64 unless
    its 64-bit mode is on)."""
    info = getattr(xp, "__array_namespace_info__", None)
    return info is None or {str(d) for d in dtypes} <= {str(name) for name in info().dtypes()}


def _available(backend: str) -> bool:
    if backend == "cupy":
        return "cupy" in sys.modules
    return _MODULES[backend] in sys.modules or importlib.util.find_spec(_MODULES[backend]) is not None


def library_of(out: Any) -> str:
    """The backend an output belongs to: its type's top module (SciPy's arrays count as NumPy's).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from refimpl.oracle.check._auto import library_of
    >>> library_of(np.ones(2)), library_of(sp.eye_array(2)), library_of([1.0])
    ('numpy', 'numpy', 'numpy')
    """
    top = type(out).__module__.partition(".")[0]
    return {"scipy": "numpy", "jaxlib": "jax", "cupyx": "cupy"}.get(top, top if top in _ORDER else "numpy")
