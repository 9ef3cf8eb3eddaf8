"""Hypothesis strategies for property tests of the functions of SPEC, in any array namespace.

For people testing their own implementation of these functions (and for refimpl's oracle):
valid configurations with the edge cases weighted in, invalid configurations paired with the
exception refimpl raises for them, parameter vectors and fusion inputs of a chosen dtype in a
chosen array namespace, and whole ``(config, inputs)`` cases.

Everything follows the conventions of :mod:`refimpl.oracle.registry`:

* a *config* is a dict of Python ints keyed by the function's ``config_keys``: ``n, D, p, q``
  for the paddings, ``n, D, p, q, r`` for ``dual_lphm``, ``dims, n, p, q, r, m, batch`` for
  ``dual_lphm_fusion`` and ``dims, n, m, batch`` for ``concatenation_fusion`` (``dims`` is a
  list of input widths, ``batch`` a tuple, ``m`` the number of input rows; ``n`` is ``None``
  only when all widths are equal, meaning "the common width");
* *inputs* is a dict: ``{"w": w}`` for the matrices, ``{"w": w, "inputs": [A_1, ..., A_k]}``
  for the fusions, ``A_i`` of shape ``batch + (m, n_i)``.

Arrays come from :mod:`hypothesis.extra.numpy` for NumPy (the default) and from
:func:`hypothesis.extra.array_api.make_strategies_namespace` for any other array-API namespace
(``array_api_strict``, ``array_api_compat.torch``, ``array_api_compat.cupy``, ...).

This module imports Hypothesis, which is a test dependency: ``import refimpl`` does not import it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from types import ModuleType
from typing import Any, NamedTuple

import array_api_compat
import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import HypothesisWarning
from hypothesis.extra import array_api as hxa
from hypothesis.extra import numpy as hnp

from .registry import FUNCTIONS, FunctionSpec, get_spec
from .._validation import RefimplError, check_dim

__all__ = ["cases", "configs", "fusion_inputs", "invalid_configs", "parameter_vectors"]

#: Default bound on the magnitude of generated entries: sums of a few thousand products of
#: such numbers stay far from overflow, even in float16.
MAX_MAGNITUDE = 4

#: The kinds of invalid configuration :func:`invalid_configs` knows, in its order.
INVALID_KINDS: tuple[str, ...] = (
    "not_divisible",
    "not_positive",
    "wrong_type",
    "unequal_widths",
    "empty_dims",
)


# --------------------------------------------------------------------------------------------
# Argument checks


class _Bounds(NamedTuple):
    side: int
    rank: int
    inputs: int
    rows: int
    batch: bool


def _non_negative(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a non-negative integer, got {value!r}")
    if value < 0:
        raise RefimplError(f"{name} must be a non-negative integer, got {value}")
    return value


def _bounds(max_side: Any, max_rank: Any, max_inputs: Any, max_rows: Any, batch: Any) -> _Bounds:
    if not isinstance(batch, bool):
        raise TypeError(f"batch must be True or False, got {batch!r}")
    return _Bounds(
        check_dim(max_side, "max_side"),
        check_dim(max_rank, "max_rank"),
        check_dim(max_inputs, "max_inputs"),
        _non_negative(max_rows, "max_rows"),
        batch,
    )


def _short(spec: FunctionSpec) -> str | FunctionSpec:
    """The name of a registered spec (short in Hypothesis' failure reports), else the spec."""
    return spec.name if FUNCTIONS.get(spec.name) is spec else spec


def _divisors(value: int, bound: int) -> list[int]:
    """The divisors of ``value`` that are at most ``bound`` (1 always is one)."""
    return [d for d in range(1, min(value, bound) + 1) if value % d == 0]


# --------------------------------------------------------------------------------------------
# Valid configurations


def _matrix_edges(spec: FunctionSpec, bounds: _Bounds) -> list[str]:
    edges = ["generic", "generic", "p1", "q1", "s1", "t1"]
    if bounds.side >= 2:
        edges.append("p_ne_q")
    if "r" in spec.config_keys:
        edges.append("r1")
    return edges


def _fusion_edges(spec: FunctionSpec, bounds: _Bounds) -> list[str]:
    edges = ["generic", "generic", "k1", "m0", "n_default"]
    if bounds.inputs >= 2 and bounds.side >= 2:
        edges.append("unequal")
    if bounds.batch:
        edges.append("batch")
    if "r" in spec.config_keys:
        edges += ["p1", "s1", "t1", "r1"]
        if bounds.side >= 2:
            edges.append("p_ne_q")
    return edges


@st.composite
def _matrix_configs(draw: Any, name: str | FunctionSpec, bounds: _Bounds) -> dict[str, Any]:
    """``n = p*s``, ``D = q*t`` with ``p, q, s, t <= side``; one edge case forced per example."""
    spec = get_spec(name)
    edge = draw(st.sampled_from(_matrix_edges(spec, bounds)))
    side = st.integers(1, bounds.side)
    p = 1 if edge == "p1" else draw(side)
    if edge == "q1":
        q = 1
    elif edge == "p_ne_q":  # any q but p, both orders equally likely
        q = draw(st.integers(1, bounds.side - 1))
        q += q >= p
    else:
        q = draw(side)
    s = 1 if edge == "s1" else draw(side)
    t = 1 if edge == "t1" else draw(side)  # t = 1 is q = D
    config: dict[str, Any] = {"n": p * s, "D": q * t, "p": p, "q": q}
    if "r" in spec.config_keys:
        config["r"] = 1 if edge == "r1" else draw(st.integers(1, bounds.rank))
    return config


@st.composite
def _fusion_configs(draw: Any, name: str | FunctionSpec, bounds: _Bounds) -> dict[str, Any]:
    """Widths, output width, rows, batch shape (and ``p, q, r``); one edge case forced per example."""
    spec = get_spec(name)
    edge = draw(st.sampled_from(_fusion_edges(spec, bounds)))
    side = st.integers(1, bounds.side)
    if edge == "s1":  # p = N: the widths sum to at most `side`
        k = draw(st.integers(1, min(bounds.inputs, bounds.side)))
        total = draw(st.integers(k, bounds.side))
        cut_points = st.lists(st.integers(1, total - 1), min_size=k - 1, max_size=k - 1, unique=True)
        cuts = [] if k == 1 else sorted(draw(cut_points))
        dims = [b - a for a, b in zip([0, *cuts], [*cuts, total])]
    else:
        if edge == "k1":
            k = 1
        elif edge == "unequal":
            k = draw(st.integers(2, bounds.inputs))
        else:
            k = draw(st.integers(1, bounds.inputs))
        if edge == "n_default" or (edge != "unequal" and draw(st.booleans())):
            dims = [draw(side)] * k
        else:
            dims = draw(st.lists(side, min_size=k, max_size=k))
        if edge == "unequal" and len(set(dims)) == 1:
            j = draw(st.integers(0, k - 1))
            dims[j] = dims[j] % bounds.side + 1
    equal = len(set(dims)) == 1
    if edge == "n_default":
        n = None
    elif edge == "p_ne_q":  # n >= 2 leaves a q that differs from p
        n = draw(st.integers(2, bounds.side))
    elif edge != "unequal" and equal and draw(st.booleans()):
        n = None
    else:
        n = draw(side)
    config: dict[str, Any] = {"dims": dims, "n": n}
    if "r" in spec.config_keys:
        total, width = sum(dims), dims[0] if n is None else n
        if edge == "p1":
            p = 1
        elif edge == "s1":
            p = total
        else:
            p = draw(st.sampled_from(_divisors(total, bounds.side)))
        if edge == "t1":
            q = width
        elif edge == "p_ne_q":
            q = draw(st.sampled_from([d for d in _divisors(width, bounds.side) if d != p]))
        else:
            q = draw(st.sampled_from(_divisors(width, bounds.side)))
        r = 1 if edge == "r1" else draw(st.integers(1, bounds.rank))
        config.update(p=p, q=q, r=r)
    config["m"] = 0 if edge == "m0" else draw(st.integers(0, bounds.rows))
    if edge == "batch":
        batch = draw(st.lists(st.integers(1, 2), min_size=1, max_size=2))
    elif bounds.batch:
        batch = draw(st.lists(st.integers(1, 2), max_size=2))
    else:
        batch = []
    config["batch"] = tuple(batch)
    return config


def configs(
    function: str | FunctionSpec,
    *,
    max_side: int = 4,
    max_rank: int = 3,
    max_inputs: int = 3,
    max_rows: int = 3,
    batch: bool = True,
) -> st.SearchStrategy[dict[str, Any]]:
    """Return a strategy of valid configurations of one function of SPEC.

    Each example is a dict keyed by the function's ``config_keys`` (see the module docstring)
    that refimpl accepts. The edge cases are weighted in: every example first picks one of
    them (or none) and forces it, so each appears in a fixed share of the examples rather than
    by luck. For the matrices: ``p != q``, ``p = 1``, ``q = 1``, ``s = 1``, ``t = 1`` (that is,
    ``q = D``) and ``r = 1``; for the fusions: ``k = 1`` input, ``m = 0`` rows, unequal widths
    (with ``n`` given), equal widths with ``n=None``, a non-empty batch shape and, for
    ``dual_lphm_fusion``, ``p = 1``, ``p != q``, ``s = 1`` (``p = N``), ``t = 1`` (``q = n``)
    and ``r = 1``. The other values are drawn freely within the bounds.

    Parameters
    ----------
    function : str or FunctionSpec
        A name from ``refimpl.oracle.registry.FUNCTIONS``: ``"duplicated_padding"``,
        ``"duplicated_diagonal_padding"``, ``"dual_lphm"``, ``"dual_lphm_fusion"`` or
        ``"concatenation_fusion"``.
    max_side : int, default 4
        Bound on ``p``, ``q``, ``s = n/p`` and ``t = D/q`` of the matrices, and on each input
        width ``n_i``, the output width ``n``, ``p`` and ``q`` of the fusions (so ``t = n/q``
        is bounded too; ``s = N/p`` is at most ``N <= max_inputs * max_side``).
    max_rank : int, default 3
        Bound on the rank ``r``.
    max_inputs : int, default 3
        Bound on the number ``k`` of fusion inputs.
    max_rows : int, default 3
        Bound on the number ``m`` of input rows (``m`` may be 0).
    batch : bool, default True
        Whether fusion inputs may have leading batch dimensions (each 1 or 2, at most two of
        them); with ``False`` the batch shape is always ``()``.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of dict
        Configurations, ``l`` of which is ``FUNCTIONS[function].l(config)``.

    Raises
    ------
    RefimplError
        If ``function`` is not a known name or a bound is not positive (``max_rows`` may be 0).
    TypeError
        If a bound is not an integer or ``batch`` is not a bool.

    See Also
    --------
    invalid_configs : Configurations that refimpl rejects.
    cases : Configurations together with their inputs.

    Examples
    --------
    In a property test:

    >>> from hypothesis import given, settings
    >>> from refimpl.oracle.registry import FUNCTIONS
    >>> from refimpl.strategies import configs
    >>> spec = FUNCTIONS["dual_lphm"]
    >>> @given(configs("dual_lphm", max_side=3))
    ... @settings(max_examples=20)
    ... def test_l(config):
    ...     p, q, r = config["p"], config["q"], config["r"]
    ...     s, t = config["n"] // p, config["D"] // q
    ...     assert spec.l(config) == r * (p + q + s + t)
    >>> test_l()

    The smallest configuration with ``p != q``, found with :func:`hypothesis.find`:

    >>> from hypothesis import find
    >>> find(configs("dual_lphm"), lambda c: c["p"] != c["q"], settings=settings(database=None))
    {'n': 1, 'D': 2, 'p': 1, 'q': 2, 'r': 1}

    A fusion configuration with unequal input widths gives its output width ``n``:

    >>> @given(configs("dual_lphm_fusion", max_inputs=2))
    ... @settings(max_examples=20)
    ... def test_n(config):
    ...     assert config["n"] is not None or len(set(config["dims"])) == 1
    >>> test_n()
    """
    spec = get_spec(function)
    bounds = _bounds(max_side, max_rank, max_inputs, max_rows, batch)
    if spec.is_fusion:
        return _fusion_configs(_short(spec), bounds)
    return _matrix_configs(_short(spec), bounds)


# --------------------------------------------------------------------------------------------
# Invalid configurations


def _invalid_kinds(spec: FunctionSpec) -> tuple[str, ...]:
    kinds = ["not_positive", "wrong_type"]
    if "p" in spec.config_keys:
        kinds.insert(0, "not_divisible")
    if spec.is_fusion:
        kinds += ["unequal_widths", "empty_dims"]
    return tuple(kinds)


@st.composite
def _invalid_configs(
    draw: Any, name: str | FunctionSpec, kinds: tuple[str, ...]
) -> tuple[dict[str, Any], type]:
    """One violation of the contract per example, everything else valid."""
    spec = get_spec(name)
    kind = draw(st.sampled_from(kinds))
    config = dict(draw(configs(spec, max_side=4, max_inputs=3, max_rows=2)))
    dim_keys = [key for key in ("n", "D", "p", "q", "r") if key in spec.config_keys]
    if spec.is_fusion and config["n"] is None and kind != "unequal_widths":
        config["n"] = config["dims"][0]  # the violations below are all about given values
    if kind == "not_divisible":
        if spec.is_fusion:
            total = sum(config["dims"])
            if draw(st.booleans()):  # p does not divide N
                config["p"] = draw(st.sampled_from([d for d in range(2, total + 2) if total % d]))
            else:  # q does not divide n
                config["q"] = draw(st.sampled_from([d for d in range(2, config["n"] + 2) if config["n"] % d]))
        else:
            rows, cols = ("n", "p"), ("D", "q")
            value, divisor = rows if draw(st.booleans()) else cols
            config[divisor] = draw(st.integers(2, 5))
            blocks = draw(st.integers(1, 3))
            config[value] = config[divisor] * blocks + draw(st.integers(1, config[divisor] - 1))
        return config, RefimplError
    if kind == "not_positive":
        keys = dim_keys + (["dims"] if spec.is_fusion else [])
        key, value = draw(st.sampled_from(keys)), draw(st.integers(-3, 0))
        if key == "dims":
            config["dims"] = list(config["dims"])
            config["dims"][draw(st.integers(0, len(config["dims"]) - 1))] = value
        else:
            config[key] = value
        return config, RefimplError
    if kind == "wrong_type":
        keys = dim_keys + (["dims"] if spec.is_fusion else [])
        key = draw(st.sampled_from(keys))
        if key == "dims" and draw(st.booleans()):
            config["dims"] = draw(st.sampled_from([sum(config["dims"]), "12", None]))  # not a sequence
            return config, TypeError
        bad = draw(st.sampled_from(["float", "bool"]))
        if key == "dims":
            config["dims"] = list(config["dims"])
            j = draw(st.integers(0, len(config["dims"]) - 1))
            config["dims"][j] = float(config["dims"][j]) if bad == "float" else True
        else:
            config[key] = float(config[key]) if bad == "float" else True
        return config, TypeError
    if kind == "unequal_widths":
        dims = draw(st.lists(st.integers(1, 4), min_size=2, max_size=3).filter(lambda d: len(set(d)) > 1))
        config.update(dims=dims, n=None)
        if "p" in config:
            config.update(p=1, q=1)  # nothing else is wrong: p | N and q | n_1
        return config, RefimplError
    if kind == "empty_dims":
        config["dims"] = []
        return config, RefimplError
    raise AssertionError(f"unreachable: kind {kind!r}")  # pragma: no cover


def invalid_configs(
    function: str | FunctionSpec, *, kinds: tuple[str, ...] | None = None
) -> st.SearchStrategy[tuple[dict[str, Any], type]]:
    """Return a strategy of configurations that break the contract, each with refimpl's exception.

    Each example is a pair ``(config, exception_type)``: ``config`` has the keys of a valid
    configuration (see :func:`configs`) with exactly one thing wrong, and refimpl raises
    ``exception_type`` for it, from ``FUNCTIONS[function].l(config)`` and from the function
    itself. The kinds of mistake:

    ==================  ===========================================================  ================
    kind                what is wrong                                                exception
    ==================  ===========================================================  ================
    ``not_divisible``   ``p`` does not divide ``n`` (``N``) or ``q`` does not        ``RefimplError``
                        divide ``D`` (``n``); not for ``concatenation_fusion``
    ``not_positive``    one dimension (or one input width) is 0 or negative          ``RefimplError``
    ``wrong_type``      a dimension is a float or a bool, or ``dims`` is not a       ``TypeError``
                        sequence
    ``unequal_widths``  unequal input widths with ``n=None`` (fusions only)          ``RefimplError``
    ``empty_dims``      no inputs: ``dims == []`` (fusions only)                     ``RefimplError``
    ==================  ===========================================================  ================

    ``RefimplError`` is a :class:`ValueError` (and an :class:`AssertionError`, as in tinybig).

    Parameters
    ----------
    function : str or FunctionSpec
        A name from ``refimpl.oracle.registry.FUNCTIONS``.
    kinds : tuple of str, optional
        The kinds of mistake to draw from; by default every kind that applies to ``function``.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of tuple
        Pairs ``(config, exception_type)``.

    Raises
    ------
    RefimplError
        If ``function`` is not a known name, or a kind is unknown or does not apply to it.

    See Also
    --------
    configs : Valid configurations.

    Examples
    --------
    >>> import pytest
    >>> from hypothesis import given, settings
    >>> from refimpl.oracle.registry import FUNCTIONS
    >>> from refimpl.strategies import invalid_configs
    >>> @given(invalid_configs("dual_lphm"))
    ... @settings(max_examples=20)
    ... def test_rejected(case):
    ...     config, error = case
    ...     with pytest.raises(error):
    ...         FUNCTIONS["dual_lphm"].l(config)
    >>> test_rejected()
    """
    spec = get_spec(function)
    allowed = _invalid_kinds(spec)
    if kinds is None:
        kinds = allowed
    else:
        kinds = tuple(kinds)
        wrong = [kind for kind in kinds if kind not in allowed]
        if wrong or not kinds:
            raise RefimplError(
                f"kinds must be a non-empty selection of {allowed} for {spec.name}, got {kinds}"
            )
    return _invalid_configs(_short(spec), kinds)


# --------------------------------------------------------------------------------------------
# Arrays


_STRATEGY_NAMESPACES: dict[int, tuple[ModuleType, Any]] = {}


def _namespace(xp: ModuleType | None) -> tuple[ModuleType, Any]:
    """``(info, arrays)``: an array-API namespace for dtype queries and a ``(dtype, shape, elements)
    -> strategy`` function, for NumPy (``xp=None``) or any array-API namespace."""
    if xp is not None and not isinstance(xp, ModuleType):
        raise TypeError(f"xp must be an array namespace (a module) or None, got {type(xp).__name__}")
    if xp is None or array_api_compat.is_numpy_namespace(xp):
        import array_api_compat.numpy as np_xp

        return np_xp, hnp.arrays
    if id(xp) not in _STRATEGY_NAMESPACES:
        with warnings.catch_warnings():
            # array_api_compat's wrappers (torch, cupy) are array-API namespaces whose arrays do not
            # carry __array_namespace__, which Hypothesis checks for and warns about.
            warnings.filterwarnings("ignore", "Could not determine whether module", HypothesisWarning)
            xps = hxa.make_strategies_namespace(xp)
        _STRATEGY_NAMESPACES[id(xp)] = (xp, xps.arrays)
    return xp, _STRATEGY_NAMESPACES[id(xp)][1]


def _dtype(info: ModuleType, dtype: Any) -> Any:
    """The dtype object of the name ``dtype`` in the namespace ``info`` (objects pass through)."""
    if isinstance(dtype, str):
        if array_api_compat.is_numpy_namespace(info):
            try:
                return np.dtype(dtype)
            except TypeError:
                raise RefimplError(f"dtype must name a NumPy dtype, got {dtype!r}") from None
        if not hasattr(info, dtype):
            raise RefimplError(f"dtype must name a dtype of {info.__name__}, got {dtype!r}")
        return getattr(info, dtype)
    if array_api_compat.is_numpy_namespace(info):
        return np.dtype(dtype)
    return dtype


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
    return st.complex_numbers(
        max_magnitude=MAX_MAGNITUDE,
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
        elements = _default_elements(info, dtype)
    elif not isinstance(elements, (st.SearchStrategy, Mapping)):
        raise TypeError(
            f"elements must be a strategy, a dict of from_dtype arguments or None, got {elements!r}"
        )
    return arrays(dtype, shape, elements=elements)


def _tagged(info: ModuleType, dtype: Any, length: int) -> Any:
    """``1, 2, ..., length`` in ``dtype``: a fresh array each call."""
    return info.astype(info.arange(1, length + 1), dtype)


def parameter_vectors(
    function: str | FunctionSpec,
    config: Mapping[str, Any],
    *,
    dtype: Any = "float64",
    xp: ModuleType | None = None,
    elements: Any = None,
    tagged: bool = False,
) -> st.SearchStrategy[Any]:
    """Return a strategy of parameter vectors ``w`` of shape ``(l,)`` for one configuration.

    ``l = FUNCTIONS[function].l(config)``. The default entries are finite, of magnitude at most
    4 (``MAX_MAGNITUDE``) and never subnormal, so that the sums in the functions cannot overflow;
    pass ``elements`` for others (NaN and infinity included).

    Parameters
    ----------
    function : str or FunctionSpec
        A name from ``refimpl.oracle.registry.FUNCTIONS``.
    config : dict
        A valid configuration of ``function`` (see :func:`configs`).
    dtype : str or dtype, default "float64"
        A dtype name of the namespace (``"float32"``, ``"float64"``, ``"complex64"``,
        ``"complex128"``, an integer or ``"bool"``), or a dtype object of it.
    xp : module, optional
        The array namespace: NumPy by default (plain ``numpy.ndarray``, as for
        ``array_api_compat.numpy``), or any array-API namespace such as ``array_api_strict``,
        ``array_api_compat.torch`` or ``array_api_compat.cupy``.
    elements : strategy or dict, optional
        The entries: a strategy of Python scalars, or a dict of arguments for Hypothesis'
        ``from_dtype`` (``{"allow_nan": True}``...).
    tagged : bool, default False
        With ``True`` the strategy has a single example: the index-tagged vector
        ``w = 1, 2, ..., l``, every entry distinct and exact, so that where an entry of the
        output comes from can be read off its value (a fresh array each draw).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of array
        Arrays of shape ``(l,)`` of namespace ``xp`` and dtype ``dtype``.

    Raises
    ------
    RefimplError
        If ``config`` is not valid for ``function``, ``dtype`` is not a dtype name of ``xp``,
        or (with ``tagged=True``) ``l`` is beyond the integers ``dtype`` represents exactly.
    TypeError
        If ``xp`` is not a module, ``elements`` is neither a strategy nor a dict, or ``dtype`` is
        ``bool`` with ``tagged=True``.

    See Also
    --------
    fusion_inputs : The inputs of the fusions.
    cases : Configurations together with their inputs.

    Examples
    --------
    >>> from hypothesis import find, given, settings
    >>> from refimpl import duplicated_padding
    >>> from refimpl.strategies import parameter_vectors
    >>> config = {"n": 4, "D": 6, "p": 2, "q": 3}
    >>> @given(parameter_vectors("duplicated_padding", config, dtype="float32"))
    ... @settings(max_examples=20)
    ... def test_w(w):
    ...     assert w.shape == (4,) and w.dtype == "float32" and abs(w).max() <= 4
    >>> test_w()

    The index-tagged vector shows where each entry of ``w`` goes:

    >>> tagged = parameter_vectors("duplicated_padding", config, tagged=True)
    >>> tags = find(tagged, lambda w: True, settings=settings(database=None))
    >>> print(tags)
    [1. 2. 3. 4.]
    >>> print(duplicated_padding(tags, **config))
    [[1. 2. 1. 2. 1. 2.]
     [3. 4. 3. 4. 3. 4.]
     [1. 2. 1. 2. 1. 2.]
     [3. 4. 3. 4. 3. 4.]]
    """
    spec = get_spec(function)
    length = spec.l(dict(config))
    if not tagged:
        return _arrays(xp, dtype, (length,), elements)
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


def fusion_inputs(
    config: Mapping[str, Any],
    *,
    dtype: Any = "float64",
    xp: ModuleType | None = None,
    elements: Any = None,
) -> st.SearchStrategy[list[Any]]:
    """Return a strategy of fusion inputs ``[A_1, ..., A_k]`` for one fusion configuration.

    ``A_i`` has shape ``batch + (m, n_i)`` with ``n_i = config["dims"][i]``; the entries are as
    in :func:`parameter_vectors`.

    Parameters
    ----------
    config : dict
        A configuration of ``dual_lphm_fusion`` or ``concatenation_fusion``: it needs
        ``dims`` and ``m``, and ``batch`` (default ``()``).
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
            If a width, ``m`` or a batch dimension is not an integer.

    See Also
    --------
    parameter_vectors : The parameter vector ``w``.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from refimpl.strategies import fusion_inputs
    >>> config = {"dims": [2, 3], "n": 2, "m": 4, "batch": (2,)}
    >>> @given(fusion_inputs(config, dtype="complex128"))
    ... @settings(max_examples=20)
    ... def test_inputs(inputs):
    ...     assert [A.shape for A in inputs] == [(2, 4, 2), (2, 4, 3)]
    ...     assert all(A.dtype == "complex128" for A in inputs)
    >>> test_inputs()
    """
    dims = config["dims"]
    if isinstance(dims, (str, bytes)) or not hasattr(dims, "__len__"):
        raise TypeError(f"config['dims'] must be a sequence of input widths, got {dims!r}")
    if len(dims) == 0:
        raise RefimplError("config['dims'] must hold at least one input width, got an empty sequence")
    widths = [check_dim(d, f"dims[{i}]") for i, d in enumerate(dims)]
    m = config["m"]
    lead = (*(_non_negative(b, "a batch dimension") for b in config.get("batch", ())), _non_negative(m, "m"))
    return st.tuples(*(_arrays(xp, dtype, (*lead, width), elements) for width in widths)).map(list)


@st.composite
def _cases(
    draw: Any, name: str | FunctionSpec, bounds: _Bounds, dtype: Any, xp: Any, elements: Any, tagged: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    spec = get_spec(name)
    config = draw(
        configs(
            spec,
            max_side=bounds.side,
            max_rank=bounds.rank,
            max_inputs=bounds.inputs,
            max_rows=bounds.rows,
            batch=bounds.batch,
        )
    )
    w = parameter_vectors(spec, config, dtype=dtype, xp=xp, elements=elements, tagged=tagged)
    inputs = {"w": draw(w)}
    if spec.is_fusion:
        inputs["inputs"] = draw(fusion_inputs(config, dtype=dtype, xp=xp, elements=elements))
    return config, inputs


def cases(
    function: str | FunctionSpec,
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
    function : str or FunctionSpec
        A name from ``refimpl.oracle.registry.FUNCTIONS``.
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

    See Also
    --------
    configs, parameter_vectors, fusion_inputs : The parts of a case.

    Examples
    --------
    A property test of refimpl's own fusion against its definition, in float32:

    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> from refimpl import dual_lphm
    >>> from refimpl.oracle.registry import FUNCTIONS
    >>> from refimpl.strategies import cases
    >>> spec = FUNCTIONS["dual_lphm_fusion"]
    >>> @given(cases("dual_lphm_fusion", dtype="float32"))
    ... @settings(max_examples=20)
    ... def test_fusion(case):
    ...     config, inputs = case
    ...     out = spec.call(config, inputs)
    ...     assert out.shape == spec.output_shape(config) and out.dtype == np.float32
    ...     n = config["n"] or config["dims"][0]
    ...     W = dual_lphm(inputs["w"], sum(config["dims"]), n, config["p"], config["q"], config["r"])
    ...     expected = np.concatenate(inputs["inputs"], axis=-1) @ W
    ...     np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-3)
    >>> test_fusion()
    """
    spec = get_spec(function)
    bounds = _bounds(max_side, max_rank, max_inputs, max_rows, batch)
    info, _ = _namespace(xp)
    _dtype(info, dtype)  # fail now on an unknown dtype name
    return _cases(_short(spec), bounds, dtype, xp, elements, tagged)
