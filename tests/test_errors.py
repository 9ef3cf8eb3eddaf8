"""The error contract: bad input to any public function or class raises the documented exception.

Every public callable of ``refimpl`` (the functions, the four tinybig-style classes, the backend
switches) is given invalid configurations and malformed parameter vectors.
Hypothesis draws a *valid* configuration and breaks exactly one thing in it; the test then asserts

* the exact exception type: ``TypeError`` (and not a ``RefimplError``) for a wrong type,
  ``refimpl.RefimplError`` for a wrong value (SPEC, "Conventions": "a bad configuration or a ``w``
  of the wrong length raises a ``ValueError`` subclass whose message names the expected and the
  actual value; a wrong type raises ``TypeError``");
* that the message names the numbers involved: the expected value and the actual one.

The command line's answer to bad input (exit status 2, a message) is tested in ``test_cli.py``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from fractions import Fraction
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import refimpl
from refimpl import RefimplError

from .conftest import namespace
from .strategies import fusion_configs, padding_configs

Fusion = refimpl.dual_lphm_parameterized_concatenation_fusion
PAD_CLASSES = {
    "duplicated_padding_reconciliation": refimpl.duplicated_padding_reconciliation,
    "duplicated_diagonal_padding_reconciliation": refimpl.duplicated_diagonal_padding_reconciliation,
}
SPARSE = tuple(f for f in refimpl.SPARSE_FORMATS if f != "dense")


# Tests parametrized over many entry points share the profile's example budget between them
# (each still gets at least a few), so that the file stays quick under every profile.
_BUDGET = settings.default.max_examples


def _share(parts: int) -> settings:
    return settings(max_examples=max(4, _BUDGET // parts))


# --- namespaces -----------------------------------------------------------------------------


MIXES = [
    ("torch", "numpy"),
    ("numpy", "torch"),
    ("array_api_strict", "numpy"),
    ("numpy", "array_api_strict"),
    ("torch", "array_api_strict"),
]


@pytest.fixture(scope="module", params=MIXES, ids=["-".join(m) for m in MIXES])
def mix(request: pytest.FixtureRequest) -> tuple[tuple[str, ModuleType], tuple[str, ModuleType]]:
    """Two namespaces from different libraries, with the library names the message must name."""
    (a, b) = request.param
    return (a, namespace(a)), (b, namespace(b))


def _ones(xp: ModuleType, shape: tuple[int, ...]) -> Any:
    return xp.ones(shape, dtype=xp.float64)


# --- assertions -----------------------------------------------------------------------------


def _all_of(*patterns: str) -> str:
    """One regex (for ``pytest.raises(match=...)``) that matches when every pattern is found."""
    return "(?s)" + "".join(f"(?=.*?(?:{p}))" for p in patterns)


def _word(text: str) -> str:
    """``text`` as a whole token: not glued to a letter, digit, or '.' on either side."""
    return rf"(?<![\w.]){re.escape(text)}(?![\w.])"


def _number(value: int) -> str:
    """The number ``value`` standing on its own (not ``n=4``'s 4, not part of 14 or 4.5)."""
    return rf"(?<![\w.=-]){value}(?![\w.])"


@contextlib.contextmanager
def raises_type_error(*patterns: str) -> Iterator[pytest.ExceptionInfo[TypeError]]:
    with pytest.raises(TypeError, match=_all_of(*patterns)) as info:
        yield info
    assert type(info.value) is TypeError, f"raised {type(info.value).__name__}, expected a plain TypeError"
    assert not isinstance(info.value, RefimplError)


@contextlib.contextmanager
def raises_refimpl_error(*patterns: str) -> Iterator[pytest.ExceptionInfo[RefimplError]]:
    with pytest.raises(RefimplError, match=_all_of(*patterns)) as info:
        yield info
    assert type(info.value) is RefimplError, type(info.value)


# --- configurations ---------------------------------------------------------------------------


@st.composite
def padding_lphm_cfgs(draw: Any) -> dict[str, Any]:
    """A valid ``n, D, p, q, r`` (``q`` sometimes ``None``: the default ``q = p``), ``format``,
    and the parameter counts of padding (``l``) and Dual-LPHM (``l_lphm``)."""
    cfg: dict[str, Any] = draw(padding_configs(max_block=3))
    n, D, p, q = cfg["n"], cfg["D"], cfg["p"], cfg["q"]
    r = draw(st.integers(1, 2))
    cfg["r"] = r
    cfg["l"] = n * D // (p * q)
    cfg["l_lphm"] = r * (p + q + n // p + D // q)
    if p == q and draw(st.booleans()):
        cfg["q"] = None
    cfg["format"] = draw(st.sampled_from(refimpl.SPARSE_FORMATS))
    return cfg


@st.composite
def fusion_cfgs(draw: Any, *, min_k: int = 1) -> dict[str, Any]:
    """A valid fusion configuration (see ``strategies.fusion_configs``) with ``k >= min_k``,
    its parameter counts ``l`` (Dual-LPHM) and ``l_concat`` (plain, ``N*n``)."""
    cfg: dict[str, Any] = draw(fusion_configs(max_k=3).filter(lambda c: len(c["dims"]) >= min_k))
    N, width, p, q, r = sum(cfg["dims"]), cfg["width"], cfg["p"], cfg["q"], cfg["r"]
    cfg["l"] = r * (p + q + N // p + width // q)
    cfg["l_concat"] = N * width
    if p == q and draw(st.booleans()):
        cfg["q"] = None
    return cfg


def _inputs(cfg: dict[str, Any], xp: ModuleType | None = None) -> list[Any]:
    xp = xp or namespace("numpy")
    return [_ones(xp, tuple(cfg["batch"]) + (cfg["m"], d)) for d in cfg["dims"]]


def _with(cfg: dict[str, Any], param: str, value: Any) -> dict[str, Any]:
    """``cfg`` with one parameter replaced; ``dims[i]`` replaces one input width."""
    cfg = dict(cfg)
    match = re.fullmatch(r"dims\[(\d+)\]", param)
    if match:
        dims = list(cfg["dims"])
        dims[int(match[1])] = value
        cfg["dims"] = dims
    else:
        cfg[param] = value
    return cfg


# --- the targets ------------------------------------------------------------------------------
# A target is one public entry point: how to draw a valid configuration, which of its dimensions
# may be broken, which of those accept None (meaning a default), and how to call it.


class Target(NamedTuple):
    name: str
    configs: st.SearchStrategy[dict[str, Any]]
    params: Callable[[dict[str, Any]], list[str]]
    optional: frozenset[str]
    call: Callable[[dict[str, Any]], Any]


def _fixed(*names: str) -> Callable[[dict[str, Any]], list[str]]:
    return lambda cfg: list(names)


def _with_dims(*names: str) -> Callable[[dict[str, Any]], list[str]]:
    return lambda cfg: list(names) + [f"dims[{i}]" for i in range(len(cfg["dims"]))]


def _pad_class(c: dict[str, Any], name: str) -> Any:
    if name == "duplicated_diagonal_padding_reconciliation":
        return PAD_CLASSES[name](p=c["p"], q=c["q"], format=c["format"])
    return PAD_CLASSES[name](p=c["p"], q=c["q"])


def _lphm_class(c: dict[str, Any]) -> Any:
    return refimpl.dual_lphm_reconciliation(p=c["p"], q=c["q"], r=c["r"])


def _fusion_class(c: dict[str, Any], *, dims: bool) -> Any:
    return Fusion(r=c["r"], p=c["p"], q=c["q"], n=c["n"], dims=c["dims"] if dims else None)


_PLQ = padding_lphm_cfgs()
_FUS = fusion_cfgs()
_OPT = frozenset({"q"})
_OPT_N = frozenset({"q", "n"})

DIM_TARGETS: list[Target] = [
    Target(
        "duplicated_padding_l",
        _PLQ,
        _fixed("n", "D", "p", "q"),
        _OPT,
        lambda c: refimpl.duplicated_padding_l(n=c["n"], D=c["D"], p=c["p"], q=c["q"]),
    ),
    Target(
        "duplicated_padding",
        _PLQ,
        _fixed("n", "D", "p", "q"),
        _OPT,
        lambda c: refimpl.duplicated_padding(np.ones(c["l"]), n=c["n"], D=c["D"], p=c["p"], q=c["q"]),
    ),
    Target(
        "duplicated_diagonal_padding",
        _PLQ,
        _fixed("n", "D", "p", "q"),
        _OPT,
        lambda c: refimpl.duplicated_diagonal_padding(
            np.ones(c["l"]), n=c["n"], D=c["D"], p=c["p"], q=c["q"], format=c["format"]
        ),
    ),
    Target(
        "dual_lphm_l",
        _PLQ,
        _fixed("n", "D", "p", "q", "r"),
        _OPT,
        lambda c: refimpl.dual_lphm_l(n=c["n"], D=c["D"], p=c["p"], q=c["q"], r=c["r"]),
    ),
    Target(
        "dual_lphm",
        _PLQ,
        _fixed("n", "D", "p", "q", "r"),
        _OPT,
        lambda c: refimpl.dual_lphm(np.ones(c["l_lphm"]), n=c["n"], D=c["D"], p=c["p"], q=c["q"], r=c["r"]),
    ),
    Target(
        "dual_lphm_reconciliation()",
        _PLQ,
        _fixed("p", "q", "r"),
        _OPT,
        _lphm_class,
    ),
    Target(
        "dual_lphm_reconciliation.calculate_l",
        _PLQ,
        _fixed("n", "D", "p", "q", "r"),
        _OPT,
        lambda c: _lphm_class(c).calculate_l(c["n"], c["D"]),
    ),
    Target(
        "dual_lphm_reconciliation.forward",
        _PLQ,
        _fixed("n", "D", "p", "q", "r"),
        _OPT,
        lambda c: _lphm_class(c).forward(c["n"], c["D"], np.ones(c["l_lphm"])),
    ),
    Target(
        "dual_lphm_reconciliation.__call__",
        _PLQ,
        _fixed("n", "D", "p", "q", "r"),
        _OPT,
        lambda c: _lphm_class(c)(c["n"], c["D"], np.ones(c["l_lphm"])),
    ),
    Target(
        "dual_lphm_fusion_l",
        _FUS,
        _with_dims("n", "p", "q", "r"),
        _OPT_N,
        lambda c: refimpl.dual_lphm_fusion_l(c["dims"], c["n"], c["p"], c["q"], c["r"]),
    ),
    Target(
        "dual_lphm_fusion",
        _FUS,
        _fixed("n", "p", "q", "r"),
        _OPT_N,
        lambda c: refimpl.dual_lphm_fusion(
            _inputs(c), np.ones(c["l"]), p=c["p"], q=c["q"], r=c["r"], n=c["n"]
        ),
    ),
    Target(
        "concatenation_fusion",
        _FUS,
        _fixed("n"),
        _OPT_N,
        lambda c: refimpl.concatenation_fusion(_inputs(c), np.ones(c["l_concat"]), n=c["n"]),
    ),
    Target(
        "Fusion()",
        _FUS,
        _with_dims("n", "p", "q", "r"),
        _OPT_N,
        lambda c: _fusion_class(c, dims=True),
    ),
    Target(
        "Fusion.calculate_l()",
        _FUS,
        _with_dims("n", "p", "q", "r"),
        _OPT_N,
        lambda c: _fusion_class(c, dims=True).calculate_l(),
    ),
    Target(
        "Fusion.calculate_l(dims)",
        _FUS,
        _with_dims("n", "p", "q", "r"),
        _OPT_N,
        lambda c: _fusion_class(c, dims=False).calculate_l(c["dims"]),
    ),
    Target(
        "Fusion.calculate_n()",
        _FUS,
        _with_dims("n", "p", "q", "r"),
        _OPT_N,
        lambda c: _fusion_class(c, dims=True).calculate_n(),
    ),
    Target(
        "Fusion.calculate_n(dims)",
        _FUS,
        _with_dims("n", "p", "q", "r"),
        _OPT_N,
        lambda c: _fusion_class(c, dims=False).calculate_n(c["dims"]),
    ),
    Target(
        "Fusion.forward",
        _FUS,
        _fixed("n", "p", "q", "r"),
        _OPT_N,
        lambda c: _fusion_class(c, dims=False).forward(_inputs(c), np.ones(c["l"])),
    ),
    Target(
        "Fusion.__call__",
        _FUS,
        _fixed("n", "p", "q", "r"),
        _OPT_N,
        lambda c: _fusion_class(c, dims=False)(_inputs(c), np.ones(c["l"])),
    ),
]
for _name in PAD_CLASSES:
    DIM_TARGETS += [
        Target(f"{_name}()", _PLQ, _fixed("p", "q"), _OPT, lambda c, _n=_name: _pad_class(c, _n)),
        Target(
            f"{_name}.calculate_l",
            _PLQ,
            _fixed("n", "D", "p", "q"),
            _OPT,
            lambda c, _n=_name: _pad_class(c, _n).calculate_l(c["n"], c["D"]),
        ),
        Target(
            f"{_name}.forward",
            _PLQ,
            _fixed("n", "D", "p", "q"),
            _OPT,
            lambda c, _n=_name: _pad_class(c, _n).forward(c["n"], c["D"], np.ones(c["l"])),
        ),
        Target(
            f"{_name}.__call__",
            _PLQ,
            _fixed("n", "D", "p", "q"),
            _OPT,
            lambda c, _n=_name: _pad_class(c, _n)(c["n"], c["D"], np.ones(c["l"])),
        ),
    ]

_ids = [t.name for t in DIM_TARGETS]

# Values that are not integers. 2.0 is integral and still not an int; None is allowed only
# where it means a default (q, the fusions' n), so it is drawn only for required dimensions.
NON_INTEGERS = st.one_of(
    st.integers(1, 8).map(float),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(1, 8).map(np.float64),
    st.integers(1, 8).map(str),
    st.text(max_size=3),
    st.integers(1, 8).map(lambda i: Fraction(i, 1)),
    st.integers(1, 8).map(Decimal),
    st.complex_numbers(max_magnitude=8, allow_nan=False),
    st.lists(st.integers(1, 4), max_size=2),
)
BOOLS = st.sampled_from([True, False, np.True_, np.False_])
NON_POSITIVE = st.integers(-8, 0) | st.integers(-8, 0).map(np.int64)


# --- RefimplError -----------------------------------------------------------------------------


def test_refimpl_error_is_a_value_error_and_an_assertion_error() -> None:
    assert issubclass(RefimplError, ValueError)
    assert issubclass(RefimplError, AssertionError)
    assert not issubclass(RefimplError, TypeError)


@given(p=st.integers(2, 5), s=st.integers(1, 4), off=st.integers(1, 4), D=st.integers(1, 6))
def test_callers_catching_assertion_error_or_value_error_catch_it(p: int, s: int, off: int, D: int) -> None:
    n = p * s + 1 + off % (p - 1)  # p*s + 1 .. p*s + p-1: not divisible by p
    for base in (AssertionError, ValueError):
        try:
            refimpl.duplicated_padding_l(n=n, D=D, p=p, q=1)
        except base as exc:
            assert type(exc) is RefimplError
            assert f"n={n} is not divisible by p={p}" in str(exc)
        else:
            pytest.fail(f"duplicated_padding_l(n={n}, D={D}, p={p}, q=1) raised nothing")


# --- dimensions: types and values ---------------------------------------------------------


@pytest.mark.parametrize("target", DIM_TARGETS, ids=_ids)
@_share(5)
@given(data=st.data())
def test_non_integer_or_bool_dimension_is_a_type_error(target: Target, data: st.DataObject) -> None:
    cfg = data.draw(target.configs, label="valid cfg")
    param = data.draw(st.sampled_from(target.params(cfg)), label="param")
    bad_values = NON_INTEGERS | BOOLS if param in target.optional else NON_INTEGERS | BOOLS | st.none()
    bad = data.draw(bad_values, label="bad value")
    with raises_type_error(_word(param), re.escape(repr(bad)), "integer"):
        target.call(_with(cfg, param, bad))


@pytest.mark.parametrize("target", DIM_TARGETS, ids=_ids)
@_share(5)
@given(data=st.data())
def test_zero_or_negative_dimension_is_a_refimpl_error(target: Target, data: st.DataObject) -> None:
    cfg = data.draw(target.configs, label="valid cfg")
    param = data.draw(st.sampled_from(target.params(cfg)), label="param")
    bad = data.draw(NON_POSITIVE, label="bad value")
    with raises_refimpl_error(_word(param), "positive", rf"{re.escape(param)}\s*=\s*{int(bad)}(?![\d.])"):
        target.call(_with(cfg, param, bad))


# --- exact divisions ------------------------------------------------------------------------


@st.composite
def non_divisible_padding_cfgs(draw: Any) -> dict[str, Any]:
    """``n, D, p, q, r`` where exactly one of ``p | n`` and ``q | D`` fails."""
    broken = draw(st.sampled_from(["n", "D"]))
    p = draw(st.integers(2 if broken == "n" else 1, 4))
    q = draw(st.sampled_from([None, 1, 2, 3, 4]))
    qq = p if q is None else q
    if broken == "D" and qq == 1:
        q, qq = None if p > 1 else 2, p if p > 1 else 2
    s, t = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    n, D = p * s, qq * t
    if broken == "n":
        n += draw(st.integers(1, p - 1))
    else:
        D += draw(st.integers(1, qq - 1))
    cfg = {"n": n, "D": D, "p": p, "q": q, "r": draw(st.integers(1, 2)), "l": 1, "l_lphm": 1}
    cfg["format"] = draw(st.sampled_from(refimpl.SPARSE_FORMATS))
    cfg["expected"] = (
        f"n={n} is not divisible by p={p}" if broken == "n" else f"D={D} is not divisible by q={qq}"
    )
    return cfg


DIVISIBILITY_TARGETS = [t for t in DIM_TARGETS if t.configs is _PLQ and not t.name.endswith("()")]


@pytest.mark.parametrize("target", DIVISIBILITY_TARGETS, ids=[t.name for t in DIVISIBILITY_TARGETS])
@_share(3)
@given(cfg=non_divisible_padding_cfgs())
def test_inexact_division_names_both_numbers(target: Target, cfg: dict[str, Any]) -> None:
    with raises_refimpl_error(_word(cfg["expected"])):
        target.call(cfg)


@st.composite
def non_divisible_fusion_cfgs(draw: Any) -> dict[str, Any]:
    """A fusion configuration where exactly one of ``p | N`` (``N = sum(dims)``) and ``q | n``
    fails, with the patterns its message must hold."""
    cfg = draw(fusion_cfgs())
    N, width = sum(cfg["dims"]), cfg["width"]
    if draw(st.booleans()):
        p = draw(st.integers(2, N + 2).filter(lambda p: N % p != 0))
        cfg["p"], cfg["q"] = p, cfg["q"] if cfg["q"] is not None else p
        if width % cfg["q"]:
            cfg["q"] = 1
        cfg["expected"] = [_word(f"N={N}"), _word(f"p={p}"), "not divisible"]
    else:
        q = draw(st.integers(2, width + 2).filter(lambda q: width % q != 0))
        cfg["q"] = q
        cfg["expected"] = [_word(f"n={width} is not divisible by q={q}")]
    cfg["l"] = 1
    return cfg


FUSION_DIVISIBILITY_TARGETS = [
    t
    for t in DIM_TARGETS
    if t.configs is _FUS
    and t.name not in ("concatenation_fusion", "Fusion()")
    and not t.name.startswith("Fusion.calculate_n")
]
FUSION_DIVISIBILITY_TARGETS.append(
    Target(
        "Fusion.forward (dims given)",
        _FUS,
        _fixed(),
        _OPT_N,
        lambda c: _fusion_class(c, dims=True).forward(_inputs(c), np.ones(c["l"])),
    )
)


@pytest.mark.parametrize(
    "target", FUSION_DIVISIBILITY_TARGETS, ids=[t.name for t in FUSION_DIVISIBILITY_TARGETS]
)
@_share(3)
@given(cfg=non_divisible_fusion_cfgs())
def test_fusion_inexact_division_names_N_or_n(target: Target, cfg: dict[str, Any]) -> None:
    """SPEC 4: ``p | N`` (the summed input width) and ``q | n`` (the output width). The message
    names the caller's quantities: ``N=5 is not divisible by p=2``, ``n=3 is not divisible by q=2``
    (not the generic ``n``/``D`` of the ``n x D`` Dual-LPHM target, which here mean ``N`` and ``n``)."""
    with raises_refimpl_error(*cfg["expected"]):
        target.call(cfg)


# --- parameter vectors of the wrong length or shape ---------------------------------------


class WTarget(NamedTuple):
    name: str
    configs: st.SearchStrategy[dict[str, Any]]
    l: Callable[[dict[str, Any]], int]
    call: Callable[[dict[str, Any], Any, ModuleType], Any]


def _dense_unless_numpy(c: dict[str, Any], xp: ModuleType) -> str:
    return c["format"] if xp.__name__.endswith("numpy") else "dense"


def _diag_class(c: dict[str, Any], xp: ModuleType) -> Any:
    return refimpl.duplicated_diagonal_padding_reconciliation(
        p=c["p"], q=c["q"], format=_dense_unless_numpy(c, xp)
    )


W_TARGETS = [
    WTarget(
        "duplicated_padding",
        _PLQ,
        lambda c: c["l"],
        lambda c, w, xp: refimpl.duplicated_padding(w, c["n"], c["D"], c["p"], c["q"]),
    ),
    WTarget(
        "duplicated_diagonal_padding",
        _PLQ,
        lambda c: c["l"],
        lambda c, w, xp: refimpl.duplicated_diagonal_padding(
            w, c["n"], c["D"], c["p"], c["q"], format=_dense_unless_numpy(c, xp)
        ),
    ),
    WTarget(
        "dual_lphm",
        _PLQ,
        lambda c: c["l_lphm"],
        lambda c, w, xp: refimpl.dual_lphm(w, c["n"], c["D"], c["p"], c["q"], c["r"]),
    ),
    WTarget(
        "duplicated_padding_reconciliation.forward",
        _PLQ,
        lambda c: c["l"],
        lambda c, w, xp: refimpl.duplicated_padding_reconciliation(p=c["p"], q=c["q"]).forward(
            c["n"], c["D"], w
        ),
    ),
    WTarget(
        "duplicated_padding_reconciliation.__call__",
        _PLQ,
        lambda c: c["l"],
        lambda c, w, xp: refimpl.duplicated_padding_reconciliation(p=c["p"], q=c["q"])(c["n"], c["D"], w),
    ),
    WTarget(
        "duplicated_diagonal_padding_reconciliation.forward",
        _PLQ,
        lambda c: c["l"],
        lambda c, w, xp: _diag_class(c, xp).forward(c["n"], c["D"], w),
    ),
    WTarget(
        "duplicated_diagonal_padding_reconciliation.__call__",
        _PLQ,
        lambda c: c["l"],
        lambda c, w, xp: _diag_class(c, xp)(c["n"], c["D"], w),
    ),
    WTarget(
        "dual_lphm_reconciliation.forward",
        _PLQ,
        lambda c: c["l_lphm"],
        lambda c, w, xp: _lphm_class(c).forward(c["n"], c["D"], w),
    ),
    WTarget(
        "dual_lphm_reconciliation.__call__",
        _PLQ,
        lambda c: c["l_lphm"],
        lambda c, w, xp: _lphm_class(c)(c["n"], c["D"], w),
    ),
    WTarget(
        "dual_lphm_fusion",
        _FUS,
        lambda c: c["l"],
        lambda c, w, xp: refimpl.dual_lphm_fusion(_inputs(c, xp), w, p=c["p"], q=c["q"], r=c["r"], n=c["n"]),
    ),
    WTarget(
        "concatenation_fusion",
        _FUS,
        lambda c: c["l_concat"],
        lambda c, w, xp: refimpl.concatenation_fusion(_inputs(c, xp), w, n=c["n"]),
    ),
    WTarget(
        "Fusion.forward",
        _FUS,
        lambda c: c["l"],
        lambda c, w, xp: _fusion_class(c, dims=False).forward(_inputs(c, xp), w),
    ),
    WTarget(
        "Fusion.forward (dims given)",
        _FUS,
        lambda c: c["l"],
        lambda c, w, xp: _fusion_class(c, dims=True).forward(_inputs(c, xp), w),
    ),
    WTarget(
        "Fusion.__call__",
        _FUS,
        lambda c: c["l"],
        lambda c, w, xp: _fusion_class(c, dims=False)(_inputs(c, xp), w),
    ),
]
_w_ids = [t.name for t in W_TARGETS]


@st.composite
def bad_w_shapes(draw: Any, l: int) -> tuple[int, ...]:
    """A shape that is neither ``(l,)`` nor ``(1, l)``: off by one, a column, two rows, 0-d, 3-d,
    or any small shape."""
    named = [
        (l - 1,),
        (l + 1,),
        (1, l - 1),
        (1, l + 1),
        (2, max(1, l // 2)),
        (),
        (1, 1, l),
        (1, l, 1),
        (l, 1, 1),
    ]
    if l >= 2:
        named.append((l, 1))
    anything = st.lists(st.integers(0, 5), min_size=0, max_size=3).map(tuple)
    shape = draw(st.sampled_from(named) | anything)
    return shape if shape not in ((l,), (1, l)) else (l + 1,)


@pytest.mark.parametrize("target", W_TARGETS, ids=_w_ids)
@_share(5)
@given(data=st.data())
def test_w_of_wrong_length_or_shape_names_expected_l_and_actual(
    target: WTarget, xp: ModuleType, data: st.DataObject
) -> None:
    cfg = data.draw(target.configs, label="cfg")
    l = target.l(cfg)
    shape = data.draw(bad_w_shapes(l), label="w shape")
    w = _ones(xp, shape)
    if len(shape) == 1 or (len(shape) == 2 and shape[0] == 1):
        actual = rf"length\s*=?\s*{shape[-1]}(?![\d.])"  # the actual length
    else:
        actual = re.escape(str(shape))  # the actual shape, as Python prints it
    with raises_refimpl_error(_number(l), actual):
        target.call(cfg, w, xp)


@st.composite
def fusion_rule_cfgs(draw: Any) -> dict[str, Any]:
    """A valid fusion configuration whose output width differs from its summed input width."""
    cfg = draw(fusion_cfgs().filter(lambda c: c["n"] is not None and c["n"] != sum(c["dims"])))
    return cfg


@given(cfg=fusion_rule_cfgs(), extra=st.sampled_from([-1, 1]))
def test_fusion_w_length_message_describes_the_fusion(cfg: dict[str, Any], extra: int) -> None:
    """The rule quoted for ``l`` names the fusion's quantities: the output width is ``n``, so
    the message must not call the summed input width ``N`` ``n`` too."""
    N, n, l = sum(cfg["dims"]), cfg["n"], cfg["l"]
    with raises_refimpl_error(_number(l), _word(f"n={n}")) as info:
        refimpl.dual_lphm_fusion(_inputs(cfg), np.ones(l + extra), p=cfg["p"], q=cfg["q"], r=cfg["r"], n=n)
    assert not re.search(_word(f"n={N}"), str(info.value)), f"message calls N={N} 'n': {info.value}"


# --- non-numeric dtypes -----------------------------------------------------------------------

NON_NUMERIC = st.sampled_from(["<U1", "S1", "datetime64[s]", "timedelta64[s]", "object"])


def _non_numeric(dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    if dtype.startswith(("<U", "S")):
        return np.full(shape, "1", dtype=dtype)
    if dtype == "object":
        return np.full(shape, 1.0, dtype=object)
    return np.ones(shape, dtype="int64").astype(dtype)


@pytest.mark.parametrize("target", W_TARGETS, ids=_w_ids)
@_share(4)
@given(data=st.data(), dtype=NON_NUMERIC)
def test_non_numeric_w_is_a_type_error(target: WTarget, data: st.DataObject, dtype: str) -> None:
    cfg = data.draw(target.configs, label="cfg")
    w = _non_numeric(dtype, (target.l(cfg),))
    with raises_type_error("numeric", re.escape(str(w.dtype))):
        target.call(cfg, w, namespace("numpy"))


FUSION_CALLS: dict[str, Callable[[Any, Any, dict[str, Any]], Any]] = {
    "dual_lphm_fusion": lambda x, w, c: refimpl.dual_lphm_fusion(
        x, w, p=c["p"], q=c["q"], r=c["r"], n=c["n"]
    ),
    "concatenation_fusion": lambda x, w, c: refimpl.concatenation_fusion(x, w, n=c["n"]),
    "Fusion.forward": lambda x, w, c: _fusion_class(c, dims=False).forward(x, w),
    "Fusion.forward (dims given)": lambda x, w, c: _fusion_class(c, dims=True).forward(x, w),
    "Fusion.__call__": lambda x, w, c: _fusion_class(c, dims=False)(x, w),
    "Fusion.__call__ (dims given)": lambda x, w, c: _fusion_class(c, dims=True)(x, w),
}
_f_ids = list(FUSION_CALLS)


def _w_for(name: str, cfg: dict[str, Any], xp: ModuleType) -> Any:
    return _ones(xp, (cfg["l_concat"] if name == "concatenation_fusion" else cfg["l"],))


@pytest.mark.parametrize("name", _f_ids)
@_share(4)
@given(data=st.data(), dtype=NON_NUMERIC)
def test_non_numeric_fusion_input_is_a_type_error(name: str, data: st.DataObject, dtype: str) -> None:
    cfg = data.draw(fusion_cfgs(), label="cfg")
    inputs = _inputs(cfg)
    i = data.draw(st.integers(0, len(inputs) - 1), label="which input")
    inputs[i] = _non_numeric(dtype, inputs[i].shape)
    with raises_type_error("numeric", re.escape(str(inputs[i].dtype))):
        FUSION_CALLS[name](inputs, _w_for(name, cfg, namespace("numpy")), cfg)


# --- fusion inputs ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", _f_ids)
@_share(4)
@given(cfg=fusion_cfgs(), empty=st.sampled_from([[], ()]))
def test_empty_input_list_is_a_refimpl_error(name: str, cfg: dict[str, Any], empty: Any) -> None:
    # With dims given, "expected widths [..], got widths []" names the expected and the actual too.
    with raises_refimpl_error(r"empty|at least one|\[\]"):
        FUSION_CALLS[name](empty, np.ones(cfg["l"]), cfg)


@given(cfg=fusion_cfgs(), args=st.sampled_from(["dims", "calculate_l", "calculate_n"]))
def test_empty_dims_is_a_refimpl_error(cfg: dict[str, Any], args: str) -> None:
    with raises_refimpl_error(r"empty|at least one"):
        if args == "dims":
            Fusion(r=cfg["r"], p=cfg["p"], q=cfg["q"], n=cfg["n"], dims=[])
        elif args == "calculate_l":
            _fusion_class(cfg, dims=False).calculate_l([])
        else:
            _fusion_class(cfg, dims=False).calculate_n([])
    with raises_refimpl_error(r"empty|at least one"):
        refimpl.dual_lphm_fusion_l([], cfg["n"], cfg["p"], cfg["q"], cfg["r"])


@pytest.mark.parametrize("name", _f_ids)
@_share(4)
@given(data=st.data())
def test_unequal_leading_shapes_are_a_refimpl_error(name: str, xp: ModuleType, data: st.DataObject) -> None:
    cfg = data.draw(fusion_cfgs(min_k=2), label="cfg")
    inputs = _inputs(cfg, xp)
    i = data.draw(st.integers(0, len(inputs) - 1), label="which input")
    lead, m, d = tuple(cfg["batch"]), cfg["m"], cfg["dims"][i]
    candidates = [lead + (m + 1,), lead[1:] + (m,), (3,) + lead + (m,), lead + (1 if m != 1 else 2, m)]
    new_lead = data.draw(st.sampled_from([c for c in candidates if c != lead + (m,)]), label="leading shape")
    inputs[i] = _ones(xp, new_lead + (d,))
    shapes = {tuple(a.shape) for a in inputs}
    with raises_refimpl_error("leading|shape", *(re.escape(str(s)) for s in shapes)):
        FUSION_CALLS[name](inputs, _w_for(name, cfg, xp), cfg)


@st.composite
def unequal_width_cfgs(draw: Any) -> dict[str, Any]:
    k = draw(st.integers(2, 3))
    dims = draw(st.lists(st.integers(1, 4), min_size=k, max_size=k).filter(lambda d: len(set(d)) > 1))
    return {
        "dims": dims,
        "n": None,
        "width": dims[0],
        "p": 1,
        "q": 1,
        "r": 1,
        "m": draw(st.integers(0, 2)),
        "batch": draw(st.sampled_from([(), (2,)])),
        "l": 1,
        "l_concat": 1,
    }


_UNEQUAL = {
    **{
        name: (lambda c, f=f: f(_inputs(c), np.ones(1), c))
        for name, f in FUSION_CALLS.items()
        if "dims given" not in name
    },
    "dual_lphm_fusion_l": lambda c: refimpl.dual_lphm_fusion_l(c["dims"], None, 1, None, 1),
    "Fusion()": lambda c: Fusion(r=1, p=1, dims=c["dims"]),
    "Fusion.calculate_l(dims)": lambda c: Fusion(r=1, p=1).calculate_l(c["dims"]),
    "Fusion.calculate_n(dims)": lambda c: Fusion(r=1, p=1).calculate_n(c["dims"]),
}


@pytest.mark.parametrize("name", list(_UNEQUAL))
@_share(4)
@given(cfg=unequal_width_cfgs())
def test_unequal_widths_without_n_are_a_refimpl_error(name: str, cfg: dict[str, Any]) -> None:
    with raises_refimpl_error(re.escape(str(cfg["dims"])), _word("n")):
        _UNEQUAL[name](cfg)


@pytest.mark.parametrize("name", _f_ids)
@_share(4)
@given(data=st.data())
def test_single_array_instead_of_a_list_is_a_type_error(
    name: str, xp: ModuleType, data: st.DataObject
) -> None:
    cfg = data.draw(fusion_cfgs(), label="cfg")
    which = data.draw(st.sampled_from(["one input", "stacked"]), label="array")
    if which == "one input":
        x = _inputs(cfg, xp)[0]
    else:  # the inputs stacked into one array: still one array, not a list of them
        x = _ones(xp, (len(cfg["dims"]), *cfg["batch"], cfg["m"], cfg["dims"][0]))
    with raises_type_error(r"list|sequence", re.escape(type(x).__name__)):
        FUSION_CALLS[name](x, _w_for(name, cfg, xp), cfg)


@pytest.mark.parametrize("name", _f_ids)
@_share(4)
@given(data=st.data())
def test_inputs_below_two_dimensions_are_a_refimpl_error(
    name: str, xp: ModuleType, data: st.DataObject
) -> None:
    cfg = data.draw(fusion_cfgs(), label="cfg")
    inputs = _inputs(cfg, xp)
    i = data.draw(st.integers(0, len(inputs) - 1), label="which input")
    shape = data.draw(st.sampled_from([(cfg["dims"][i],), ()]), label="shape")
    inputs[i] = _ones(xp, shape)
    with raises_refimpl_error(re.escape(str(shape))):
        FUSION_CALLS[name](inputs, _w_for(name, cfg, xp), cfg)


@pytest.mark.parametrize("name", _f_ids)
@_share(4)
@given(data=st.data())
def test_zero_width_input_is_a_refimpl_error(name: str, data: st.DataObject) -> None:
    cfg = data.draw(fusion_cfgs(), label="cfg")
    inputs = _inputs(cfg)
    i = data.draw(st.integers(0, len(inputs) - 1), label="which input")
    inputs[i] = np.ones(tuple(cfg["batch"]) + (cfg["m"], 0))
    with raises_refimpl_error(r"(?<![\w.])0(?![\w.])", r"positive|width"):
        FUSION_CALLS[name](inputs, np.ones(max(cfg["l"], cfg["l_concat"])), cfg)


# --- mixed array libraries and devices ------------------------------------------------------


@pytest.mark.parametrize("name", _f_ids)
@_share(5)
@given(data=st.data())
def test_mixed_array_libraries_are_a_type_error(name: str, mix: Any, data: st.DataObject) -> None:
    (a_name, a_xp), (b_name, b_xp) = mix
    cfg = data.draw(fusion_cfgs(), label="cfg")
    where = data.draw(st.sampled_from(["w", "inputs"]) if len(cfg["dims"]) > 1 else st.just("w"), label="mix")
    inputs = _inputs(cfg, a_xp)
    if where == "w":  # inputs from one library, w from another
        w = _w_for(name, cfg, b_xp)
    else:  # one input from another library
        i = data.draw(st.integers(0, len(inputs) - 1), label="which input")
        inputs[i] = _ones(b_xp, tuple(inputs[i].shape))
        w = _w_for(name, cfg, a_xp)
    with raises_type_error(_word(a_name), _word(b_name), r"librar"):
        FUSION_CALLS[name](inputs, w, cfg)


@pytest.mark.parametrize("name", _f_ids)
@_share(4)
@given(cfg=fusion_cfgs())
def test_arrays_on_several_devices_are_a_refimpl_error(name: str, cfg: dict[str, Any]) -> None:
    xp = namespace("array_api_strict")
    other = xp.Device("device1")
    inputs = _inputs(cfg, xp)
    w = xp.ones(
        (cfg["l_concat"] if name == "concatenation_fusion" else cfg["l"],), dtype=xp.float64, device=other
    )
    with raises_refimpl_error("device", re.escape(str(other)), re.escape(str(inputs[0].device))):
        FUSION_CALLS[name](inputs, w, cfg)


# --- sparse formats -------------------------------------------------------------------------


@pytest.mark.xp_backends("array_api_strict", "torch")
@given(cfg=padding_lphm_cfgs(), fmt=st.sampled_from(SPARSE), via=st.sampled_from(["function", "class"]))
def test_sparse_format_without_a_sparse_module_is_a_type_error(
    xp: ModuleType, cfg: dict[str, Any], fmt: str, via: str
) -> None:
    w = _ones(xp, (cfg["l"],))
    with raises_type_error(re.escape(f"format={fmt!r}"), r"format=['\"]dense['\"]"):
        if via == "function":
            refimpl.duplicated_diagonal_padding(w, cfg["n"], cfg["D"], cfg["p"], cfg["q"], format=fmt)
        else:
            refimpl.duplicated_diagonal_padding_reconciliation(p=cfg["p"], q=cfg["q"], format=fmt)(
                cfg["n"], cfg["D"], w
            )


@given(cfg=padding_lphm_cfgs(), fmt=st.sampled_from(SPARSE), via=st.sampled_from(["function", "class"]))
def test_float16_w_with_a_sparse_format_is_a_type_error(cfg: dict[str, Any], fmt: str, via: str) -> None:
    w = np.ones(cfg["l"], dtype=np.float16)
    with raises_type_error("float16", "dense"):
        if via == "function":
            refimpl.duplicated_diagonal_padding(w, cfg["n"], cfg["D"], cfg["p"], cfg["q"], format=fmt)
        else:
            refimpl.duplicated_diagonal_padding_reconciliation(p=cfg["p"], q=cfg["q"], format=fmt).forward(
                cfg["n"], cfg["D"], w
            )


NON_STRING_FORMATS = st.one_of(
    st.none(),
    st.integers(-2, 5),
    st.sampled_from(SPARSE).map(str.encode),
    st.sampled_from(refimpl.SPARSE_FORMATS).map(lambda f: [f]),
    st.floats(allow_nan=False),
)
UNKNOWN_FORMATS = st.sampled_from(["CSR", "Dense", "dia", "lil", "dok", " csr", "csr ", ""]) | st.text(
    max_size=4
).filter(lambda f: f not in refimpl.SPARSE_FORMATS)


def _format_patterns(bad: Any) -> tuple[str, ...]:
    # the actual value, and the expected ones (every accepted format named)
    return (re.escape(repr(bad)), *(re.escape(repr(f)) for f in refimpl.SPARSE_FORMATS))


@given(cfg=padding_lphm_cfgs(), bad=NON_STRING_FORMATS, via=st.sampled_from(["function", "forward"]))
def test_non_string_format_is_a_type_error(cfg: dict[str, Any], bad: Any, via: str) -> None:
    w = np.ones(cfg["l"])
    with raises_type_error(*_format_patterns(bad)):
        if via == "function":
            refimpl.duplicated_diagonal_padding(w, cfg["n"], cfg["D"], cfg["p"], cfg["q"], format=bad)
        else:
            refimpl.duplicated_diagonal_padding_reconciliation(p=cfg["p"], q=cfg["q"], format=bad)(
                cfg["n"], cfg["D"], w
            )


@given(cfg=padding_lphm_cfgs(), bad=UNKNOWN_FORMATS, via=st.sampled_from(["function", "forward"]))
def test_unknown_format_is_a_refimpl_error(cfg: dict[str, Any], bad: str, via: str) -> None:
    w = np.ones(cfg["l"])
    with raises_refimpl_error(*_format_patterns(bad)):
        if via == "function":
            refimpl.duplicated_diagonal_padding(w, cfg["n"], cfg["D"], cfg["p"], cfg["q"], format=bad)
        else:
            refimpl.duplicated_diagonal_padding_reconciliation(p=cfg["p"], q=cfg["q"], format=bad)(
                cfg["n"], cfg["D"], w
            )


@given(p=st.integers(1, 3), bad=UNKNOWN_FORMATS | NON_STRING_FORMATS)
def test_diagonal_class_rejects_a_bad_format_when_constructed(p: int, bad: Any) -> None:
    """The constructor checks ``p`` and ``q`` at once; a bad ``format`` must not wait for the
    first ``forward`` either."""
    expected = TypeError if not isinstance(bad, str) else RefimplError
    with pytest.raises(expected, match=_all_of(*_format_patterns(bad))) as info:
        refimpl.duplicated_diagonal_padding_reconciliation(p=p, format=bad)
    assert type(info.value) is expected


# --- the Fusion class without widths --------------------------------------------------------


@given(cfg=fusion_cfgs(), method=st.sampled_from(["calculate_l", "calculate_n"]))
def test_fusion_class_without_dims_is_a_type_error(cfg: dict[str, Any], method: str) -> None:
    fusion = _fusion_class(cfg, dims=False)
    with raises_type_error(r"dims"):
        getattr(fusion, method)()


@pytest.mark.parametrize("call", ["dual_lphm_fusion_l", "Fusion()", "Fusion.calculate_l(dims)"])
@_share(4)
@given(bad=st.sampled_from(["22", b"22", 5, 2.0, None, {2: 2}]))
def test_dims_that_is_not_a_sequence_is_a_type_error(call: str, bad: Any) -> None:
    if call != "dual_lphm_fusion_l" and bad is None:
        bad = 7  # to the class, dims=None means "not given" (see the test above)
    with raises_type_error(r"dims", re.escape(type(bad).__name__)):
        if call == "dual_lphm_fusion_l":
            refimpl.dual_lphm_fusion_l(bad, 2, 1, 1, 1)
        elif call == "Fusion()":
            Fusion(r=1, p=1, n=2, dims=bad)
        else:
            Fusion(r=1, p=1, n=2).calculate_l(bad)


# --- the Python API odds of issue 11 --------------------------------------------------------


@pytest.mark.parametrize(
    "dims", [np.array([2, 4]), np.array([2, 4], dtype=np.int32), np.array([2, 4], dtype=np.uint8)]
)
def test_dims_as_a_numpy_array_is_accepted_like_a_list(dims: Any) -> None:
    # Before: "dims must be a sequence of input widths, got ndarray".
    assert refimpl.dual_lphm_fusion_l(dims, 3, 2, 3, 1) == refimpl.dual_lphm_fusion_l([2, 4], 3, 2, 3, 1)
    assert refimpl.concatenation_fusion_l(dims, 2) == 12
    fusion = Fusion(r=1, p=2, q=3, n=3, dims=dims)
    assert fusion.dims == (2, 4) and all(type(d) is int for d in fusion.dims)
    assert fusion.calculate_l() == fusion.calculate_l(dims) == 9
    assert refimpl.dual_lphm_fusion_operator(dims, np.ones(9), p=2, q=3, r=1, n=3).shape == (6, 3)


@pytest.mark.parametrize(
    ("dims", "error", "message"),
    [
        (
            np.array([[2, 4]]),
            TypeError,
            r"dims must be a sequence \(or 1-D array\) of input widths, got an array of shape \(1, 2\)",
        ),
        (np.array(2), TypeError, r"got an array of shape \(\)"),
        (
            np.array([2.0, 4.0]),
            TypeError,
            r"dims\[0\] must be a positive integer, got np.float64\(2.0\) of type float64",
        ),
        (np.array([True]), TypeError, r"dims\[0\] must be a positive integer, got the bool"),
        (np.array([2, 0]), RefimplError, r"dims\[1\] must be a positive integer, got dims\[1\]=0"),
        (np.array([], dtype=int), RefimplError, r"dims must hold at least one input width"),
    ],
)
def test_dims_arrays_of_the_wrong_shape_or_dtype_name_the_fault(dims: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        refimpl.dual_lphm_fusion_l(dims, 2, 1, 1, 1)


@pytest.mark.parametrize("as_lists", [False, True], ids=["arrays", "nested lists"])
def test_fusion_class_given_inputs_of_the_wrong_widths_names_dims(as_lists: bool) -> None:
    # Before (nested lists): "inputs of unequal widths [2, 4] need the output width n; pass n explicitly".
    inputs = [np.ones((3, 2)), np.ones((3, 4))]
    if as_lists:
        inputs = [a.tolist() for a in inputs]
    fusion = Fusion(r=1, p=2, dims=[2, 2])
    with pytest.raises(
        RefimplError,
        match=r"inputs must have the widths dims=\[2, 2\] given to the constructor, got inputs of widths \[2, 4\]",
    ) as info:
        fusion(inputs, np.ones(7))
    assert "pass n explicitly" not in str(info.value)


def test_fusion_class_with_dims_still_lets_the_function_name_malformed_inputs() -> None:
    fusion = Fusion(r=1, p=2, dims=[2, 2])
    with pytest.raises(RefimplError, match=r"inputs\[1\] must have shape \(..., m, n_i\), got shape \(4,\)"):
        fusion([np.ones((3, 2)), np.ones(4)], np.ones(7))
    assert fusion([[[1.0, 1.0]], [[1.0, 1.0]]], np.ones(7)).shape == (1, 2)


_MASKED = np.ma.masked_array(np.arange(1.0, 5.0), mask=[0, 1, 0, 0])
_MASKED_CALLS = {
    # Before: duplicated_padding kept the mask, the dense diagonal padding dropped it silently.
    "duplicated_padding": lambda: refimpl.duplicated_padding(_MASKED, 4, 4, 2),
    "duplicated_diagonal_padding(dense)": lambda: refimpl.duplicated_diagonal_padding(
        _MASKED, 4, 4, 2, format="dense"
    ),
    "duplicated_diagonal_padding(csr)": lambda: refimpl.duplicated_diagonal_padding(_MASKED, 4, 4, 2),
    "dual_lphm": lambda: refimpl.dual_lphm(np.ma.ones(8), 4, 4, 2, 2, 1),
    "duplicated_padding_operator": lambda: refimpl.duplicated_padding_operator(_MASKED, 4, 4, 2),
    "dual_lphm_operator": lambda: refimpl.dual_lphm_operator(np.ma.ones(8), 4, 4, 2, 2, 1),
    "X @ op": lambda: np.ma.ones((2, 4)) @ refimpl.duplicated_padding_operator(np.ones(4), 4, 4, 2),
    "op @ Y": lambda: refimpl.duplicated_padding_operator(np.ones(4), 4, 4, 2) @ np.ma.ones((4, 2)),
    "op @ y": lambda: refimpl.duplicated_padding_operator(np.ones(4), 4, 4, 2) @ np.ma.ones(4),
    "concatenation_fusion(w)": lambda: refimpl.concatenation_fusion([np.ones((2, 2))], np.ma.ones(4)),
    "dual_lphm_fusion(inputs)": lambda: refimpl.dual_lphm_fusion(
        [np.ma.ones((2, 2))], np.ones(6), p=2, q=1, r=1
    ),
    "reconciliation class": lambda: refimpl.duplicated_diagonal_padding_reconciliation(p=2)(4, 4, _MASKED),
    "masked, nothing masked": lambda: refimpl.duplicated_padding(np.ma.masked_array(np.ones(4)), 4, 4, 2),
}


@pytest.mark.parametrize("call", list(_MASKED_CALLS))
def test_masked_arrays_are_refused_by_every_function(call: str) -> None:
    with pytest.raises(
        TypeError,
        match=r"masked arrays \(numpy.ma\) are not accepted.*x.filled\(value\).*numpy.ma.getdata\(x\)",
    ):
        _MASKED_CALLS[call]()


# --- backends -------------------------------------------------------------------------------

UNKNOWN_BACKENDS = st.sampled_from(["NumPy", "torch", "jax", "cupy ", "", "np"]) | st.text(max_size=6).filter(
    lambda s: s not in ("numpy", "cupy")
)
NON_STRING_BACKENDS = st.one_of(st.none(), st.integers(), st.just(b"numpy"), st.just(np), st.just(["numpy"]))


@given(bad=UNKNOWN_BACKENDS, how=st.sampled_from(["set_backend", "use_backend"]))
def test_unknown_backend_is_a_refimpl_error_and_changes_nothing(bad: str, how: str) -> None:
    before = refimpl.get_backend()
    with raises_refimpl_error(re.escape(repr(bad)), "numpy", "cupy"):
        if how == "set_backend":
            refimpl.set_backend(bad)  # type: ignore[arg-type]
        else:
            with refimpl.use_backend(bad):  # type: ignore[arg-type]
                pytest.fail("use_backend entered an unknown backend")
    assert refimpl.get_backend() == before


@given(bad=NON_STRING_BACKENDS, how=st.sampled_from(["set_backend", "use_backend"]))
def test_non_string_backend_is_a_type_error_and_changes_nothing(bad: Any, how: str) -> None:
    before = refimpl.get_backend()
    with raises_type_error(re.escape(type(bad).__name__), "numpy", "cupy"):
        if how == "set_backend":
            refimpl.set_backend(bad)
        else:
            with refimpl.use_backend(bad):
                pytest.fail("use_backend entered a non-string backend")
    assert refimpl.get_backend() == before
