"""Array namespaces: which library computes, on which device, in which dtype.

The namespace of a call is found from its array inputs (``array_api_compat.array_namespace``),
so NumPy, CuPy, PyTorch, ``array_api_strict`` and Dask arrays all take the same code path and
get their result back in their own library and on their own device. Inputs that carry no
namespace (Python lists and scalars, the command line) go to the *backend*: NumPy unless
:func:`set_backend` or :func:`use_backend` say CuPy.

CuPy is imported only when a CuPy array arrives or the CuPy backend is chosen: nothing
GPU-related is imported on a machine that does not use it.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator
from types import ModuleType
from typing import Any, Literal

import array_api_compat
import numpy as np

from ._validation import RefimplError

__all__ = [
    "BackendName",
    "get_backend",
    "namespace_and_arrays",
    "set_backend",
    "sparse_module",
    "use_backend",
]

BackendName = Literal["numpy", "cupy"]
_BACKENDS: tuple[str, ...] = ("numpy", "cupy")

_default_backend: str = "numpy"
_context_backend: contextvars.ContextVar[str | None] = contextvars.ContextVar("refimpl_backend", default=None)


def _checked_backend(name: Any) -> str:
    if not isinstance(name, str):
        raise TypeError(f"backend must be one of {_BACKENDS}, got {name!r} of type {type(name).__name__}")
    if name not in _BACKENDS:
        raise RefimplError(f"backend must be one of {_BACKENDS}, got {name!r}")
    _backend_namespace(name)  # fail now, not at the first call, if CuPy is missing
    return name


def _backend_namespace(name: str) -> ModuleType:
    xp: ModuleType  # either of two modules, bound by the imports below
    if name == "cupy":
        try:
            import array_api_compat.cupy as xp
        except ImportError as exc:
            raise ImportError(
                f"backend 'cupy' needs CuPy and a CUDA device; install refimpl[gpu] (import failed: {exc})"
            ) from exc
        return xp
    import array_api_compat.numpy as xp

    return xp


def backend_namespace() -> ModuleType:
    """The array namespace of the current backend."""
    return _backend_namespace(get_backend())


def get_backend() -> str:
    """Return the backend used for inputs that carry no array namespace.

    Returns
    -------
    str
        ``"numpy"`` or ``"cupy"``: the innermost :func:`use_backend` context if one is
        active, otherwise the process-wide default set by :func:`set_backend`.

    Examples
    --------
    >>> import refimpl
    >>> refimpl.get_backend()
    'numpy'
    """
    return _context_backend.get() or _default_backend


def set_backend(name: BackendName) -> None:
    """Set the process-wide backend for inputs that carry no array namespace.

    Arrays always decide for themselves (a PyTorch tensor is computed with PyTorch); the
    backend only decides what Python lists, scalars and the command line are turned into.

    Parameters
    ----------
    name : {"numpy", "cupy"}
        ``"cupy"`` computes on the GPU and needs CuPy (``pip install refimpl[gpu]``).

    Raises
    ------
    RefimplError
        If ``name`` is not a known backend.
    ImportError
        If ``name`` is ``"cupy"`` and CuPy cannot be imported.

    Examples
    --------
    >>> import refimpl
    >>> refimpl.set_backend("numpy")
    >>> type(refimpl.duplicated_padding([1.0, 2.0], n=2, D=2, p=2, q=1)).__module__
    'numpy'
    """
    global _default_backend
    _default_backend = _checked_backend(name)


@contextlib.contextmanager
def use_backend(name: BackendName) -> Iterator[None]:
    """Use a backend inside a ``with`` block, then restore the previous one.

    The choice is held in a :class:`contextvars.ContextVar`, so threads and asyncio tasks
    each see their own.

    Parameters
    ----------
    name : {"numpy", "cupy"}
        The backend for inputs that carry no array namespace.

    Yields
    ------
    None
        Inside the block, :func:`get_backend` returns ``name``.

    Examples
    --------
    >>> import refimpl
    >>> with refimpl.use_backend("numpy"):
    ...     print(refimpl.get_backend())
    numpy
    """
    token = _context_backend.set(_checked_backend(name))
    try:
        yield
    finally:
        _context_backend.reset(token)


def _library_name(x: Any) -> str:
    return type(x).__module__.split(".")[0]


def namespace_and_arrays(*objs: Any) -> tuple[ModuleType, list[Any]]:
    """Return the common namespace of ``objs`` and ``objs`` as arrays of one floating dtype.

    * The namespace is the one of the array inputs; with none, the backend's.
    * Non-array inputs (lists, scalars) become arrays of that namespace, on the arrays' device.
    * The dtype is the promotion of the floating arrays' dtypes; integer and bool inputs are
      promoted to it, or to the namespace's default floating dtype when no array is floating.
      Lists are weak, like Python scalars: float32 arrays with a list ``w`` stay float32.

    Raises
    ------
    TypeError
        For arrays from several libraries, inputs whose dtype is not numeric, or masked
        arrays (``numpy.ma``).
    RefimplError
        For arrays on several devices.
    """
    if _plain_numpy(objs):  # what a typical call has: nothing to find, move or promote
        return _numpy_namespace(), list(objs)
    return _found_and_cast(objs)


def _found_and_cast(objs: tuple[Any, ...]) -> tuple[ModuleType, list[Any]]:
    """:func:`namespace_and_arrays` for any inputs: the general path."""
    arrays = [x for x in objs if array_api_compat.is_array_api_obj(x)]
    for x in arrays:
        _refuse_masked(x)
    if arrays:
        try:
            xp = array_api_compat.array_namespace(*arrays)
        except TypeError:
            libraries = sorted({_library_name(x) for x in arrays})
            raise TypeError(
                f"all array inputs must come from one array library, got arrays from {libraries}; "
                "convert them to one library first"
            ) from None
        # A device of None is no device yet (a JAX array traced under jax.vjp or jax.jit): it
        # goes with any device, and the arrays take the others' device.
        devices = []
        for x in arrays:
            d = array_api_compat.device(x)
            if d is not None and d not in devices:
                devices.append(d)
        if len(devices) > 1:
            raise RefimplError(f"all array inputs must be on one device, got devices {devices}")
        device = devices[0] if devices else None
    else:
        xp = backend_namespace()
        device = None
    out = [x if array_api_compat.is_array_api_obj(x) else _asarray(xp, x, device) for x in objs]
    weak = [not array_api_compat.is_array_api_obj(x) for x in objs]
    return xp, _cast_to_common_float(xp, out, weak, device)


def _plain_numpy(objs: tuple[Any, ...]) -> bool:
    """Whether ``objs`` are NumPy arrays (exactly ``numpy.ndarray``: no mask, no subclass) of one
    floating dtype: the general path of :func:`namespace_and_arrays` would return them as they
    are, in NumPy's namespace, and this finds it in a few attribute reads."""
    if not objs or any(type(x) is not np.ndarray for x in objs):
        return False
    dtype = objs[0].dtype
    return dtype.kind in "fc" and all(x.dtype == dtype for x in objs)


@functools.cache
def _numpy_namespace() -> ModuleType:
    """The namespace ``array_api_compat.array_namespace`` gives NumPy arrays."""
    return array_api_compat.array_namespace(np.empty(0))


def _refuse_masked(x: Any) -> None:
    """Masked arrays (``numpy.ma``) are refused, whatever their mask.

    SPEC has no missing entries, and NumPy's functions keep the mask (``tile``) or drop it
    (``where``, ``matmul``) case by case: a masked ``w`` would come back masked from some
    functions and silently unmasked from others. The caller chooses instead.
    """
    if isinstance(x, np.ma.MaskedArray):
        raise TypeError(
            "masked arrays (numpy.ma) are not accepted: refimpl has no missing entries, and "
            "NumPy keeps or drops a mask function by function; pass x.filled(value) to choose "
            "what a masked entry is, or numpy.ma.getdata(x) to ignore the mask"
        )


def _asarray(xp: ModuleType, x: Any, device: Any) -> Any:
    try:
        return xp.asarray(x, device=device)
    except ValueError as exc:  # ragged nested lists
        raise RefimplError(f"could not make an array of the {type(x).__name__} given: {exc}") from None


def _cast_to_common_float(xp: ModuleType, arrays: list[Any], weak: list[bool], device: Any) -> list[Any]:
    """Cast to the promotion of the floating arrays' dtypes (see :func:`namespace_and_arrays`).

    Inputs converted from Python lists are *weak*, like Python scalars in NumPy 2: they take
    the arrays' precision, and only make the result complex if they are complex themselves.
    """
    strong, weak_kinds = [], set()
    for x, is_weak in zip(arrays, weak):
        kind = _kind(xp, x.dtype)
        if kind in ("real", "complex"):
            if is_weak:
                weak_kinds.add(kind)
            else:
                strong.append(x.dtype)
        elif kind != "integral":
            raise TypeError(f"inputs must have a numeric dtype, got an array of dtype {x.dtype}")
    if not strong:
        dtype = xp.__array_namespace_info__().default_dtypes(device=device)["real floating"]
    elif all(d == strong[0] for d in strong):
        dtype = strong[0]  # one dtype: nothing to promote (what a typical call has)
    else:
        dtype = xp.result_type(*strong)
    if "complex" in weak_kinds and not xp.isdtype(dtype, "complex floating"):
        dtype = xp.result_type(dtype, xp.complex64)
    return [x if x.dtype == dtype else xp.astype(x, dtype) for x in arrays]


def _kind(xp: ModuleType, dtype: Any) -> str:
    """``"real"``, ``"complex"``, ``"integral"`` (bool too) or ``"other"``: the kind of a dtype,
    remembered per dtype (a dtype belongs to one library, and its kind does not change)."""
    key = (type(dtype), dtype)  # the type first: dtypes of two libraries are never compared
    try:
        return _KINDS[key]
    except (KeyError, TypeError):  # not seen yet, or a dtype that cannot be a key
        pass
    if xp.isdtype(dtype, "real floating"):
        kind = "real"
    elif xp.isdtype(dtype, "complex floating"):
        kind = "complex"
    elif xp.isdtype(dtype, ("integral", "bool")):
        kind = "integral"
    else:
        kind = "other"
    with contextlib.suppress(TypeError):
        _KINDS[key] = kind
    return kind


_KINDS: dict[tuple[type, Any], str] = {}


def sparse_module(xp: ModuleType) -> ModuleType | None:
    """Return the SciPy-style sparse module of a namespace, or ``None`` if it has none."""
    if array_api_compat.is_numpy_namespace(xp):
        import scipy.sparse

        return scipy.sparse  # type: ignore[no-any-return]  # SciPy ships no types: the module is Any
    if array_api_compat.is_cupy_namespace(xp):
        import cupyx.scipy.sparse

        return cupyx.scipy.sparse  # type: ignore[no-any-return]  # CuPy ships no types: the module is Any
    return None


def writes_in_place(x: Any) -> bool:
    """Whether a product can be written straight into an array like ``x`` (``out=``): NumPy
    and CuPy arrays. Other libraries' products are computed, then assigned (PyTorch's ``out=``
    does not record gradients; the array API standard has no ``out=``)."""
    return array_api_compat.is_numpy_array(x) or array_api_compat.is_cupy_array(x)


def write_product(
    xp: ModuleType, name: Literal["matmul", "multiply"], x1: Any, x2: Any, n: int, out: Any, a: int, b: int
) -> Any:
    """``name(x1, x2)`` (arrays of ``xp``) as rows ``a:b`` of a 2-D result of width ``n``.

    With ``out=None`` the product is returned, reshaped so. Otherwise it is written into
    ``out[a:b, :]`` (a C-contiguous array's rows, which ``reshape`` views without a copy):
    straight from the BLAS or the ufunc where :func:`writes_in_place`, else computed and
    assigned. Nothing is returned then.
    """
    if out is not None and writes_in_place(out):
        lib: Any = np
        if not array_api_compat.is_numpy_array(out):
            import cupy  # a CuPy array exists: CuPy is already imported

            lib = cupy
        shape = np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2]) + (x1.shape[-2], x2.shape[-1])
        if name == "multiply":
            shape = np.broadcast_shapes(x1.shape, x2.shape)
        getattr(lib, name)(x1, x2, out=out[a:b].reshape(shape))
        return None
    result = xp.reshape(getattr(xp, name)(x1, x2), (b - a, n))
    if out is None:
        return result
    out[a:b, :] = result
    return None
