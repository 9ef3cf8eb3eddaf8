"""The public strategies of :mod:`refimpl.strategies`: valid, bounded, edge-case rich, and in the
namespace and dtype asked for."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from types import ModuleType
from typing import Any

import array_api_compat
import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from refimpl import RefimplError
from refimpl.functions import FUNCTIONS, leading_shape
from refimpl.strategies import (
    INVALID_KINDS,
    MAX_MAGNITUDE,
    cases,
    configs,
    fusion_inputs,
    invalid_configs,
    parameter_vectors,
)

from ._support import to_numpy

NAMES = sorted(FUNCTIONS)
DTYPE_NAMES = ("float32", "float64", "complex64", "complex128")


def _sides(name: str, config: dict[str, Any]) -> Any:
    """The shape whose ``p, q, s, t`` are the Kronecker factors' sides (the weight's, for a fusion)."""
    shape = FUNCTIONS[name].shape(config)
    return getattr(shape, "weight", shape)


def _numpy_inputs(config: dict[str, Any], w: np.ndarray) -> dict[str, Any]:
    """Zero fusion inputs of the configuration's shapes (plus ``w``)."""
    return {"w": w, "inputs": [np.zeros((*leading_shape(config), d)) for d in config["dims"]]}


def _frequencies(
    strategy: st.SearchStrategy[Any], predicates: dict[str, Callable[[Any], bool]], examples: int = 200
) -> Counter[str]:
    """How many of ``examples`` generated examples (the same on every run) satisfy each predicate."""
    counts: Counter[str] = Counter()

    @settings(max_examples=examples, derandomize=True, database=None, phases=[Phase.generate])
    @given(strategy)
    def collect(example: Any) -> None:
        counts["examples"] += 1
        for name, predicate in predicates.items():
            counts[name] += bool(predicate(example))

    collect()
    return counts


# --- configs -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_configs_are_accepted_by_refimpl(name: str, data: Any) -> None:
    spec = FUNCTIONS[name]
    config = data.draw(configs(name), label="config")
    assert list(config) == list(spec.config_keys)
    for key in ("n", "D", "p", "q", "r", "m"):
        if key in config and config[key] is not None:
            assert type(config[key]) is int, (key, config[key])
    if spec.is_fusion:
        assert type(config["dims"]) is list and all(type(d) is int for d in config["dims"])
        assert type(config["batch"]) is tuple and all(type(b) is int for b in config["batch"])
        assert config["n"] is not None or len(set(config["dims"])) == 1
    l = spec.l(config)
    assert type(l) is int and l > 0
    w = np.ones(l)  # the values do not matter here; the strategies' arrays are tested below
    inputs = _numpy_inputs(config, w) if spec.is_fusion else {"w": w}
    out = spec.call(config, inputs)
    assert tuple(out.shape) == spec.output_shape(config)


@pytest.mark.parametrize("name", NAMES)
@given(
    data=st.data(),
    max_side=st.integers(1, 5),
    max_rank=st.integers(1, 3),
    max_inputs=st.integers(1, 3),
    max_rows=st.integers(0, 3),
    batch=st.booleans(),
)
def test_configs_respect_the_bounds(
    name: str, data: Any, max_side: int, max_rank: int, max_inputs: int, max_rows: int, batch: bool
) -> None:
    spec = FUNCTIONS[name]
    bounds = {"max_side": max_side, "max_rank": max_rank, "max_inputs": max_inputs, "max_rows": max_rows}
    config = data.draw(configs(name, **bounds, batch=batch))
    spec.l(config)  # valid whatever the bounds
    if "r" in config:
        assert 1 <= config["r"] <= max_rank
    if "p" in config:
        sides = _sides(name, config)
        assert 1 <= config["p"] <= max_side and 1 <= config["q"] <= max_side
        assert 1 <= sides.t <= max_side
        assert 1 <= sides.s <= (max_side if not spec.is_fusion else max_inputs * max_side)
    if spec.is_fusion:
        assert 1 <= len(config["dims"]) <= max_inputs
        assert all(1 <= d <= max_side for d in config["dims"])
        assert config["n"] is None or 1 <= config["n"] <= max_side
        assert 0 <= config["m"] <= max_rows
        assert batch or config["batch"] == ()
        assert len(config["batch"]) <= 2 and all(1 <= b <= 2 for b in config["batch"])


MATRIX_EDGES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "p != q": lambda c: c["p"] != c["q"],
    "p = 1": lambda c: c["p"] == 1,
    "q = 1": lambda c: c["q"] == 1,
    "q = D (t = 1)": lambda c: c["q"] == c["D"],
    "s = 1": lambda c: c["n"] == c["p"],
    "p, q, s, t > 1": lambda c: min(c["p"], c["q"], c["n"] // c["p"], c["D"] // c["q"]) > 1,
}
FUSION_EDGES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "k = 1": lambda c: len(c["dims"]) == 1,
    "k > 1": lambda c: len(c["dims"]) > 1,
    "m = 0": lambda c: c["m"] == 0,
    "m > 0": lambda c: c["m"] > 0,
    "unequal widths, n given": lambda c: len(set(c["dims"])) > 1 and c["n"] is not None,
    "n = None": lambda c: c["n"] is None,
    "equal widths, n given": lambda c: len(set(c["dims"])) == 1 and c["n"] is not None,
    "batch shape": lambda c: c["batch"] != (),
    "no batch": lambda c: c["batch"] == (),
}
LPHM_FUSION_EDGES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "p != q": lambda c: c["p"] != c["q"],
    "p = 1": lambda c: c["p"] == 1,
    "s = 1 (p = N)": lambda c: c["p"] == sum(c["dims"]),
    "t = 1 (q = n)": lambda c: c["q"] == FUNCTIONS["dual_lphm_fusion"].normalize(c)["n"],
    "p, q > 1": lambda c: c["p"] > 1 and c["q"] > 1,
}
RANK_EDGES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "r = 1": lambda c: c["r"] == 1,
    "r > 1": lambda c: c["r"] > 1,
}


@pytest.mark.parametrize("name", NAMES)
def test_configs_produce_every_edge_case_often(name: str) -> None:
    spec = FUNCTIONS[name]
    edges = dict(FUSION_EDGES if spec.is_fusion else MATRIX_EDGES)
    if spec.is_fusion and "p" in spec.config_keys:
        edges.update(LPHM_FUSION_EDGES)
    if "r" in spec.config_keys:
        edges.update(RANK_EDGES)
    counts = _frequencies(configs(name), edges, 120)
    assert counts["examples"] == 120
    rare = {edge: counts[edge] for edge in edges if counts[edge] < 12}  # each in at least 10%
    assert rare == {}, f"edge cases too rare in 120 {name} configs: {rare}"


def test_configs_with_the_smallest_bounds() -> None:
    """Edge cases that the bounds rule out are left out, not attempted."""
    counts = _frequencies(
        configs("dual_lphm_fusion", max_side=1, max_rank=1, max_inputs=1, max_rows=0, batch=False),
        {"trivial": lambda c: c == {"dims": [1], "n": c["n"], "p": 1, "q": 1, "r": 1, "m": 0, "batch": ()}},
    )
    assert counts["trivial"] == counts["examples"] > 0


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"max_side": 0}, RefimplError),
        ({"max_rank": -1}, RefimplError),
        ({"max_inputs": 0}, RefimplError),
        ({"max_rows": -1}, RefimplError),
        ({"max_side": 2.0}, TypeError),
        ({"max_rows": True}, TypeError),
        ({"batch": 1}, TypeError),
    ],
)
def test_configs_rejects_bad_bounds(kwargs: dict[str, Any], error: type) -> None:
    with pytest.raises(error):
        configs("dual_lphm_fusion", **kwargs)


def test_unknown_function_is_refused() -> None:
    with pytest.raises(RefimplError, match="function must be one of"):
        configs("lphm")
    with pytest.raises(TypeError, match="function must be one of"):
        cases(3)  # type: ignore[arg-type]


# --- invalid configs -------------------------------------------------------------------------


def _constructible(config: dict[str, Any]) -> bool:
    """Whether fusion inputs of the configuration's widths can be built (ints >= 0)."""
    dims = config["dims"]
    return isinstance(dims, list) and all(type(d) is int and d >= 0 for d in dims)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_invalid_configs_raise_what_refimpl_raises(name: str, data: Any) -> None:
    spec = FUNCTIONS[name]
    config, error = data.draw(invalid_configs(name))
    assert error in (RefimplError, TypeError)
    assert set(config) == set(spec.config_keys)
    with pytest.raises(error):
        spec.l(config)
    w = np.zeros(1)
    if not spec.is_fusion:
        with pytest.raises(error):
            spec.call(config, {"w": w})
    elif _constructible(config):
        with pytest.raises(error):
            spec.call(config, _numpy_inputs(config, w))


def _kind(config: dict[str, Any], error: type) -> str:
    """Which contract the configuration breaks, read off the configuration."""
    dims = config.get("dims", [1])
    values = [config.get(key) for key in ("n", "D", "p", "q", "r")]
    if not isinstance(dims, list) or any(type(v) in (bool, float) for v in [*values, *dims]):
        return "wrong_type"
    if dims == []:
        return "empty_dims"
    if any(v is not None and v <= 0 for v in [*values, *dims]):
        return "not_positive"
    if "dims" in config and config["n"] is None and len(set(dims)) > 1:
        return "unequal_widths"
    return "not_divisible"


@pytest.mark.parametrize("name", NAMES)
def test_invalid_configs_produce_every_kind_often(name: str) -> None:
    spec = FUNCTIONS[name]
    kinds = [kind for kind in INVALID_KINDS if kind != "not_divisible" or "p" in spec.config_keys]
    if not spec.is_fusion:
        kinds = [kind for kind in kinds if kind not in ("unequal_widths", "empty_dims")]
    counts = _frequencies(
        invalid_configs(name), {kind: (lambda case, kind=kind: _kind(*case) == kind) for kind in kinds}, 100
    )
    assert sum(counts[kind] for kind in kinds) == counts["examples"] == 100
    assert min(counts[kind] for kind in kinds) >= 5, counts  # each in at least 5%


@settings(max_examples=20)  # a fixed behaviour, not a space to search: a few examples suffice
@given(data=st.data())
def test_invalid_configs_of_one_kind(data: Any) -> None:
    config, error = data.draw(invalid_configs("concatenation_fusion", kinds=("unequal_widths",)))
    assert error is RefimplError and config["n"] is None and len(set(config["dims"])) > 1


def test_invalid_configs_rejects_kinds_that_do_not_apply() -> None:
    with pytest.raises(RefimplError, match="kinds must be"):
        invalid_configs("concatenation_fusion", kinds=("not_divisible",))
    with pytest.raises(RefimplError, match="kinds must be"):
        invalid_configs("dual_lphm", kinds=("empty_dims",))
    with pytest.raises(RefimplError, match="kinds must be"):
        invalid_configs("dual_lphm", kinds=())


# --- arrays -----------------------------------------------------------------------------------


def _check_array(a: Any, xp: ModuleType, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    assert array_api_compat.array_namespace(a) is xp
    assert a.dtype == getattr(xp, dtype)
    assert tuple(a.shape) == shape
    values = to_numpy(a)
    assert np.all(np.isfinite(values)) and np.all(np.abs(values) <= MAX_MAGNITUDE)
    tiny = np.finfo(values.dtype).smallest_normal
    for part in (values.real, values.imag):
        assert not np.any((part != 0) & (np.abs(part) < tiny)), "subnormal entries"
    return values


@settings(max_examples=30)
@given(data=st.data(), name=st.sampled_from(NAMES))
def test_parameter_vectors_default_to_numpy(data: Any, name: str) -> None:
    config = data.draw(configs(name, max_side=3))
    w = data.draw(parameter_vectors(name, config))
    assert type(w) is np.ndarray and w.dtype == np.float64 and w.shape == (FUNCTIONS[name].l(config),)


@settings(max_examples=25)  # one value per configuration and dtype: a few examples suffice
@given(data=st.data(), name=st.sampled_from(NAMES), dtype=st.sampled_from((*DTYPE_NAMES, "int32")))
def test_tagged_vectors_are_one_to_l(xp: ModuleType, data: Any, name: str, dtype: str) -> None:
    config = data.draw(configs(name, max_side=3))
    l = FUNCTIONS[name].l(config)
    w = data.draw(parameter_vectors(name, config, dtype=dtype, xp=xp, tagged=True))
    assert array_api_compat.array_namespace(w) is xp and w.dtype == getattr(xp, dtype)
    values = to_numpy(w)
    assert values.shape == (l,)
    assert values.tolist() == list(range(1, l + 1))


def test_tagged_vectors_are_fresh_arrays() -> None:
    strategy = parameter_vectors("dual_lphm", {"n": 2, "D": 2, "p": 1, "q": 1, "r": 1}, tagged=True)
    seen: list[np.ndarray] = []

    @settings(max_examples=3, database=None)
    @given(strategy)
    def mutate(w: np.ndarray) -> None:
        assert w.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
        w[0] = -1.0  # a test that writes into its w must not change the next example's
        seen.append(w)

    mutate()
    assert seen


def test_tagged_vectors_need_exact_integers() -> None:
    config = {"n": 64, "D": 64, "p": 1, "q": 1}  # l = 4096 > 2048, the last exact integer of float16
    with pytest.raises(RefimplError, match="l <= 2048"):
        parameter_vectors("duplicated_padding", config, dtype="float16", tagged=True)
    parameter_vectors("duplicated_padding", config, dtype="float32", tagged=True)
    with pytest.raises(TypeError, match="numeric dtype"):
        parameter_vectors("duplicated_padding", config, dtype="bool", tagged=True)


@settings(max_examples=10)
@given(
    w=parameter_vectors("dual_lphm", {"n": 2, "D": 3, "p": 1, "q": 3, "r": 2}, elements=st.just(0.5)),
    v=parameter_vectors("duplicated_padding", {"n": 2, "D": 2, "p": 1, "q": 1}, elements={"allow_nan": True}),
)
def test_parameter_vectors_take_elements(w: np.ndarray, v: np.ndarray) -> None:
    assert w.tolist() == [0.5] * 14
    assert v.shape == (4,)


def test_parameter_vectors_refuse_bad_arguments() -> None:
    config = {"n": 2, "D": 2, "p": 1, "q": 1}
    with pytest.raises(RefimplError, match="is not divisible"):
        parameter_vectors("duplicated_padding", {"n": 3, "D": 2, "p": 2, "q": 1})
    with pytest.raises(RefimplError, match="dtype must name"):
        parameter_vectors("duplicated_padding", config, dtype="float99")
    with pytest.raises(TypeError, match="xp must be"):
        parameter_vectors("duplicated_padding", config, xp="numpy")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="elements must be"):
        parameter_vectors("duplicated_padding", config, elements=1.0)


def test_strict_namespace_dtype_names() -> None:
    xps = pytest.importorskip("array_api_strict")
    with pytest.raises(RefimplError, match="dtype must name a dtype of array_api_strict"):
        parameter_vectors("duplicated_padding", {"n": 2, "D": 2, "p": 1, "q": 1}, dtype="float128", xp=xps)


@pytest.mark.parametrize(
    ("config", "error"),
    [
        ({"dims": [], "m": 1}, RefimplError),
        ({"dims": [2, 0], "m": 1}, RefimplError),
        ({"dims": [2], "m": -1}, RefimplError),
        ({"dims": [2], "m": 1.0}, TypeError),
        ({"dims": [2.0], "m": 1}, TypeError),
        ({"dims": 2, "m": 1}, TypeError),
        ({"dims": [2], "m": 1, "batch": (-1,)}, RefimplError),
        ({"dims": [2], "m": 1, "batch": (2.0,)}, TypeError),
    ],
)
def test_fusion_inputs_refuse_bad_configs(config: dict[str, Any], error: type) -> None:
    with pytest.raises(error):
        fusion_inputs(config)


# --- cases ------------------------------------------------------------------------------------


@given(data=st.data(), name=st.sampled_from(NAMES), dtype=st.sampled_from(DTYPE_NAMES))
def test_cases_in_every_namespace(xp: ModuleType, data: Any, name: str, dtype: str) -> None:
    """``w`` and the fusion inputs have the namespace, dtype and shapes asked for, and refimpl
    takes them: its output has the same namespace and dtype, and the configuration's shape."""
    spec = FUNCTIONS[name]
    config, inputs = data.draw(cases(name, dtype=dtype, xp=xp, max_side=3))
    assert sorted(inputs) == (["inputs", "w"] if spec.is_fusion else ["w"])
    _check_array(inputs["w"], xp, dtype, (spec.l(config),))
    if spec.is_fusion:
        assert type(inputs["inputs"]) is list and len(inputs["inputs"]) == len(config["dims"])
        for A, d in zip(inputs["inputs"], config["dims"]):
            _check_array(A, xp, dtype, (*config["batch"], config["m"], d))
    out = spec.call(config, inputs)
    assert array_api_compat.array_namespace(out) is xp
    assert out.dtype == getattr(xp, dtype)
    assert tuple(out.shape) == spec.output_shape(config)


@settings(max_examples=30)
@given(data=st.data(), name=st.sampled_from(NAMES))
def test_cases_tagged_and_bounded(data: Any, name: str) -> None:
    config, inputs = data.draw(cases(name, tagged=True, max_side=2, max_rank=1, max_inputs=2, batch=False))
    l = FUNCTIONS[name].l(config)
    assert inputs["w"].tolist() == list(range(1, l + 1))
    if "r" in config:
        assert config["r"] == 1
    if FUNCTIONS[name].is_fusion:
        assert config["batch"] == () and len(config["dims"]) <= 2


def test_cases_refuse_unknown_dtype_now() -> None:
    with pytest.raises(RefimplError, match="dtype must name"):
        cases("dual_lphm", dtype="float99")


# --- the module itself -----------------------------------------------------------------------


def test_import_refimpl_does_not_import_hypothesis() -> None:
    code = "import sys, refimpl; print('refimpl.strategies' in sys.modules, 'hypothesis' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


@settings(max_examples=5)
@given(inputs=fusion_inputs({"dims": [1, 2], "n": 3, "m": 0, "batch": (0, 2)}))
def test_fusion_inputs_may_be_empty(inputs: list[np.ndarray]) -> None:
    assert [A.shape for A in inputs] == [(0, 2, 0, 1), (0, 2, 0, 2)]


@pytest.mark.parametrize("dtype", ["float32", "complex128", "int16", "bool"])
def test_default_entries_are_never_one_fill_value(dtype: str) -> None:
    """Hypothesis's fill made most entries of a drawn array one repeated value: floats are now all
    distinct and every other entry is drawn on its own."""
    config = {"dims": [3, 4], "n": 2, "m": 3, "batch": ()}
    w = parameter_vectors("concatenation_fusion", config, dtype=dtype)
    strategy = st.tuples(w, fusion_inputs(config, dtype=dtype))
    seen: list[Any] = []

    @settings(max_examples=40, derandomize=True, database=None, phases=[Phase.generate])
    @given(strategy)
    def collect(example: Any) -> None:
        seen.append(example)

    collect()
    arrays = [a.reshape(-1) for w, inputs in seen for a in (w, *inputs)]
    if dtype in ("float32", "complex128"):
        assert all(len(np.unique(a)) == a.size for a in arrays)
    top = [Counter(a.tolist()).most_common(1)[0][1] / a.size for a in arrays]
    assert np.mean(top) < (0.75 if dtype == "bool" else 0.5)
