"""The error contract: bad input to any public function or class raises the documented exception.

Every public callable of ``refimpl`` (the functions, the four tinybig-style classes, the backend
switches) is given invalid configurations and malformed parameter vectors.
Hypothesis draws a *valid* configuration and breaks exactly one thing in it; the test then asserts

* the exact exception type: ``TypeError`` (and not a ``RefimplError``) for a wrong type,
  ``refimpl.RefimplError`` for a wrong value (SPEC, "Conventions": "a bad configuration or a ``w``
  of the wrong length raises a ``ValueError`` subclass whose message names the expected and the
  actual value; a wrong type raises ``TypeError``");
* that the message names the numbers involved: the expected value and the actual one.

One class per rule of the arguments (dimensions, divisions, ``w``, dtypes, fusion inputs, libraries
and devices, sparse formats, input widths, backends), each test over every entry point the rule
applies to; a few of them pin what the rule accepts, beside what breaking it raises.
Then :data:`INVALID`, the table of single bad calls (``TestInvalidArguments``): one row per call,
with the exception it must raise and what its message must name.

The command line's answer to bad input (exit status 2, a message) is tested in ``test_cli.py``.
"""

from __future__ import annotations

import contextlib
import operator
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
import refimpl.shapes
from refimpl import RefimplError
from refimpl._validation import check_parameter_vector
from refimpl.shapes import concat_shape

from ._support import as_xp, to_numpy
from .conftest import namespace
from .strategies import fusion_configs, fusion_inputs, lphm_configs, padding_configs, vectors

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


class TestRefimplError:
    """``RefimplError``: a ``ValueError`` and an ``AssertionError``, never a ``TypeError``."""

    def test_refimpl_error_is_a_value_error_and_an_assertion_error(self) -> None:
        assert issubclass(RefimplError, ValueError)
        assert issubclass(RefimplError, AssertionError)
        assert not issubclass(RefimplError, TypeError)

    @given(p=st.integers(2, 5), s=st.integers(1, 4), off=st.integers(1, 4), D=st.integers(1, 6))
    def test_callers_catching_assertion_error_or_value_error_catch_it(
        self, p: int, s: int, off: int, D: int
    ) -> None:
        n = p * s + 1 + off % (p - 1)  # p*s + 1 .. p*s + p-1: not divisible by p
        for base in (AssertionError, ValueError):
            try:
                refimpl.duplicated_padding_l(n=n, D=D, p=p, q=1)
            except base as exc:
                assert type(exc) is RefimplError
                assert f"n={n} is not divisible by p={p}" in str(exc)
            else:
                pytest.fail(f"duplicated_padding_l(n={n}, D={D}, p={p}, q=1) raised nothing")


class TestDimensions:
    """A dimension of the wrong type, or not positive, given to any entry point."""

    @pytest.mark.parametrize("target", DIM_TARGETS, ids=_ids)
    @_share(5)
    @given(data=st.data())
    def test_non_integer_or_bool_dimension_is_a_type_error(self, target: Target, data: st.DataObject) -> None:
        cfg = data.draw(target.configs, label="valid cfg")
        param = data.draw(st.sampled_from(target.params(cfg)), label="param")
        bad_values = NON_INTEGERS | BOOLS if param in target.optional else NON_INTEGERS | BOOLS | st.none()
        bad = data.draw(bad_values, label="bad value")
        with raises_type_error(_word(param), re.escape(repr(bad)), "integer"):
            target.call(_with(cfg, param, bad))

    @pytest.mark.parametrize("target", DIM_TARGETS, ids=_ids)
    @_share(5)
    @given(data=st.data())
    def test_zero_or_negative_dimension_is_a_refimpl_error(self, target: Target, data: st.DataObject) -> None:
        cfg = data.draw(target.configs, label="valid cfg")
        param = data.draw(st.sampled_from(target.params(cfg)), label="param")
        bad = data.draw(NON_POSITIVE, label="bad value")
        with raises_refimpl_error(_word(param), "positive", rf"{re.escape(param)}\s*=\s*{int(bad)}(?![\d.])"):
            target.call(_with(cfg, param, bad))

    @pytest.mark.parametrize(
        "value", [np.int64(4), np.uint8(4), np.int32(4), np.array(4), pytest.param("torch", id="torch")]
    )
    def test_integer_scalars_of_array_libraries_are_dimensions(self, value: object) -> None:
        # The test that tells a bool from an integer asks an integer array scalar for its dtype;
        # asked wrongly, it raises on these instead of accepting them.
        if isinstance(value, str):
            torch = pytest.importorskip("torch")
            value = torch.tensor(4)
        assert refimpl.duplicated_padding_l(value, 4, 2) == 4  # type: ignore[arg-type]


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


class TestDivisions:
    """``p`` or ``q`` that does not divide what it must."""

    @pytest.mark.parametrize("target", DIVISIBILITY_TARGETS, ids=[t.name for t in DIVISIBILITY_TARGETS])
    @_share(3)
    @given(cfg=non_divisible_padding_cfgs())
    def test_inexact_division_names_both_numbers(self, target: Target, cfg: dict[str, Any]) -> None:
        with raises_refimpl_error(_word(cfg["expected"])):
            target.call(cfg)

    @pytest.mark.parametrize(
        "target", FUSION_DIVISIBILITY_TARGETS, ids=[t.name for t in FUSION_DIVISIBILITY_TARGETS]
    )
    @_share(3)
    @given(cfg=non_divisible_fusion_cfgs())
    def test_fusion_inexact_division_names_N_or_n(self, target: Target, cfg: dict[str, Any]) -> None:
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


@st.composite
def fusion_rule_cfgs(draw: Any) -> dict[str, Any]:
    """A valid fusion configuration whose output width differs from its summed input width."""
    cfg = draw(fusion_cfgs().filter(lambda c: c["n"] is not None and c["n"] != sum(c["dims"])))
    return cfg


def same(actual: Any, expected: Any) -> None:
    """Equal shapes, dtypes and entries (both converted to NumPy)."""
    a, e = to_numpy(actual), to_numpy(expected)
    assert a.dtype == e.dtype, (a.dtype, e.dtype)
    assert a.shape == e.shape, (a.shape, e.shape)
    np.testing.assert_array_equal(a, e)


def _row(xp: ModuleType, w: Any) -> Any:
    return xp.reshape(w, (1, w.shape[0]))


class TestParameterVector:
    """``w`` is read as ``(l,)`` or ``(1, l)`` by every function (a wrong implementation returns the
    ``(1, l)`` array without reshaping it, or refuses it); any other length or shape is refused."""

    @pytest.mark.parametrize("given_shape", [(6,), (1, 6)])
    def test_the_checked_w_is_a_vector_of_length_l(
        self, xp: ModuleType, given_shape: tuple[int, ...]
    ) -> None:
        # Every caller cuts the checked w by its entries: a (1, l) w left as a row would be cut
        # by rows. Both shapes give the vector, with w's values.
        shape = refimpl.shapes.lphm_shape(2, 2, 1, 1, 1)  # l = 1 * (1 + 1 + 2 + 2) = 6
        w = xp.reshape(xp.arange(6, dtype=xp.float64), given_shape)
        got = check_parameter_vector(xp, w, shape)
        assert tuple(got.shape) == (6,)
        np.testing.assert_array_equal(to_numpy(got), np.arange(6.0))

    @pytest.mark.xp_backends("numpy", "array_api_strict", "torch")
    @given(data=st.data())
    def test_a_row_w_gives_what_the_vector_w_gives_for_the_matrices_and_operators(
        self, xp: ModuleType, data: Any
    ) -> None:
        c = data.draw(padding_configs(), label="padding")
        args = (c["n"], c["D"], c["p"], c["q"])
        w = as_xp(xp, data.draw(vectors(refimpl.duplicated_padding_l(*args))))
        same(refimpl.duplicated_padding(_row(xp, w), *args), refimpl.duplicated_padding(w, *args))
        dense = refimpl.duplicated_diagonal_padding(w, *args, format="dense")
        same(refimpl.duplicated_diagonal_padding(_row(xp, w), *args, format="dense"), dense)
        if xp.__name__.endswith("numpy"):
            same(refimpl.duplicated_diagonal_padding(_row(xp, w), *args), dense)
        for make in (refimpl.duplicated_padding_operator, refimpl.duplicated_diagonal_padding_operator):
            same(make(_row(xp, w), *args).toarray(), make(w, *args).toarray())

        c = data.draw(lphm_configs(), label="lphm")
        args = (c["n"], c["D"], c["p"], c["q"], c["r"])
        w = as_xp(xp, data.draw(vectors(refimpl.dual_lphm_l(*args))))
        expected = refimpl.dual_lphm(w, *args)
        same(refimpl.dual_lphm(_row(xp, w), *args), expected)
        same(refimpl.dual_lphm_operator(_row(xp, w), *args).toarray(), expected)

    @pytest.mark.xp_backends("numpy", "array_api_strict", "torch")
    @given(data=st.data())
    def test_a_row_w_gives_what_the_vector_w_gives_for_the_fusions(self, xp: ModuleType, data: Any) -> None:
        cfg = data.draw(fusion_configs())
        inputs = [as_xp(xp, a) for a in data.draw(fusion_inputs(cfg))]
        dims, n, p, q, r = cfg["dims"], cfg["n"], cfg["p"], cfg["q"], cfg["r"]
        w = as_xp(xp, data.draw(vectors(refimpl.dual_lphm_fusion_l(dims, n, p, q, r))))
        for method in ("structured", "dense"):
            expected = refimpl.dual_lphm_fusion(inputs, w, p=p, q=q, r=r, n=n, method=method)
            same(refimpl.dual_lphm_fusion(inputs, _row(xp, w), p=p, q=q, r=r, n=n, method=method), expected)
        same(
            refimpl.dual_lphm_fusion_operator(dims, _row(xp, w), p=p, q=q, r=r, n=n).toarray(),
            refimpl.dual_lphm_fusion_operator(dims, w, p=p, q=q, r=r, n=n).toarray(),
        )
        w = as_xp(xp, data.draw(vectors(refimpl.concatenation_fusion_l(dims, n))))
        same(
            refimpl.concatenation_fusion(inputs, _row(xp, w), n=n),
            refimpl.concatenation_fusion(inputs, w, n=n),
        )

    def test_w_as_a_row_is_w_as_a_vector(self) -> None:
        # Exact small cases: a (1, l) w refused, or passed on unreshaped, fails here.
        vector = refimpl.duplicated_padding(np.asarray([1.0, 2.0]), 2, 2, 2, 1)
        row = refimpl.duplicated_padding(np.asarray([[1.0, 2.0]]), 2, 2, 2, 1)
        assert row.shape == vector.shape == (2, 2)
        np.testing.assert_array_equal(row, vector)
        lphm = refimpl.dual_lphm(np.arange(8.0).reshape(1, 8), 4, 4, 2, 2, 1)
        np.testing.assert_array_equal(lphm, refimpl.dual_lphm(np.arange(8.0), 4, 4, 2, 2, 1))

    @pytest.mark.parametrize("target", W_TARGETS, ids=_w_ids)
    @_share(5)
    @given(data=st.data())
    def test_w_of_wrong_length_or_shape_names_expected_l_and_actual(
        self, target: WTarget, xp: ModuleType, data: st.DataObject
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

    @given(cfg=fusion_rule_cfgs(), extra=st.sampled_from([-1, 1]))
    def test_fusion_w_length_message_describes_the_fusion(self, cfg: dict[str, Any], extra: int) -> None:
        """The rule quoted for ``l`` names the fusion's quantities: the output width is ``n``, so
        the message must not call the summed input width ``N`` ``n`` too."""
        N, n, l = sum(cfg["dims"]), cfg["n"], cfg["l"]
        with raises_refimpl_error(_number(l), _word(f"n={n}")) as info:
            refimpl.dual_lphm_fusion(
                _inputs(cfg), np.ones(l + extra), p=cfg["p"], q=cfg["q"], r=cfg["r"], n=n
            )
        assert not re.search(_word(f"n={N}"), str(info.value)), f"message calls N={N} 'n': {info.value}"


# --- non-numeric dtypes -----------------------------------------------------------------------

NON_NUMERIC = st.sampled_from(["<U1", "S1", "datetime64[s]", "timedelta64[s]", "object"])


def _non_numeric(dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    if dtype.startswith(("<U", "S")):
        return np.full(shape, "1", dtype=dtype)
    if dtype == "object":
        return np.full(shape, 1.0, dtype=object)
    return np.ones(shape, dtype="int64").astype(dtype)


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


class TestNonNumericDtypes:
    """A ``w`` or a fusion input of a dtype that is not a number."""

    @pytest.mark.parametrize("target", W_TARGETS, ids=_w_ids)
    @_share(4)
    @given(data=st.data(), dtype=NON_NUMERIC)
    def test_non_numeric_w_is_a_type_error(self, target: WTarget, data: st.DataObject, dtype: str) -> None:
        cfg = data.draw(target.configs, label="cfg")
        w = _non_numeric(dtype, (target.l(cfg),))
        with raises_type_error("numeric", re.escape(str(w.dtype))):
            target.call(cfg, w, namespace("numpy"))

    @pytest.mark.parametrize("name", _f_ids)
    @_share(4)
    @given(data=st.data(), dtype=NON_NUMERIC)
    def test_non_numeric_fusion_input_is_a_type_error(
        self, name: str, data: st.DataObject, dtype: str
    ) -> None:
        cfg = data.draw(fusion_cfgs(), label="cfg")
        inputs = _inputs(cfg)
        i = data.draw(st.integers(0, len(inputs) - 1), label="which input")
        inputs[i] = _non_numeric(dtype, inputs[i].shape)
        with raises_type_error("numeric", re.escape(str(inputs[i].dtype))):
            FUSION_CALLS[name](inputs, _w_for(name, cfg, namespace("numpy")), cfg)


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


class TestFusionInputs:
    """The inputs of a fusion: their list, their widths, their leading shapes."""

    @pytest.mark.parametrize("name", _f_ids)
    @_share(4)
    @given(cfg=fusion_cfgs(), empty=st.sampled_from([[], ()]))
    def test_empty_input_list_is_a_refimpl_error(self, name: str, cfg: dict[str, Any], empty: Any) -> None:
        # With dims given, "expected widths [..], got widths []" names the expected and the actual too.
        with raises_refimpl_error(r"empty|at least one|\[\]"):
            FUSION_CALLS[name](empty, np.ones(cfg["l"]), cfg)

    @given(cfg=fusion_cfgs(), args=st.sampled_from(["dims", "calculate_l", "calculate_n"]))
    def test_empty_dims_is_a_refimpl_error(self, cfg: dict[str, Any], args: str) -> None:
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
    def test_unequal_leading_shapes_are_a_refimpl_error(
        self, name: str, xp: ModuleType, data: st.DataObject
    ) -> None:
        cfg = data.draw(fusion_cfgs(min_k=2), label="cfg")
        inputs = _inputs(cfg, xp)
        i = data.draw(st.integers(0, len(inputs) - 1), label="which input")
        lead, m, d = tuple(cfg["batch"]), cfg["m"], cfg["dims"][i]
        candidates = [lead + (m + 1,), lead[1:] + (m,), (3,) + lead + (m,), lead + (1 if m != 1 else 2, m)]
        new_lead = data.draw(
            st.sampled_from([c for c in candidates if c != lead + (m,)]), label="leading shape"
        )
        inputs[i] = _ones(xp, new_lead + (d,))
        shapes = {tuple(a.shape) for a in inputs}
        with raises_refimpl_error("leading|shape", *(re.escape(str(s)) for s in shapes)):
            FUSION_CALLS[name](inputs, _w_for(name, cfg, xp), cfg)

    @pytest.mark.parametrize("name", list(_UNEQUAL))
    @_share(4)
    @given(cfg=unequal_width_cfgs())
    def test_unequal_widths_without_n_are_a_refimpl_error(self, name: str, cfg: dict[str, Any]) -> None:
        with raises_refimpl_error(re.escape(str(cfg["dims"])), _word("n")):
            _UNEQUAL[name](cfg)

    @pytest.mark.parametrize("name", _f_ids)
    @_share(4)
    @given(data=st.data())
    def test_single_array_instead_of_a_list_is_a_type_error(
        self, name: str, xp: ModuleType, data: st.DataObject
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
        self, name: str, xp: ModuleType, data: st.DataObject
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
    def test_zero_width_input_is_a_refimpl_error(self, name: str, data: st.DataObject) -> None:
        cfg = data.draw(fusion_cfgs(), label="cfg")
        inputs = _inputs(cfg)
        i = data.draw(st.integers(0, len(inputs) - 1), label="which input")
        inputs[i] = np.ones(tuple(cfg["batch"]) + (cfg["m"], 0))
        with raises_refimpl_error(r"(?<![\w.])0(?![\w.])", r"positive|width"):
            FUSION_CALLS[name](inputs, np.ones(max(cfg["l"], cfg["l_concat"])), cfg)


class TestLibrariesAndDevices:
    """Arrays of several libraries, or on several devices, in one call."""

    @pytest.mark.parametrize("name", _f_ids)
    @_share(5)
    @given(data=st.data())
    def test_mixed_array_libraries_are_a_type_error(self, name: str, mix: Any, data: st.DataObject) -> None:
        (a_name, a_xp), (b_name, b_xp) = mix
        cfg = data.draw(fusion_cfgs(), label="cfg")
        where = data.draw(
            st.sampled_from(["w", "inputs"]) if len(cfg["dims"]) > 1 else st.just("w"), label="mix"
        )
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
    def test_arrays_on_several_devices_are_a_refimpl_error(self, name: str, cfg: dict[str, Any]) -> None:
        xp = namespace("array_api_strict")
        other = xp.Device("device1")
        inputs = _inputs(cfg, xp)
        w = xp.ones(
            (cfg["l_concat"] if name == "concatenation_fusion" else cfg["l"],), dtype=xp.float64, device=other
        )
        with raises_refimpl_error("device", re.escape(str(other)), re.escape(str(inputs[0].device))):
            FUSION_CALLS[name](inputs, w, cfg)


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


class TestSparseFormats:
    """The ``format`` of the diagonal padding, its function and its class."""

    @pytest.mark.xp_backends("array_api_strict", "torch")
    @given(cfg=padding_lphm_cfgs(), fmt=st.sampled_from(SPARSE), via=st.sampled_from(["function", "class"]))
    def test_sparse_format_without_a_sparse_module_is_a_type_error(
        self, xp: ModuleType, cfg: dict[str, Any], fmt: str, via: str
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
    def test_float16_w_with_a_sparse_format_is_a_type_error(
        self, cfg: dict[str, Any], fmt: str, via: str
    ) -> None:
        w = np.ones(cfg["l"], dtype=np.float16)
        with raises_type_error("float16", "dense"):
            if via == "function":
                refimpl.duplicated_diagonal_padding(w, cfg["n"], cfg["D"], cfg["p"], cfg["q"], format=fmt)
            else:
                refimpl.duplicated_diagonal_padding_reconciliation(
                    p=cfg["p"], q=cfg["q"], format=fmt
                ).forward(cfg["n"], cfg["D"], w)

    @given(cfg=padding_lphm_cfgs(), bad=NON_STRING_FORMATS, via=st.sampled_from(["function", "forward"]))
    def test_non_string_format_is_a_type_error(self, cfg: dict[str, Any], bad: Any, via: str) -> None:
        w = np.ones(cfg["l"])
        with raises_type_error(*_format_patterns(bad)):
            if via == "function":
                refimpl.duplicated_diagonal_padding(w, cfg["n"], cfg["D"], cfg["p"], cfg["q"], format=bad)
            else:
                refimpl.duplicated_diagonal_padding_reconciliation(p=cfg["p"], q=cfg["q"], format=bad)(
                    cfg["n"], cfg["D"], w
                )

    @given(cfg=padding_lphm_cfgs(), bad=UNKNOWN_FORMATS, via=st.sampled_from(["function", "forward"]))
    def test_unknown_format_is_a_refimpl_error(self, cfg: dict[str, Any], bad: str, via: str) -> None:
        w = np.ones(cfg["l"])
        with raises_refimpl_error(*_format_patterns(bad)):
            if via == "function":
                refimpl.duplicated_diagonal_padding(w, cfg["n"], cfg["D"], cfg["p"], cfg["q"], format=bad)
            else:
                refimpl.duplicated_diagonal_padding_reconciliation(p=cfg["p"], q=cfg["q"], format=bad)(
                    cfg["n"], cfg["D"], w
                )

    @given(p=st.integers(1, 3), bad=UNKNOWN_FORMATS | NON_STRING_FORMATS)
    def test_diagonal_class_rejects_a_bad_format_when_constructed(self, p: int, bad: Any) -> None:
        """The constructor checks ``p`` and ``q`` at once; a bad ``format`` must not wait for the
        first ``forward`` either."""
        expected = TypeError if not isinstance(bad, str) else RefimplError
        with pytest.raises(expected, match=_all_of(*_format_patterns(bad))) as info:
            refimpl.duplicated_diagonal_padding_reconciliation(p=p, format=bad)
        assert type(info.value) is expected


class TestFusionWidths:
    """The input widths ``dims`` of the fusions' ``*_l`` and of the fusion class."""

    @given(cfg=fusion_cfgs(), method=st.sampled_from(["calculate_l", "calculate_n"]))
    def test_fusion_class_without_dims_is_a_type_error(self, cfg: dict[str, Any], method: str) -> None:
        fusion = _fusion_class(cfg, dims=False)
        with raises_type_error(r"dims"):
            getattr(fusion, method)()

    @pytest.mark.parametrize("call", ["dual_lphm_fusion_l", "Fusion()", "Fusion.calculate_l(dims)"])
    @_share(4)
    @given(bad=st.sampled_from(["22", b"22", 5, 2.0, None, {2: 2}]))
    def test_dims_that_is_not_a_sequence_is_a_type_error(self, call: str, bad: Any) -> None:
        if call != "dual_lphm_fusion_l" and bad is None:
            bad = 7  # to the class, dims=None means "not given" (see the test above)
        with raises_type_error(r"dims", re.escape(type(bad).__name__)):
            if call == "dual_lphm_fusion_l":
                refimpl.dual_lphm_fusion_l(bad, 2, 1, 1, 1)
            elif call == "Fusion()":
                Fusion(r=1, p=1, n=2, dims=bad)
            else:
                Fusion(r=1, p=1, n=2).calculate_l(bad)

    @pytest.mark.parametrize(
        "dims", [np.array([2, 4]), np.array([2, 4], dtype=np.int32), np.array([2, 4], dtype=np.uint8)]
    )
    def test_dims_as_a_numpy_array_is_accepted_like_a_list(self, dims: Any) -> None:
        # Before: "dims must be a sequence of input widths, got ndarray".
        assert refimpl.dual_lphm_fusion_l(dims, 3, 2, 3, 1) == refimpl.dual_lphm_fusion_l([2, 4], 3, 2, 3, 1)
        assert refimpl.concatenation_fusion_l(dims, 2) == 12
        fusion = Fusion(r=1, p=2, q=3, n=3, dims=dims)
        assert fusion.dims == (2, 4) and all(type(d) is int for d in fusion.dims)
        assert fusion.calculate_l() == fusion.calculate_l(dims) == 9
        assert refimpl.dual_lphm_fusion_operator(dims, np.ones(9), p=2, q=3, r=1, n=3).shape == (6, 3)

    def test_fusion_class_with_dims_still_lets_the_function_name_malformed_inputs(self) -> None:
        fusion = Fusion(r=1, p=2, dims=[2, 2])
        with pytest.raises(
            RefimplError, match=r"inputs\[1\] must have shape \(..., m, n_i\), got shape \(4,\)"
        ):
            fusion([np.ones((3, 2)), np.ones(4)], np.ones(7))
        assert fusion([[[1.0, 1.0]], [[1.0, 1.0]]], np.ones(7)).shape == (1, 2)


# --- backends -------------------------------------------------------------------------------

UNKNOWN_BACKENDS = st.sampled_from(["NumPy", "torch", "jax", "cupy ", "", "np"]) | st.text(max_size=6).filter(
    lambda s: s not in ("numpy", "cupy")
)
NON_STRING_BACKENDS = st.one_of(st.none(), st.integers(), st.just(b"numpy"), st.just(np), st.just(["numpy"]))


class TestBackends:
    """``set_backend`` and ``use_backend`` given a bad name: refused, nothing changed."""

    @given(bad=UNKNOWN_BACKENDS, how=st.sampled_from(["set_backend", "use_backend"]))
    def test_unknown_backend_is_a_refimpl_error_and_changes_nothing(self, bad: str, how: str) -> None:
        before = refimpl.get_backend()
        with raises_refimpl_error(re.escape(repr(bad)), "numpy", "cupy"):
            if how == "set_backend":
                refimpl.set_backend(bad)  # type: ignore[arg-type]
            else:
                with refimpl.use_backend(bad):  # type: ignore[arg-type]
                    pytest.fail("use_backend entered an unknown backend")
        assert refimpl.get_backend() == before

    @given(bad=NON_STRING_BACKENDS, how=st.sampled_from(["set_backend", "use_backend"]))
    def test_non_string_backend_is_a_type_error_and_changes_nothing(self, bad: Any, how: str) -> None:
        before = refimpl.get_backend()
        with raises_type_error(re.escape(type(bad).__name__), "numpy", "cupy"):
            if how == "set_backend":
                refimpl.set_backend(bad)
            else:
                with refimpl.use_backend(bad):
                    pytest.fail("use_backend entered a non-string backend")
        assert refimpl.get_backend() == before


# --- the table of invalid arguments -----------------------------------------------------------
# One row per bad call, as Hypothesis's own test of its argument validation has them: the callable,
# its arguments, the exception it must raise (that class exactly, not a subclass or a parent) and
# the patterns its message must match. An argument that needs an optional library (array_api_strict,
# PyTorch, Dask) is made when its row runs (``Later``), so that the row skips, naming the library,
# where the library is absent. The facts are checked, never the wording: the numbers of each
# configuration are chosen distinct, so that each one found is the one meant.


class Later(NamedTuple):
    """An argument made when its row runs."""

    make: Callable[[], Any]


def _resolve(value: Any) -> Any:
    if isinstance(value, Later):
        return value.make()
    if isinstance(value, list):
        return [_resolve(v) for v in value]
    return value


def token(fact: str) -> str:
    """``fact`` as a whole token: not glued to a letter, a digit or ``_`` (nor a ``.`` before it)."""
    return rf"(?<![0-9A-Za-z_.]){re.escape(fact)}(?![0-9A-Za-z_])"


def in_order(*facts: str) -> str:
    """Each fact as a whole token, in this order (the order SPEC gives: expected, then received)."""
    return "(?s)" + ".*?".join(token(fact) for fact in facts)


def each(*facts: str) -> tuple[str, ...]:
    """Each fact as a whole token, in any order."""
    return tuple(token(fact) for fact in facts)


def substrings(*texts: str) -> tuple[str, ...]:
    """Each text somewhere in the message."""
    return tuple(re.escape(text) for text in texts)


def lacks(text: str) -> str:
    """``text`` nowhere in the message."""
    return rf"(?s)\A(?!.*{re.escape(text)})"


def row(
    id: str,
    function: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    exception: type[Exception],
    message: str | tuple[str, ...],
) -> Any:
    return pytest.param(function, args, kwargs, exception, message, id=id)


def _method(name: str) -> Callable[..., Any]:
    """``obj.name(*args)`` as a function of ``obj`` (the object may be made when its row runs)."""

    def call(obj: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(obj, name)(*args, **kwargs)

    call.__name__ = name
    return call


MATMUL, RMATMUL = _method("matmul"), _method("rmatmul")


def _strict() -> ModuleType:
    return pytest.importorskip("array_api_strict")


def _torch() -> ModuleType:
    return pytest.importorskip("torch")


def _dask() -> ModuleType:
    return pytest.importorskip("dask.array")


def _library(name: str) -> ModuleType:
    """The namespace of ``name`` (PyTorch's through array_api_compat); skips where it is absent."""
    if name == "torch":
        _torch()
        import array_api_compat.torch as xp

        return xp
    return pytest.importorskip(name)


KINDS = ("padding", "diagonal", "lphm")
_MAKE: dict[str, Callable[..., Any]] = {
    "padding": refimpl.duplicated_padding_operator,
    "diagonal": refimpl.duplicated_diagonal_padding_operator,
    "lphm": refimpl.dual_lphm_operator,
}
# Padding (n, D, p, q) = (6, 10, 3, 5): s = t = 2, l = 4. Dual-LPHM with r = 2: l = 2*(3 + 5 + 2 + 2) = 24.
_ARGS_6x10 = {"padding": (6, 10, 3, 5), "diagonal": (6, 10, 3, 5), "lphm": (6, 10, 3, 5, 2)}
_ARGS_4x6 = {"padding": (4, 6, 2, 3), "diagonal": (4, 6, 2, 3), "lphm": (4, 6, 2, 3, 1)}


def _operator(kind: str, args: dict[str, tuple[int, ...]], w_of: Callable[[int], Any] = np.ones) -> Any:
    a = args[kind]
    l = refimpl.dual_lphm_l(*a) if kind == "lphm" else refimpl.duplicated_padding_l(*a)
    return _MAKE[kind](w_of(l), *a)


def _op(kind: str) -> Any:
    """A 6 x 10 operator of ``kind``, ``w`` all ones."""
    return _operator(kind, _ARGS_6x10)


def _op_4x6(kind: str, w_of: Callable[[int], Any] = np.ones) -> Any:
    return _operator(kind, _ARGS_4x6, w_of)


def _arange(l: int) -> np.ndarray:
    return np.arange(1.0, l + 1.0)


def _lphm_4x6() -> Any:
    """A 4 x 6 Dual-LPHM operator, ``w = 1..l``."""
    return refimpl.dual_lphm_operator(np.arange(1.0, refimpl.dual_lphm_l(4, 6, 2, 3, 1) + 1.0), 4, 6, 2, 3, 1)


def _choice_operator() -> Any:
    """A 4 x 2 Dual-LPHM operator, (n, D, p, q, r) = (4, 2, 2, 1, 4)."""
    return refimpl.dual_lphm_operator(np.arange(1.0, refimpl.dual_lphm_l(4, 2, 2, 1, 4) + 1), 4, 2, 2, 1, 4)


def _strict_on(device: str, shape: Any) -> Later:
    return Later(lambda: _strict().ones(shape, device=_strict().Device(device)))


def _dask_ones(shape: tuple[int, ...], chunks: Any = 1) -> Later:
    """A Dask array of ones (a 0-d one from NumPy's 1.0)."""
    if shape == ():
        return Later(lambda: _dask().from_array(np.float64(1.0)))
    return Later(lambda: _dask().ones(shape, chunks=chunks))


_LIBRARY_CALLS = [  # (what, the call with an array of another library, made when it runs)
    ("op @ Y", operator.matmul, lambda xq: xq.ones((6, 2), dtype=xq.float64)),
    ("op @ Y of 3-D", operator.matmul, lambda xq: xq.ones((3, 6, 2), dtype=xq.float64)),
    ("op @ y", operator.matmul, lambda xq: xq.ones(6, dtype=xq.float64)),
    ("op.matmul(Y)", MATMUL, lambda xq: xq.ones((6, 2), dtype=xq.float64)),
    ("op.rmatmul(X)", RMATMUL, lambda xq: xq.ones((2, 4), dtype=xq.float64)),
]
_MASKED = np.ma.masked_array(np.arange(1.0, 5.0), mask=[0, 1, 0, 0])
_MASKED_MESSAGE = r"masked arrays \(numpy.ma\) are not accepted.*x.filled\(value\).*numpy.ma.getdata\(x\)"
_PAD_4x4 = refimpl.duplicated_padding_operator(np.ones(4), 4, 4, 2)
_A = np.ones((3, 2))


def _fusion_call(fusion: str) -> tuple[Callable[..., Any], Any, dict[str, Any]]:
    """The fusion, a ``w`` of the right length for inputs of widths 2 + 2, and its keywords."""
    if fusion == "dual_lphm":
        return refimpl.dual_lphm_fusion, np.ones(7), {"p": 1, "r": 1}
    return refimpl.concatenation_fusion, np.ones(6), {}


def _fusion_rows() -> list[Any]:
    """What both fusions refuse of their inputs: the type given, ``inputs``, the index and shapes."""
    rows = []
    for fusion in ["dual_lphm", "concatenation"]:
        function, w, keywords = _fusion_call(fusion)
        for what, inputs, extra, error, message in [
            ("an array for inputs", _A, {}, TypeError, (r"\bndarray\b", r"(?<!\w)inputs(?!\w)")),
            # a dict is neither an array nor a sequence
            ("a dict for inputs", {"A": _A}, {}, TypeError, (r"\bdict\b", r"(?<!\w)inputs(?!\w)")),
            ("no inputs", [], {}, RefimplError, (r"(?<!\w)inputs(?!\w)", r"(?i)empty|at least one")),
            ("inputs[1] 1-D", [_A, np.ones(2)], {"n": 2}, RefimplError, (r"inputs\[1\]", r"\(2,\)")),
            (
                "inputs of 3 and 4 rows",
                [_A, np.ones((4, 2))],
                {"n": 2},
                RefimplError,
                (r"\(3, 2\)", r"\(4, 2\)"),
            ),
        ]:
            rows.append(
                row(f"{fusion}_fusion {what}", function, (inputs, w), {**keywords, **extra}, error, message)
            )
    return rows


# Fusion dims [4, 8], n = 9: N = 12, and with p = q = 3, r = 1: l = 3 + 3 + 12/3 + 9/3 = 13; the
# plain fusion's l = N*n = 108.
_INPUTS_4_8 = [np.ones((2, 4)), np.ones((2, 8))]

# fmt: off
INVALID = [
    # -- a w of the wrong length or shape: the expected l, then the actual one ------------------
    row("duplicated_padding w of 7", refimpl.duplicated_padding, (np.ones(7), 6, 10, 3, 5), {}, RefimplError, in_order("4", "7")),
    row("duplicated_padding w of 7 x 7", refimpl.duplicated_padding, (np.ones((7, 7)), 6, 10, 3, 5), {}, RefimplError, in_order("(4,)", "(1, 4)", "(7, 7)")),
    row("duplicated_padding w of 1 x 7", refimpl.duplicated_padding, (np.ones((1, 7)), 6, 10, 3, 5), {}, RefimplError, in_order("4", "7")),
    row("duplicated_diagonal_padding w of 7", refimpl.duplicated_diagonal_padding, (np.ones(7), 6, 10, 3, 5), {}, RefimplError, in_order("4", "7")),
    row("duplicated_padding_operator w of 7", refimpl.duplicated_padding_operator, (np.ones(7), 6, 10, 3, 5), {}, RefimplError, in_order("4", "7")),
    row("duplicated_diagonal_padding_operator w of 7", refimpl.duplicated_diagonal_padding_operator, (np.ones(7), 6, 10, 3, 5), {}, RefimplError, in_order("4", "7")),
    row("dual_lphm w of 25", refimpl.dual_lphm, (np.ones(25), 6, 10, 3, 5, 2), {}, RefimplError, in_order("24", "25")),
    row("dual_lphm_operator w of 25", refimpl.dual_lphm_operator, (np.ones(25), 6, 10, 3, 5, 2), {}, RefimplError, in_order("24", "25")),
    # Its only length check is the one in lphm_factors, the one place w is cut: the message
    # must still say where l comes from.
    row("dual_lphm_operator w of 8 names the rule", refimpl.dual_lphm_operator, (np.ones(8), 4, 6, 2, 3, 1), {}, RefimplError, (r"\b9\b", r"\b8\b", r"l = r\*\(p \+ q", r"\bn=4\b", r"\bD=6\b", r"\bp=2\b", r"\bq=3\b", r"\br=1\b")),
    row("dual_lphm_fusion w of 14", refimpl.dual_lphm_fusion, (_INPUTS_4_8, np.ones(14)), {"p": 3, "q": 3, "r": 1, "n": 9}, RefimplError, in_order("13", "14")),
    row("dual_lphm_fusion_operator w of 14", refimpl.dual_lphm_fusion_operator, ([4, 8], np.ones(14)), {"p": 3, "q": 3, "r": 1, "n": 9}, RefimplError, in_order("13", "14")),
    row("concatenation_fusion w of 107", refimpl.concatenation_fusion, (_INPUTS_4_8, np.ones(107)), {"n": 9}, RefimplError, in_order("108", "107")),
    row("dual_lphm_fusion w of 10 names N and n", refimpl.dual_lphm_fusion, ([np.ones((3, 2)), np.ones((3, 4))], np.ones(10)), {"p": 2, "q": 3, "r": 1, "n": 3}, RefimplError, (r"\b9\b", r"\b10\b", r"\bN=6\b", r"\bn=3\b")),
    row("concatenation_fusion w of 17 names N and n", refimpl.concatenation_fusion, ([np.ones((3, 2)), np.ones((3, 4))], np.ones(17)), {"n": 3}, RefimplError, (r"\b18\b", r"\b17\b", r"\bN=6\b", r"\bn=3\b")),
    # the rule l comes from, with the configuration's numbers
    row("rule of the padding", refimpl.duplicated_padding, (np.ones(7), 6, 10, 3, 5), {}, RefimplError, in_order("4", "6", "10", "3", "5", "7")),
    row("rule of the lphm", refimpl.dual_lphm, (np.ones(25), 6, 10, 3, 5, 2), {}, RefimplError, in_order("24", "6", "10", "3", "5", "2", "25")),
    row("rule of the fusion", refimpl.concatenation_fusion, (_INPUTS_4_8, np.ones(107)), {"n": 9}, RefimplError, in_order("108", "12", "9", "107")),
    row("rule of dual_lphm in the caller's names", refimpl.dual_lphm, ([1.0] * 5, 4, 6, 2, 3, 1), {}, RefimplError, substrings("r*(p + q + n/p + D/q) with n=4, D=6, p=2, q=3, r=1")),
    # The fusion's weight is N x n, not n x D.
    row("rule of dual_lphm_fusion in the caller's names", refimpl.dual_lphm_fusion, ([np.ones((1, 2)), np.ones((1, 2))], [1.0] * 5), {"p": 2, "q": 1, "r": 1}, RefimplError, substrings("r*(p + q + N/p + n/q) with N=4, n=2, p=2, q=1, r=1")),
    # another shape than (l,) or (1, l): the shape, the shapes expected and the rule
    *[
        row(f"duplicated_padding w of shape {shape}", refimpl.duplicated_padding, (np.ones(shape), 2, 2, 2, 1), {}, RefimplError, (re.escape(f"got shape {shape}"), r"\(2,\) or \(1, 2\)", r"n=2, D=2, p=2, q=1"))
        for shape in [(2, 1), (2, 2), (1, 1, 2), (), (2, 2, 1)]
    ],
    # the wrong length, as a vector or a row: both lengths and the rule
    *[
        row(f"duplicated_padding w of shape {shape} (length)", refimpl.duplicated_padding, (np.ones(shape), 2, 2, 2, 1), {}, RefimplError, (rf"length 2\b.*got length {shape[-1]}\b", re.escape("n=2, D=2, p=2, q=1")))
        for shape in [(3,), (1,), (1, 3), (1, 1)]
    ],
    # -- dimensions that do not divide: both numbers ---------------------------------------------
    row("duplicated_padding_l n=10 p=3", refimpl.duplicated_padding_l, (10, 4, 3), {}, RefimplError, in_order("n=10", "p=3")),
    row("duplicated_padding D=10 q=4", refimpl.duplicated_padding, (np.ones(4), 6, 10, 3, 4), {}, RefimplError, in_order("D=10", "q=4")),
    row("duplicated_diagonal_padding D=10 q=4", refimpl.duplicated_diagonal_padding, (np.ones(4), 6, 10, 3, 4), {}, RefimplError, in_order("D=10", "q=4")),
    row("dual_lphm_l n=7 p=3", refimpl.dual_lphm_l, (7, 10, 3, 5, 2), {}, RefimplError, in_order("n=7", "p=3")),
    row("dual_lphm D=10 q=4", refimpl.dual_lphm, (np.ones(4), 6, 10, 3, 4, 2), {}, RefimplError, in_order("D=10", "q=4")),
    row("dual_lphm_l n=10 p=3", refimpl.dual_lphm_l, (10, 4, 3, 2, 1), {}, RefimplError, r"(?<!\w)n=10\b.*(?<!\w)p=3\b"),
    row("dual_lphm_l D=5 q=2", refimpl.dual_lphm_l, (6, 5, 3, 2, 1), {}, RefimplError, r"(?<!\w)D=5\b.*(?<!\w)q=2\b"),
    row("duplicated_padding_l n=10 p=3 (names)", refimpl.duplicated_padding_l, (10, 4, 3), {}, RefimplError, r"(?<!\w)n=10\b.*(?<!\w)p=3\b"),
    row("dual_lphm_fusion_l N=11 p=5", refimpl.dual_lphm_fusion_l, ([4, 7], 9, 5, 3, 1), {}, RefimplError, in_order("N=11", "[4, 7]", "p=5")),
    row("dual_lphm_fusion n=9 q=4", refimpl.dual_lphm_fusion, (_INPUTS_4_8, np.ones(4)), {"p": 3, "q": 4, "r": 1, "n": 9}, RefimplError, in_order("n=9", "q=4")),
    row("dual_lphm_fusion_operator N=11 p=5", refimpl.dual_lphm_fusion_operator, ([4, 7], np.ones(4)), {"p": 5, "r": 1, "n": 9}, RefimplError, in_order("N=11", "[4, 7]", "p=5")),
    # -- dimensions that are not positive: the name and the value --------------------------------
    row("duplicated_padding_l p=-3", refimpl.duplicated_padding_l, (6, 10, -3), {}, RefimplError, in_order("p=-3")),
    row("dual_lphm_l r=0", refimpl.dual_lphm_l, (6, 10, 3, 5, 0), {}, RefimplError, in_order("r=0")),
    *[
        # The names lphm_shape and default_q give to the check of each dimension.
        row(f"dual_lphm_l {name}={value}", refimpl.dual_lphm_l, (), {"n": 4, "D": 4, "p": 2, "q": 2, "r": 1, name: value}, RefimplError, rf"(?<![\w\[]){name}={value}\b")
        for name in ["n", "D", "p", "q", "r"]
        for value in [0, -2]
    ],
    # -- dimensions of the wrong type: the name, the value and its type --------------------------
    row("duplicated_padding_l n=2.5", refimpl.duplicated_padding_l, (2.5, 10, 1), {}, TypeError, in_order("n", "2.5", "float")),
    row("duplicated_padding p=True", refimpl.duplicated_padding, (np.ones(4), 6, 10, True), {}, TypeError, in_order("p", "True")),
    row("dual_lphm r='2'", refimpl.dual_lphm, (np.ones(4), 6, 10, 3, 5, "2"), {}, TypeError, in_order("r", "'2'", "str")),
    *[
        # A bool is refused as a bool, not taken for an integer, nor refused as something else.
        row(f"duplicated_padding_l n={value!r}", refimpl.duplicated_padding_l, (value, 4, 2), {}, TypeError, (r"\bn\b.*\bbool\b", r"the bool"))
        for value in [True, False, np.True_, np.bool_(False)]
    ],
    row("duplicated_padding_l p=torch.tensor(True)", refimpl.duplicated_padding_l, (4, 4, Later(lambda: _torch().tensor(True))), {}, TypeError, r"\bp\b.*the bool"),
    *[
        # A float is not called a bool.
        row(f"duplicated_padding_l D={value!r}", refimpl.duplicated_padding_l, (4, value, 2), {}, TypeError, (rf"\bD\b.*{re.escape(repr(value))}.*\b{type_name}\b", lacks("bool")))
        for value, type_name in [(2.5, "float"), ("4", "str"), (None, "NoneType")]
    ],
    # -- input widths (dims) of the fusions --------------------------------------------------------
    row("concatenation_fusion_l [4, 7] without n", refimpl.concatenation_fusion_l, ([4, 7],), {}, RefimplError, in_order("[4, 7]")),
    row("concatenation_fusion_l [2, 4, 2] without n", refimpl.concatenation_fusion_l, ([2, 4, 2],), {}, RefimplError, (re.escape("[2, 4, 2]"), r"\bn\b")),
    *[
        row(f"concatenation_fusion_l n={n}", refimpl.concatenation_fusion_l, ([2, 4], n), {}, RefimplError, rf"(?<!\w)n={n}\b")
        for n in [0, -1]
    ],
    row("concatenation_fusion_l [4, 0]", refimpl.concatenation_fusion_l, ([4, 0],), {}, RefimplError, in_order("dims[1]=0")),
    *[
        row(f"concatenation_fusion_l {dims}, n=2 names {fact}", refimpl.concatenation_fusion_l, (dims, 2), {}, RefimplError, re.escape(fact))
        for dims, fact in [([2, 0], "dims[1]=0"), ([-1, 2], "dims[0]=-1")]
    ],
    *[
        # Other types let through, or not named.
        row(f"concatenation_fusion_l dims of {name}", refimpl.concatenation_fusion_l, (dims, 2), {}, TypeError, (fact, r"\bdims\b"))
        for name, dims, fact in [
            ("str", "24", r"\bstr\b"),
            ("bytes", b"24", r"\bbytes\b"),
            ("int", 4, r"\bint\b"),
            ("set", {2, 4}, r"\bset\b"),
            ("2-D array", np.ones((2, 2), int), r"\(2, 2\)"),
        ]
    ],
    *[
        row(f"concatenation_fusion_l no dims ({name})", refimpl.concatenation_fusion_l, (dims, 2), {}, RefimplError, (r"\bdims\b", "empty"))
        for name, dims in [("list", []), ("tuple", ()), ("array", np.array([], dtype=int))]
    ],
    row("dual_lphm_fusion_l dims '48'", refimpl.dual_lphm_fusion_l, ("48", 9, 3, 3, 1), {}, TypeError, in_order("str")),
    row("dual_lphm_fusion_l dims of shape (2, 3)", refimpl.dual_lphm_fusion_l, (np.ones((2, 3), dtype=int), 9, 3, 3, 1), {}, TypeError, in_order("(2, 3)")),
    *[
        row(f"dual_lphm_fusion_l dims={dims!r}", refimpl.dual_lphm_fusion_l, (dims, 2, 1, 1, 1), {}, error, message)
        for dims, error, message in [
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
        ]
    ],
    *[
        row(f"concat_shape dims={dims!r}", concat_shape, (dims,), {}, error, "dims must")
        for dims, error in [([], RefimplError), ("34", TypeError), (3, TypeError), (None, TypeError)]
    ],
    *[
        # Before (nested lists): "inputs of unequal widths [2, 4] need the output width n; pass n explicitly".
        row(f"the fusion class given inputs of widths [2, 4] ({name})", Fusion(r=1, p=2, dims=[2, 2]), (inputs, np.ones(7)), {}, RefimplError, (r"inputs must have the widths dims=\[2, 2\] given to the constructor, got inputs of widths \[2, 4\]", lacks("pass n explicitly")))
        for name, inputs in [
            ("arrays", [np.ones((3, 2)), np.ones((3, 4))]),
            ("nested lists", [np.ones((3, 2)).tolist(), np.ones((3, 4)).tolist()]),
        ]
    ],
    # -- the inputs of the fusions -------------------------------------------------------------------
    row("concatenation_fusion one array for inputs", refimpl.concatenation_fusion, (np.ones((2, 4)), np.ones(16)), {}, TypeError, in_order("ndarray")),
    row("concatenation_fusion inputs[1] of shape (8,)", refimpl.concatenation_fusion, ([np.ones((2, 4)), np.ones(8)], np.ones(16)), {"n": 4}, RefimplError, in_order("inputs[1]", "(8,)")),
    row("dual_lphm_fusion leading shapes (2,) and (3,)", refimpl.dual_lphm_fusion, ([np.ones((2, 4)), np.ones((3, 8))], np.ones(4)), {"p": 3, "r": 1, "n": 9}, RefimplError, in_order("(2, 4)", "(3, 8)")),
    *_fusion_rows(),
    *[
        row(f"{name} masked", function, args, kwargs, TypeError, _MASKED_MESSAGE)
        # Before: duplicated_padding kept the mask, the dense diagonal padding dropped it silently.
        for name, function, args, kwargs in [
            ("duplicated_padding", refimpl.duplicated_padding, (_MASKED, 4, 4, 2), {}),
            (
                "duplicated_diagonal_padding(dense)",
                refimpl.duplicated_diagonal_padding,
                (_MASKED, 4, 4, 2),
                {"format": "dense"},
            ),
            ("duplicated_diagonal_padding(csr)", refimpl.duplicated_diagonal_padding, (_MASKED, 4, 4, 2), {}),
            ("dual_lphm", refimpl.dual_lphm, (np.ma.ones(8), 4, 4, 2, 2, 1), {}),
            ("duplicated_padding_operator", refimpl.duplicated_padding_operator, (_MASKED, 4, 4, 2), {}),
            ("dual_lphm_operator", refimpl.dual_lphm_operator, (np.ma.ones(8), 4, 4, 2, 2, 1), {}),
            ("X @ op", operator.matmul, (np.ma.ones((2, 4)), _PAD_4x4), {}),
            ("op @ Y", operator.matmul, (_PAD_4x4, np.ma.ones((4, 2))), {}),
            ("op @ y", operator.matmul, (_PAD_4x4, np.ma.ones(4)), {}),
            ("concatenation_fusion(w)", refimpl.concatenation_fusion, ([np.ones((2, 2))], np.ma.ones(4)), {}),
            (
                "dual_lphm_fusion(inputs)",
                refimpl.dual_lphm_fusion,
                ([np.ma.ones((2, 2))], np.ones(6)),
                {"p": 2, "q": 1, "r": 1},
            ),
            (
                "reconciliation class",
                refimpl.duplicated_diagonal_padding_reconciliation(p=2),
                (4, 4, _MASKED),
                {},
            ),
            (
                "masked, nothing masked",
                refimpl.duplicated_padding,
                (np.ma.masked_array(np.ones(4)), 4, 4, 2),
                {},
            ),
        ]
    ],
    row("duplicated_padding masked w names the two ways out", refimpl.duplicated_padding, (np.ma.masked_array([1.0, 2.0], mask=[False, False]), 2, 2, 2, 1), {}, TypeError, substrings("numpy.ma", "x.filled(value)", "numpy.ma.getdata(x)")),
    # -- non-numeric arrays: their dtype -----------------------------------------------------------
    row("duplicated_padding w of <U1", refimpl.duplicated_padding, (np.array(["a"] * 4), 6, 10, 3, 5), {}, TypeError, in_order("<U1")),
    *[
        row(f"dual_lphm_fusion input of {dtype}", refimpl.dual_lphm_fusion, ([np.ones((1, 2)).astype(dtype) if dtype != "datetime64[s]" else np.zeros((1, 2), dtype)], [1.0] * 6), {"p": 1, "r": 1}, TypeError, rf"(?:{re.escape(np.dtype(dtype).str[1:])}|{re.escape(str(np.dtype(dtype)))})")
        for dtype in ["U1", "O", "datetime64[s]"]
    ],
    row("duplicated_padding ragged list", refimpl.duplicated_padding, ([[1.0], [1.0, 2.0]], 2, 2, 2, 1), {}, RefimplError, (r"\blist\b", lacks("NoneType"))),
    # -- format and method -----------------------------------------------------------------------------
    row("duplicated_diagonal_padding format='dia'", refimpl.duplicated_diagonal_padding, (np.ones(4), 6, 10, 3, 5), {"format": "dia"}, RefimplError, in_order("csr", "csc", "coo", "bsr", "dense", "'dia'")),
    row("duplicated_diagonal_padding format=3", refimpl.duplicated_diagonal_padding, (np.ones(4), 6, 10, 3, 5), {"format": 3}, TypeError, in_order("csr", "dense", "3")),
    row("tosparse('dia')", _method("tosparse"), (_op("diagonal"), "dia"), {}, RefimplError, in_order("csr", "dense", "'dia'")),
    row("duplicated_diagonal_padding format='csc' of array_api_strict", refimpl.duplicated_diagonal_padding, (Later(lambda: _strict().ones(4)), 6, 10, 3, 5), {"format": "csc"}, TypeError, in_order("'csc'", "array_api_strict", "'dense'")),
    row("dual_lphm_fusion method='fast'", refimpl.dual_lphm_fusion, ([np.ones((2, 4))], np.ones(4)), {"p": 2, "r": 1, "method": "fast"}, RefimplError, in_order("'structured'", "'dense'", "'fast'")),
    row("dual_lphm_fusion method=3", refimpl.dual_lphm_fusion, ([np.ones((2, 4))], np.ones(4)), {"p": 2, "r": 1, "method": 3}, TypeError, in_order("'structured'", "'dense'", "3")),
    row("dual_lphm_fusion method=1", refimpl.dual_lphm_fusion, ([np.ones((3, 2))], np.ones(6)), {"p": 2, "q": 1, "r": 1, "method": 1}, TypeError, (r"\b1\b", "structured")),
    row("dual_lphm_fusion method='Dense'", refimpl.dual_lphm_fusion, ([np.ones((3, 2))], np.ones(6)), {"p": 2, "q": 1, "r": 1, "method": "Dense"}, RefimplError, r"'Dense'"),
    # Reachable only through _apply (the tests of the orders call it the same way).
    row("unknown contraction order", _method("_apply"), (Later(_choice_operator), np.ones((2, 4)), "diagonal"), {}, RefimplError, ("'diagonal'", *(f"'{order}'" for order in refimpl.DualLphmOperator.ORDERS))),
    # -- the operators' products: the width expected, then the shape or type received ---------------
    *[
        row(f"{kind} X @ op width 7 of 6", RMATMUL, (_op(kind), np.ones((2, 7))), {}, RefimplError, in_order("6", "(2, 7)"))
        for kind in KINDS
    ],
    *[
        row(f"{kind} op @ y length 7 of 10", operator.matmul, (_op(kind), np.ones(7)), {}, RefimplError, in_order("(10,)", "(7,)"))
        for kind in KINDS
    ],
    *[
        row(f"{kind} op @ Y rows 7 of 10", operator.matmul, (_op(kind), np.ones((7, 2))), {}, RefimplError, in_order("10", "(7, 2)"))
        for kind in KINDS
    ],
    *[
        row(f"{kind} X @ op of str", RMATMUL, (_op(kind), "abcdef"), {}, TypeError, in_order("6", "str"))
        for kind in KINDS
    ],
    *[
        row(f"{kind} op @ Y of dict", MATMUL, (_op(kind), {1: 2}), {}, TypeError, in_order("10", "dict"))
        for kind in KINDS
    ],
    *[
        row(f"{kind} op @ []", operator.matmul, (_op_4x6(kind), []), {}, RefimplError, in_order("6", "(0,)"))
        for kind in KINDS
    ],
    *[
        # A NumPy scalar is an array of shape (): a wrong shape, not a wrong type.
        row(f"{kind} {what} of shape ()", function, (_op(kind), operand), {}, RefimplError, in_order(width, "()"))
        for kind in KINDS
        for what, function, operand, width in [
            ("op @ np.float64", operator.matmul, np.float64(5.0), "10"),
            ("op.rmatmul(0-d)", RMATMUL, np.asarray(5.0), "6"),
        ]
    ],
    *[
        # A scalar is a TypeError naming its type, not a wrong shape (a RefimplError).
        row(f"{kind} {what} {scalar!r}", function, operands, {}, TypeError, in_order(width, type(scalar).__name__))
        for kind in KINDS
        for scalar in [5, 5.0, 5j, None]
        for what, function, operands, width in [
            ("op @", operator.matmul, (_op(kind), scalar), "10"),
            ("op.matmul", MATMUL, (_op(kind), scalar), "10"),
            ("op.rmatmul", RMATMUL, (_op(kind), scalar), "6"),
            ("@ op", operator.matmul, (scalar, _op(kind)), "6"),
        ]
    ],
    row("X @ op width 3 of 4", RMATMUL, (refimpl.dual_lphm_operator(np.ones(8), 4, 4, 2, 2, 1), np.ones((2, 3))), {}, RefimplError, r"shape \(\.\.\., 4\), got shape \(2, 3\)"),
    row("op @ Y rows 3 of 4", MATMUL, (refimpl.dual_lphm_operator(np.ones(8), 4, 4, 2, 2, 1), np.ones((3, 2))), {}, RefimplError, r"\(\.\.\., 4, k\)"),
    *[
        # Dask X: refused before anything is computed, naming the width expected and X's shape.
        row(f"X @ op of Dask X of shape {shape}", RMATMUL, (_lphm_4x6(), _dask_ones(shape)), {}, RefimplError, (r"\(\.\.\., 4\)", re.escape(f"got shape {shape}")))
        for shape in [(), (3, 5), (5,), (2, 3, 3)]
    ],
    row("aslinearoperator without a sparse module", _method("aslinearoperator"), (Later(lambda: refimpl.dual_lphm_operator(_strict().ones(8), 4, 4, 2, 2, 1)),), {}, TypeError, "apply the operator directly"),
    # -- libraries and devices: both named ------------------------------------------------------------
    *[
        # The namespace of Y taken from the operator, or Y converted with the operator's asarray.
        row(f"{kind} operator of NumPy, {what} of {other}", function, (_op_4x6(kind, _arange), Later(lambda make=make, other=other: make(_library(other)))), {}, TypeError, each("numpy", other))
        for kind in KINDS
        for other in ["array_api_strict", "torch"]
        for what, function, make in _LIBRARY_CALLS
    ],
    *[
        row(f"{kind} operator of array_api_strict, {what} of NumPy", function, operands, {}, TypeError, each("array_api_strict", "numpy"))
        for kind in KINDS
        for what, function, operands in [
            (
                "op @ Y",
                operator.matmul,
                (Later(lambda kind=kind: _op_4x6(kind, _strict().ones)), np.ones((6, 2))),
            ),
            ("op @ y", operator.matmul, (Later(lambda kind=kind: _op_4x6(kind, _strict().ones)), np.ones(6))),
            (
                "op.rmatmul(X)",
                RMATMUL,
                (Later(lambda kind=kind: _op_4x6(kind, _strict().ones)), np.ones((2, 4))),
            ),
            # NumPy defers to op.__rmatmul__
            (
                "X @ op",
                operator.matmul,
                (np.ones((2, 4)), Later(lambda kind=kind: _op_4x6(kind, _strict().ones))),
            ),
        ]
    ],
    row("X @ op of array_api_strict", RMATMUL, (refimpl.dual_lphm_operator(np.ones(8), 4, 4, 2, 2, 1), Later(lambda: _strict().ones((2, 4)))), {}, TypeError, "one array library"),
    row("dual_lphm_fusion of NumPy and torch", refimpl.dual_lphm_fusion, ([np.ones((1, 2))], Later(lambda: _torch().ones(6, dtype=_torch().float64))), {"p": 1, "r": 1}, TypeError, (r"\bnumpy\b", r"\btorch\b")),
    *[
        # The argument and the library (Dask, spelt as its name).
        row(f"concatenation_fusion of Dask and NumPy inputs ({order})", refimpl.concatenation_fusion, (inputs, np.ones(8)), {"n": 2}, TypeError, (r"(?<!\w)inputs(?!\w)", r"\bDask\b"))
        for order, inputs in [
            ("Dask first", [Later(lambda: _dask().from_array(_A)), _A]),
            ("NumPy first", [_A, Later(lambda: _dask().from_array(_A))]),
        ]
    ],
    # The message names torch, not the module of NoneType.
    row("dual_lphm_fusion of Dask inputs and a torch w", refimpl.dual_lphm_fusion, ([Later(lambda: _dask().ones((3, 2), chunks=(2, 2)))], Later(lambda: _torch().ones(5))), {"p": 2, "q": 1, "r": 1}, TypeError, r"\btorch\b"),
    row("dask fusion with a torch w", refimpl.dual_lphm_fusion, ([Later(lambda: _dask().ones((4, 4), chunks=2))], Later(lambda: _torch().ones(8))), {"p": 2, "r": 1}, TypeError, "NumPy"),
    row("X @ op of Dask X, operator of array_api_strict", RMATMUL, (Later(lambda: refimpl.dual_lphm_operator(_strict().ones(refimpl.dual_lphm_l(4, 6, 2, 3, 1)), 4, 6, 2, 3, 1)), Later(lambda: _dask().ones((3, 4), chunks=(1, 4)))), {}, TypeError, ("array_api_strict", "NumPy")),
    row("X @ op on another device", RMATMUL, (Later(lambda: refimpl.dual_lphm_operator(_strict().ones(24, device=_strict().Device("device1")), 6, 10, 3, 5, 2)), Later(lambda: _strict().ones((2, 6)))), {}, RefimplError, ("device1", "CPU_DEVICE")),
    # A device of None (a traced JAX array) is ignored; two real devices are still refused.
    row("dual_lphm_fusion inputs on two devices", refimpl.dual_lphm_fusion, ([_strict_on("device1", (1, 2)), _strict_on("device2", (1, 2))], [1.0] * 7), {"p": 2, "q": 1, "r": 1}, RefimplError, ("device1", "device2")),
    # -- the memory limit ---------------------------------------------------------------------------------
    *[
        row(f"set_memory_limit({limit!r})", refimpl.set_memory_limit, (limit,), {}, RefimplError, rf"positive.*got {int(limit)}\b")
        for limit in [0, -1, np.int64(0)]
    ],
    *[
        # The message names the type of the limit, not of None.
        row(f"set_memory_limit({limit!r})", refimpl.set_memory_limit, (limit,), {}, TypeError, (rf"\b{type_name}\b", lacks("NoneType")))
        for limit, type_name in [(1.5, "float"), ("10", "str"), ([10], "list")]
    ],
    *[
        row(f"set_memory_limit({limit!r}) (not an integer)", refimpl.set_memory_limit, (limit,), {}, TypeError, "the memory limit must be an integer number of bytes or None, got")
        for limit in [True, np.True_, 1.5, np.float64(10.0), "10"]
    ],
]
# fmt: on


class TestInvalidArguments:
    """Every row of :data:`INVALID`: the exception, that class exactly, and what its message says."""

    @pytest.mark.parametrize(("function", "args", "kwargs", "exception", "message"), INVALID)
    def test_raises_naming_the_facts(
        self,
        function: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        exception: type[Exception],
        message: str | tuple[str, ...],
    ) -> None:
        args = tuple(_resolve(a) for a in args)
        kwargs = {k: _resolve(v) for k, v in kwargs.items()}
        with pytest.raises(exception) as info:
            function(*args, **kwargs)
        assert type(info.value) is exception, f"raised {type(info.value).__name__}: {info.value}"
        for pattern in (message,) if isinstance(message, str) else message:
            assert re.search(pattern, str(info.value)), f"{pattern!r} not found in: {info.value}"
