"""Arrays: parameter vectors and fusion inputs in any array namespace, and whole cases.

Arrays come from :mod:`hypothesis.extra.numpy` for NumPy (the default) and from
:func:`hypothesis.extra.array_api.make_strategies_namespace` for any other array-API namespace
(``array_api_strict``, ``array_api_compat.torch``, ...).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

import array_api_compat
import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import HypothesisWarning
from hypothesis.extra import array_api as hxa
from hypothesis.extra import numpy as hnp

from ..._validation import RefimplError
from ...functions import Function, get_function, leading_shape
from ...shapes import input_widths
from ._configurations import Bounds, bounds, non_negative, short, valid_configurations

__all__ = ["MAX_MAGNITUDE", "cases", "fusion_inputs", "parameter_vectors"]

#: Default bound on the magnitude of generated entries: sums of a few thousand products of
#: such numbers stay far from overflow, even in float16.
MAX_MAGNITUDE = 4


# -- arrays ----------------------------------------------------------------------------------


def _namespace(xp: ModuleType | None) -> tuple[ModuleType, Callable[..., st.SearchStrategy[Any]]]:
    """``(info, arrays)``: an array-API namespace for dtype queries and a ``(dtype, shape, elements)
    -> strategy`` function, for NumPy (``xp=None``) or any array-API namespace."""
    if xp is not None and not isinstance(xp, ModuleType):
        raise TypeError(f"xp must be an array namespace (a module) or None, got {type(xp).__name__}")
    if xp is None or array_api_compat.is_numpy_namespace(xp):
        import array_api_compat.numpy as np_xp

        return np_xp, hnp.arrays
    with warnings.catch_warnings():
        # array_api_compat's wrappers (torch, cupy) are array-API namespaces whose arrays do not
        # carry __array_namespace__, which Hypothesis checks for and warns about.
        warnings.filterwarnings("ignore", "Could not determine whether module", HypothesisWarning)
        return xp, hxa.make_strategies_namespace(xp).arrays  # Hypothesis keeps one per namespace


def _dtype(info: ModuleType, dtype: Any) -> Any:
    """The dtype object of the name ``dtype`` in the namespace ``info`` (objects pass through)."""
    if array_api_compat.is_numpy_namespace(info):
        try:
            return np.dtype(dtype)
        except TypeError:
            raise RefimplError(f"dtype must name a NumPy dtype, got {dtype!r}") from None
    if not isinstance(dtype, str):
        return dtype
    if not hasattr(info, dtype):
        raise RefimplError(f"dtype must name a dtype of {info.__name__}, got {dtype!r}")
    return getattr(info, dtype)


def _default_elements(info: ModuleType, dtype: Any) -> st.SearchStrategy[Any]:
    """Finite values of magnitude at most :data:`MAX_MAGNITUDE`, no subnormals."""
    if info.isdtype(dtype, "bool"):
        return st.booleans()
    if info.isdtype(dtype, "signed integer"):
        return st.integers(-MAX_MAGNITUDE, MAX_MAGNITUDE)
    if info.isdtype(dtype, "unsigned integer"):
        return st.integers(0, MAX_MAGNITUDE)
    bits = info.finfo(dtype).bits  # of the real part, for complex dtypes
    if info.isdtype(dtype, "real floating"):
        return st.floats(-MAX_MAGNITUDE, MAX_MAGNITUDE, width=bits, allow_subnormal=False)
    return st.complex_numbers(  # a margin: the parts' rounding can carry |z| just past the bound
        max_magnitude=MAX_MAGNITUDE * (1 - 2**-16),
        allow_nan=False,
        allow_infinity=False,
        allow_subnormal=False,
        width=2 * bits,
    )


def _arrays(
    xp: ModuleType | None, dtype: Any, shape: tuple[int, ...], elements: Any
) -> st.SearchStrategy[Any]:
    info, arrays = _namespace(xp)
    dtype = _dtype(info, dtype)
    if elements is None:
        # Every entry drawn on its own, never a fill value repeated over most of the array (a
        # layout mistake shows only where entries differ); floats and complex all distinct.
        distinct = info.isdtype(dtype, ("real floating", "complex floating"))
        return arrays(
            dtype, shape, elements=_default_elements(info, dtype), fill=st.nothing(), unique=distinct
        )
    if not isinstance(elements, (st.SearchStrategy, Mapping)):
        raise TypeError(
            f"elements must be a strategy, a dict of from_dtype arguments or None, got {elements!r}"
        )
    return arrays(dtype, shape, elements=elements)


def _tagged(info: ModuleType, dtype: Any, length: int) -> Any:
    """``1, 2, ..., length`` in ``dtype``: a fresh array each call."""
    return info.astype(info.arange(1, length + 1), dtype)


def _tagged_vectors(xp: ModuleType | None, dtype: Any, length: int) -> st.SearchStrategy[Any]:
    """The one example ``1, 2, ..., length``, if ``dtype`` holds those integers exactly."""
    info, _ = _namespace(xp)
    dtype = _dtype(info, dtype)
    if info.isdtype(dtype, "bool"):
        raise TypeError("tagged=True needs a numeric dtype, got bool")
    if info.isdtype(dtype, "integral"):
        exact = int(info.iinfo(dtype).max)
    else:
        exact = round(2 / float(info.finfo(dtype).eps))  # 2**(mantissa bits + 1)
    if length > exact:
        raise RefimplError(
            f"tagged=True needs l <= {exact} for {dtype} (the integers it represents exactly), got l={length}"
        )
    return st.builds(_tagged, st.just(info), st.just(dtype), st.just(length))


def parameter_vectors(
    function: str | Function,
    config: Mapping[str, Any],
    *,
    dtype: Any = "float64",
    xp: ModuleType | None = None,
    elements: Any = None,
    tagged: bool = False,
) -> st.SearchStrategy[Any]:
    """Return a strategy of parameter vectors ``w`` of shape ``(l,)`` for one configuration.

    ``l = FUNCTIONS[function].l(config)``. The default entries are finite, of magnitude at most
    :data:`MAX_MAGNITUDE` and never subnormal, so that the sums in the functions cannot
    overflow; pass ``elements`` for others (NaN and infinity included).

    Parameters
    ----------
    function : str or Function
        A name from ``refimpl.functions.FUNCTIONS``.
    config : dict
        A valid configuration of ``function`` (see :func:`configs`).
    dtype : str or dtype, default "float64"
        A dtype name of the namespace (``"float32"``, ``"complex128"``, an integer or
        ``"bool"``...), or a dtype object of it.
    xp : module, optional
        The array namespace: NumPy by default, or any array-API namespace (``array_api_strict``...).
    elements : strategy or dict, optional
        The entries: a strategy of Python scalars, or a dict of arguments for Hypothesis'
        ``from_dtype`` (``{"allow_nan": True}``...).
    tagged : bool, default False
        With ``True`` the one example is ``w = 1, 2, ..., l`` (a fresh array each draw): each
        entry of an output then says which entry of ``w`` it holds.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of array
        Arrays of shape ``(l,)`` of namespace ``xp`` and dtype ``dtype``.

    Raises
    ------
    RefimplError
        If ``config`` is invalid, ``dtype`` unknown to ``xp``, or (``tagged``) ``l`` beyond ``dtype``'s exact integers.
    TypeError
        If ``xp`` is not a module, ``elements`` not a strategy or dict, or ``dtype`` bool with ``tagged``.

    See Also
    --------
    fusion_inputs : The inputs of the fusions.

    Examples
    --------
    >>> from hypothesis import find, settings
    >>> from refimpl import duplicated_padding
    >>> from refimpl.strategies import parameter_vectors
    >>> config = {"n": 4, "D": 6, "p": 2, "q": 3}
    >>> tagged = parameter_vectors("duplicated_padding", config, tagged=True)
    >>> tags = find(tagged, lambda w: True, settings=settings(database=None))
    >>> print(duplicated_padding(tags, **config))
    [[1. 2. 1. 2. 1. 2.]
     [3. 4. 3. 4. 3. 4.]
     [1. 2. 1. 2. 1. 2.]
     [3. 4. 3. 4. 3. 4.]]
    """
    length = get_function(function).l(dict(config))
    if tagged:
        return _tagged_vectors(xp, dtype, length)
    return _arrays(xp, dtype, (length,), elements)


def fusion_inputs(
    config: Mapping[str, Any], *, dtype: Any = "float64", xp: ModuleType | None = None, elements: Any = None
) -> st.SearchStrategy[list[Any]]:
    """Return a strategy of fusion inputs ``[A_1, ..., A_k]`` for one fusion configuration.

    ``A_i`` has shape ``batch + (m, n_i)`` with ``n_i = config["dims"][i]``; the entries are as
    in :func:`parameter_vectors`.

    Parameters
    ----------
    config : dict
        A configuration of ``dual_lphm_fusion`` or ``concatenation_fusion``: it needs ``dims``;
        ``m`` (default 1) and ``batch`` (default ``()``) give the leading shape.
    dtype : str or dtype, default "float64"
        As in :func:`parameter_vectors`.
    xp : module, optional
        As in :func:`parameter_vectors`.
    elements : strategy or dict, optional
        As in :func:`parameter_vectors`.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of list
        Lists of ``k`` arrays of namespace ``xp`` and dtype ``dtype``.

    Raises
    ------
    RefimplError
        If ``dims`` is empty or holds a width that is not positive, ``m`` or a batch dimension
        is negative, or ``dtype`` is not a dtype name of ``xp``.
    TypeError
        If ``dims`` is not a sequence, or a width, ``m`` or a batch dimension is not an integer.

    See Also
    --------
    parameter_vectors : The parameter vector ``w``.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from refimpl.strategies import fusion_inputs
    >>> @given(fusion_inputs({"dims": [2, 3], "n": 2, "m": 4, "batch": (2,)}, dtype="complex128"))
    ... @settings(max_examples=20)
    ... def test_inputs(inputs):
    ...     assert [A.shape for A in inputs] == [(2, 4, 2), (2, 4, 3)]
    ...     assert all(A.dtype == "complex128" for A in inputs)
    >>> test_inputs()
    """
    widths = input_widths(config["dims"])
    *batch, m = leading_shape(dict(config))
    lead = (*(non_negative(b, "a batch dimension") for b in batch), non_negative(m, "m"))
    return st.tuples(*(_arrays(xp, dtype, (*lead, width), elements) for width in widths)).map(list)


# -- whole cases -----------------------------------------------------------------------------


@st.composite
def _cases(
    draw: Any, name: str | Function, b: Bounds, dtype: Any, xp: Any, elements: Any, tagged: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    spec = get_function(name)
    config = draw(valid_configurations(name, b))
    inputs = {
        "w": draw(parameter_vectors(spec, config, dtype=dtype, xp=xp, elements=elements, tagged=tagged))
    }
    if spec.is_fusion:
        inputs["inputs"] = draw(fusion_inputs(config, dtype=dtype, xp=xp, elements=elements))
    return config, inputs


def cases(
    function: str | Function,
    *,
    dtype: Any = "float64",
    xp: ModuleType | None = None,
    max_side: int = 4,
    max_rank: int = 3,
    max_inputs: int = 3,
    max_rows: int = 3,
    batch: bool = True,
    elements: Any = None,
    tagged: bool = False,
) -> st.SearchStrategy[tuple[dict[str, Any], dict[str, Any]]]:
    """Return a strategy of whole cases ``(config, inputs)`` of one function of SPEC.

    ``config`` is drawn from :func:`configs`, ``inputs["w"]`` from :func:`parameter_vectors`
    and, for the fusions, ``inputs["inputs"]`` from :func:`fusion_inputs`: exactly what
    ``FUNCTIONS[function].call(config, inputs)`` takes.

    Parameters
    ----------
    function : str or Function
        A name from ``refimpl.functions.FUNCTIONS``.
    dtype : str or dtype, default "float64"
        The dtype of ``w`` and of the fusion inputs, as in :func:`parameter_vectors`.
    xp : module, optional
        The array namespace, as in :func:`parameter_vectors`; NumPy by default.
    max_side, max_rank, max_inputs, max_rows : int
        Size bounds, as in :func:`configs`.
    batch : bool, default True
        Whether fusion inputs may have leading batch dimensions, as in :func:`configs`.
    elements : strategy or dict, optional
        The entries of every array, as in :func:`parameter_vectors`.
    tagged : bool, default False
        With ``True``, ``w`` is the index-tagged vector ``1, 2, ..., l`` (the fusion inputs
        are still drawn).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of tuple
        Pairs ``(config, inputs)``.

    Raises
    ------
    RefimplError
        If ``function`` is not a known name, a bound is not positive or ``dtype`` is unknown.
    TypeError
        If a bound is not an integer or ``xp`` is not a module.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from refimpl.functions import FUNCTIONS
    >>> from refimpl.strategies import cases
    >>> spec = FUNCTIONS["dual_lphm_fusion"]
    >>> @given(cases("dual_lphm_fusion", dtype="float32"))
    ... @settings(max_examples=20)
    ... def test_fusion(case):
    ...     config, inputs = case
    ...     out = spec.call(config, inputs)
    ...     assert out.shape == spec.output_shape(config) and out.dtype == "float32"
    >>> test_fusion()
    """
    spec = get_function(function)
    b = bounds(max_side, max_rank, max_inputs, max_rows, batch)
    _dtype(_namespace(xp)[0], dtype)  # fail now on an unknown dtype name
    return _cases(short(spec), b, dtype, xp, elements, tagged)
