"""The diagnosis of wrong outputs: planted mistakes are named, correct outputs are not diagnosed.

Every mistake is planted here from its plain description, with NumPy's own ``kron``, ``outer``,
``split`` and ``concatenate``, independently of the pipeline in ``refimpl.oracle.mistakes``. The padding
functions get index-tagged parameter vectors (``w = 1..l``), the Dual-LPHM ones generic random
values, so that a mistake changes the output unless it is a no-op for the configuration.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import pytest
import scipy.sparse
from hypothesis import given, settings
from hypothesis import strategies as st

from refimpl.functions import FUNCTIONS, leading_shape
from refimpl.functions import _mistakes as _products
from refimpl.oracle.diagnosis import Diagnosis, diagnose
from refimpl.oracle.diagnosis._combinations import ENOUGH
from refimpl.oracle.mistakes import Pipeline
from refimpl.oracle.mistakes import catalogue as mistakes_catalogue
from refimpl.oracle.tolerance import expected_and_bound, judge, output_bound
from refimpl.strategies import configs

from ._support import as_xp

PADDING = ("duplicated_padding", "duplicated_diagonal_padding")
FUSIONS = ("dual_lphm_fusion", "concatenation_fusion")
LPHM = ("dual_lphm", "dual_lphm_fusion")  # the functions whose w holds the factors P, Q, S, T
# The pair test draws twice as much per example: fewer examples keep the file quick.
FEWER = settings(max_examples=max(10, settings.default.max_examples // 2))


# -- the catalogue, as these tests expect it ---------------------------------------------------


class Catalogued(NamedTuple):
    """One mistake of the catalogue, written from its plain description."""

    stage: str
    setting: Any
    name: str
    functions: tuple[str, ...]
    #: Whether it applies to a configuration (in the registry's convention) of those functions.
    applies: Callable[[dict[str, Any]], bool] = lambda config: True
    #: False for the one mistake the plants leave out: ``0 * W`` off the diagonal blocks is ``0``
    #: (the correct output) on finite inputs, which are all the plants are given.
    planted: bool = True


def _several_inputs(config: dict[str, Any]) -> bool:
    return len(config["dims"]) > 1


def _several_inputs_of_one_width(config: dict[str, Any]) -> bool:
    return len(config["dims"]) > 1 and len(set(config["dims"])) == 1


def _factors_read_transposed(factors: tuple[str, ...]) -> Catalogued:
    names = factors[0] if len(factors) == 1 else f"{', '.join(factors[:-1])} and {factors[-1]}"
    shapes = ", ".join(f"(r, {f.lower()})" for f in factors)
    return Catalogued("layout", "".join(factors), f"{names} read as {shapes}", LPHM)


#: The one table of the catalogue these tests plant and name: one row per mistake, in the order of
#: the pipeline's stages, which is the order a combination's name joins its mistakes. The stages
#: (``STAGES``), each mistake's prose name (``name_of``) and the mistakes that apply to a
#: configuration (``applicable``) are all read from it; the plants below build each mistake's output
#: from its stage and setting.
CATALOGUE: tuple[Catalogued, ...] = (
    Catalogued(
        "concat",
        "interleaved",
        "inputs concatenated with their columns interleaved",
        FUSIONS,
        _several_inputs,
    ),
    Catalogued("concat", "reversed", "inputs joined in reverse order", FUSIONS, _several_inputs),
    Catalogued(
        "concat", "rows", "inputs joined along the rows, then reshaped", FUSIONS, _several_inputs_of_one_width
    ),
    Catalogued(
        "pq",
        True,
        "p and q exchanged",
        PADDING + LPHM,
        lambda config: "p" in config and config["p"] != config["q"],
    ),
    *(
        Catalogued("order", "".join(o), f"segments of w in the order [{', '.join(o)}]", LPHM)
        for o in itertools.permutations("PQST")
        if o != tuple("PQST")
    ),
    Catalogued("layout", "w", "column-major reshape of w", (*PADDING, "concatenation_fusion")),
    Catalogued("layout", "PQST", "column-major reshape of every segment of w", LPHM),
    *(_factors_read_transposed(c) for k in (1, 2, 3) for c in itertools.combinations("PQST", k)),
    Catalogued("ones", True, "identity in place of ones", ("duplicated_padding",)),
    Catalogued("ones", True, "ones in place of the identity", ("duplicated_diagonal_padding",)),
    Catalogued(
        "select",
        "multiplied",
        "off-diagonal blocks computed as 0 * W",
        ("duplicated_diagonal_padding",),
        planted=False,
    ),
    Catalogued("swap", True, "Kronecker operands swapped", PADDING + LPHM),
    Catalogued("outer", True, "flattened outer product in place of the Kronecker product", PADDING + LPHM),
    Catalogued(
        "weight_T",
        True,
        "weight transposed",
        FUSIONS,
        lambda config: sum(config["dims"]) == (config["n"] or config["dims"][0]),
    ),
    Catalogued("transpose", True, "output transposed", (*PADDING, *FUSIONS, "dual_lphm")),
)

#: The pipeline stages, in the order a pair's name joins its two mistakes.
STAGES = tuple(dict.fromkeys(m.stage for m in CATALOGUE))
_NAMES = {(function, m.stage, m.setting): m.name for m in CATALOGUE for function in m.functions}


def name_of(function: str, mistakes: dict[str, Any]) -> str:
    """The prose name of ``mistakes`` (``{stage: setting}``) made together in ``function``."""
    return " + ".join(_NAMES[function, stage, mistakes[stage]] for stage in STAGES if stage in mistakes)


def applicable(function: str, config: dict[str, Any]) -> list[tuple[str, Any]]:
    """The catalogue's mistakes that the plants make for this function and configuration
    (``(stage, setting)`` pairs). ``p`` and ``q`` exchanged is among them wherever they differ, even
    where a division then fails: its plant returns ``None`` there."""
    return [
        (m.stage, m.setting) for m in CATALOGUE if m.planted and function in m.functions and m.applies(config)
    ]


# -- the plants ------------------------------------------------------------------------------


def plant_padding(
    function: str, w: np.ndarray, config: dict[str, int], m: dict[str, Any]
) -> np.ndarray | None:
    n, D, p, q = config["n"], config["D"], config["p"], config["q"]
    if "pq" in m:
        p, q = q, p
        if n % p or D % q:
            return None
    s, t = n // p, D // q
    W = w.reshape(t, s).T if "layout" in m else w.reshape(s, t)
    identity = (function == "duplicated_diagonal_padding") != ("ones" in m)
    L = np.eye(p, q) if identity else np.ones((p, q))
    left, right = (W, L) if "swap" in m else (L, W)
    with np.errstate(invalid="ignore"):  # 0 * inf: every plant multiplies, as zero_times_w does
        out = np.outer(left, right).reshape(n, D) if "outer" in m else np.kron(left, right)
    return out.T if "transpose" in m else out


def plant_lphm_weight(
    w: np.ndarray, R: int, C: int, p: int, q: int, r: int, m: dict[str, Any]
) -> np.ndarray | None:
    if "pq" in m:
        p, q = q, p
        if R % p or C % q or r * (p + q + R // p + C // q) != w.size:
            return None
    sizes = {"P": p, "Q": q, "S": R // p, "T": C // q}
    order = m.get("order", "PQST")
    pieces = dict(zip(order, np.split(w, np.cumsum([sizes[f] * r for f in order])[:-1])))

    def read(f: str) -> np.ndarray:
        if f in m.get("layout", ""):
            return pieces[f].reshape(r, sizes[f]).T  # read as (r, rows), then transposed
        return pieces[f].reshape(sizes[f], r)

    P, Q, S, T = (read(f) for f in "PQST")
    left, right = P @ Q.T, S @ T.T
    if "swap" in m:
        left, right = right, left
    W = np.outer(left, right).reshape(R, C) if "outer" in m else np.kron(left, right)
    if "weight_T" in m:
        if W.shape[0] != W.shape[1]:
            return None
        W = W.T
    return W


def plant(
    function: str, config: dict[str, Any], inputs: dict[str, Any], m: dict[str, Any]
) -> np.ndarray | None:
    w = inputs["w"]
    if function in PADDING:
        return plant_padding(function, w, config, m)
    if function == "dual_lphm":
        W = plant_lphm_weight(w, config["n"], config["D"], config["p"], config["q"], config["r"], m)
        return None if W is None else (W.T if "transpose" in m else W)
    arrays = inputs["inputs"]
    widths = [a.shape[-1] for a in arrays]
    N, n = sum(widths), config["n"] or widths[0]
    if m.get("concat") == "interleaved":  # columns in turn; a narrower input runs out first
        columns = [a[..., [j]] for j in range(max(widths)) for a in arrays if j < a.shape[-1]]
        X = np.concatenate(columns, axis=-1)
    elif m.get("concat") == "rows":
        if len(set(widths)) > 1:
            return None
        X = np.concatenate(arrays, axis=-2).reshape(*arrays[0].shape[:-1], N)
    elif m.get("concat") == "reversed":
        X = np.concatenate(arrays[::-1], axis=-1)
    else:
        X = np.concatenate(arrays, axis=-1)
    if function == "concatenation_fusion":
        W = w.reshape(n, N).T if "layout" in m else w.reshape(N, n)
        if "weight_T" in m:
            if N != n:
                return None
            W = W.T
    else:
        W = plant_lphm_weight(w, N, n, config["p"], config["q"], config["r"], m)
        if W is None:
            return None
    out = X @ W
    return np.swapaxes(out, -1, -2) if "transpose" in m else out


# -- configurations and inputs ----------------------------------------------------------------


@st.composite
def cases(
    draw: Any, functions: tuple[str, ...] = tuple(FUNCTIONS)
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A function, a configuration in the registry's convention, and float64 inputs."""
    function = draw(st.sampled_from(functions))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    config = draw(configs(function))
    spec = FUNCTIONS[function]
    if function in PADDING:
        return function, config, {"w": np.arange(1.0, spec.l(config) + 1)}  # index-tagged: w[k] = k + 1
    inputs: dict[str, Any] = {"w": rng.standard_normal(spec.l(config))}
    if spec.is_fusion:
        inputs["inputs"] = [rng.standard_normal((*leading_shape(config), d)) for d in config["dims"]]
    return function, config, inputs


def is_correct(actual: np.ndarray, function: str, config: dict[str, Any], inputs: dict[str, Any]) -> bool:
    """The oracle's own verdict."""
    expected, bound, K = expected_and_bound(function, config, inputs, actual.dtype)
    return judge(actual, expected, bound, dtype=actual.dtype, K=K).passed


def same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """Two planted outputs that are the same up to rounding (generic inputs: else they differ by O(1))."""
    if a is None or b is None or a.shape != b.shape:
        return False
    return bool(np.allclose(a, b, rtol=1e-7, atol=1e-9))


def decoded(value: float, l: int) -> str:
    """What an entry of a padding output holds, for ``w = 1..l``."""
    if value == 0:
        return "0"
    if float(value).is_integer() and 1 <= value <= l:
        return f"w[{int(value) - 1}]"
    return "a value that is no entry of w"


def misplaced_lines(actual: np.ndarray, expected: np.ndarray, l: int, limit: int = 5) -> list[str]:
    lines = []
    for i, j in zip(*np.nonzero(actual != expected)):
        lines.append(
            f"entry ({i}, {j}) holds {decoded(actual[i, j], l)}, expected {decoded(expected[i, j], l)}"
        )
    return lines[:limit]


# -- planted mistakes are named ---------------------------------------------------------------


@given(data=st.data(), case=cases())
def test_a_planted_mistake_is_named(
    data: st.DataObject, case: tuple[str, dict[str, Any], dict[str, Any]]
) -> None:
    function, config, inputs = case
    stage, value = data.draw(st.sampled_from(applicable(function, config)), label="mistake")
    planted = plant(function, config, inputs, {stage: value})
    if planted is None:  # p and q exchanged where the division (or the length of w) fails
        return
    d = diagnose(planted, function, config, inputs)
    assert isinstance(d, Diagnosis)
    if planted.shape == FUNCTIONS[function].output_shape(config) and is_correct(
        planted, function, config, inputs
    ):
        assert d.correct and d.matches == [], str(d)  # a no-op here: nothing to diagnose
        return
    assert not d.correct
    assert name_of(function, {stage: value}) in d.matches, str(d)
    assert "no known mistake matches" not in str(d)
    if function in PADDING and planted.shape == (config["n"], config["D"]):
        expected = FUNCTIONS[function].call(config, inputs)
        assert d.misplaced == misplaced_lines(planted, expected, inputs["w"].size)
        assert d.misplaced_count == np.count_nonzero(planted != expected)


@FEWER
@given(data=st.data(), case=cases())
def test_a_planted_pair_of_mistakes_is_named_as_the_pair(
    data: st.DataObject, case: tuple[str, dict[str, Any], dict[str, Any]]
) -> None:
    function, config, inputs = case
    mistakes = applicable(function, config)
    first = data.draw(st.sampled_from(mistakes), label="first")
    second = data.draw(st.sampled_from([m for m in mistakes if m[0] != first[0]]), label="second")
    pair = dict([first, second])
    planted = plant(function, config, inputs, pair)
    if planted is None:
        return
    d = diagnose(planted, function, config, inputs)
    if planted.shape == FUNCTIONS[function].output_shape(config) and is_correct(
        planted, function, config, inputs
    ):
        assert d.correct and d.matches == [], str(d)
        return
    alone = [m for m in (first, second) if same(planted, plant(function, config, inputs, dict([m])))]
    if alone:  # the other mistake changes nothing here: the one that matters is named alone
        assert all(name_of(function, dict([m])) in d.matches for m in alone), str(d)
        return
    singles = [m for m in mistakes if same(planted, plant(function, config, inputs, dict([m])))]
    if singles:  # on this configuration one other mistake gives the same output: the simpler
        # explanation is named (transposed and [P, S, Q, T] is [P, T, Q, S] when n = D = 2, p = q = 1)
        assert any(name_of(function, dict([m])) in d.matches for m in singles), str(d)
        return
    assert name_of(function, pair) in d.matches or len(d.matches) >= ENOUGH, str(
        d
    )  # the search stops at ENOUGH


# Fixed configurations on which every catalogued mistake applies and changes the output.
SWEEP = {
    "duplicated_padding": {"n": 6, "D": 12, "p": 2, "q": 3},
    "duplicated_diagonal_padding": {"n": 6, "D": 12, "p": 2, "q": 3},
    "dual_lphm": {"n": 12, "D": 12, "p": 2, "q": 3, "r": 2},
    "dual_lphm_fusion": {"dims": [4, 4], "n": 8, "p": 2, "q": 4, "r": 2, "m": 3, "batch": (2,)},
    "concatenation_fusion": {"dims": [3, 3], "n": 4, "m": 3, "batch": (2,)},
}


def sweep_inputs(function: str) -> dict[str, Any]:
    config = SWEEP[function]
    rng = np.random.default_rng(7)
    l = FUNCTIONS[function].l(config)
    inputs: dict[str, Any] = {"w": np.arange(1.0, l + 1) if function in PADDING else rng.standard_normal(l)}
    if function in FUSIONS:
        inputs["inputs"] = [rng.standard_normal((*config["batch"], config["m"], d)) for d in config["dims"]]
    return inputs


@pytest.mark.parametrize("function", list(SWEEP))
def test_every_catalogued_mistake_is_named(function: str) -> None:
    config, inputs = SWEEP[function], sweep_inputs(function)
    reference = np.asarray(FUNCTIONS[function].call(config, inputs))
    unnamed = []
    for stage, value in applicable(function, config):
        planted = plant(function, config, inputs, {stage: value})
        assert planted is not None and not same(planted, reference), (stage, value)
        if name_of(function, {stage: value}) not in diagnose(planted, function, config, inputs).matches:
            unnamed.append(name_of(function, {stage: value}))
    assert unnamed == []


@pytest.mark.parametrize("small", [0, 1 << 16])
def test_the_outer_product_mistake_of_a_large_fusion_weight(
    small: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The diagnosis applies a large outer-product weight without materialising it: same names."""
    monkeypatch.setattr(_products, "SMALL", small)
    function = "dual_lphm_fusion"
    config, inputs = SWEEP[function], sweep_inputs(function)
    for mistakes in ({"outer": True}, {"outer": True, "weight_T": True}, {"swap": True, "outer": True}):
        planted = plant(function, config, inputs, mistakes)
        assert name_of(function, mistakes) in diagnose(planted, function, config, inputs).matches


@pytest.mark.parametrize(
    "function", ["duplicated_padding", "duplicated_diagonal_padding", "concatenation_fusion"]
)
def test_every_pair_of_mistakes_is_named(function: str) -> None:
    config, inputs = SWEEP[function], sweep_inputs(function)
    reference = np.asarray(FUNCTIONS[function].call(config, inputs))
    unnamed, tried = [], 0
    for first, second in itertools.combinations(applicable(function, config), 2):
        if first[0] == second[0]:
            continue
        pair = dict([first, second])
        planted = plant(function, config, inputs, pair)
        if planted is None or same(planted, reference):
            continue
        if any(same(planted, plant(function, config, inputs, dict([m]))) for m in (first, second)):
            continue
        tried += 1
        if name_of(function, pair) not in diagnose(planted, function, config, inputs).matches:
            unnamed.append(name_of(function, pair))
    assert tried > 0 and unnamed == []


def test_the_pair_in_the_brief() -> None:
    w = np.arange(1.0, 7.0)
    config = {"n": 4, "D": 6, "p": 2, "q": 2}  # s = 2, t = 3
    planted = np.kron(np.ones((2, 2)), w.reshape(3, 2).T).T
    d = diagnose(planted, "duplicated_padding", config, {"w": w})
    assert d.matches == ["column-major reshape of w + output transposed"]
    assert "the output has shape (6, 4), the reference (4, 6)" in str(d)


@given(data=st.data(), function=st.sampled_from(("dual_lphm", "dual_lphm_fusion")))
def test_a_float32_candidate_is_diagnosed_within_its_own_tolerance(
    data: st.DataObject, function: str
) -> None:
    _, config, inputs = data.draw(cases((function,)))
    inputs = {
        k: (v.astype(np.float32) if k == "w" else [a.astype(np.float32) for a in v])
        for k, v in inputs.items()
    }
    stage, value = data.draw(st.sampled_from(applicable(function, config)), label="mistake")
    planted = plant(function, config, inputs, {stage: value})  # float32 throughout: float32 rounding
    if planted is None or planted.dtype != np.float32:
        return
    d = diagnose(planted, function, config, inputs)
    if planted.shape == FUNCTIONS[function].output_shape(config) and is_correct(
        planted, function, config, inputs
    ):
        assert d.correct
        return
    assert name_of(function, {stage: value}) in d.matches, str(d)


# -- what is not a mistake, and what matches none ---------------------------------------------


@given(case=cases(), dtype=st.sampled_from([np.float64, np.float32]))
def test_the_correct_output_is_not_diagnosed(
    case: tuple[str, dict[str, Any], dict[str, Any]], dtype: Any
) -> None:
    function, config, inputs = case
    inputs = {k: (v.astype(dtype) if k == "w" else [a.astype(dtype) for a in v]) for k, v in inputs.items()}
    right = np.asarray(FUNCTIONS[function].call(config, inputs))
    d = diagnose(right, function, config, inputs)
    assert d.correct and d.matches == [] and d.misplaced == []
    assert "the output is correct" in str(d)


@given(case=cases(), dtype=st.sampled_from([np.float64, np.float32, np.float16]), complex_data=st.booleans())
def test_the_pipeline_without_mistakes_is_refimpl_and_its_bound_the_oracles(
    case: tuple[str, dict[str, Any], dict[str, Any]], dtype: Any, complex_data: bool
) -> None:
    """The mistakes are judged by the oracle's rule: ``gamma * magnitude + tiny``, read off it."""
    function, config, inputs = case
    if complex_data:
        inputs = {k: (v * (1 - 2j) if k == "w" else [a * (2 + 1j) for a in v]) for k, v in inputs.items()}
    spec = FUNCTIONS[function]
    expected, bound, _ = expected_and_bound(function, config, inputs, dtype)
    rule = output_bound(spec, config, inputs, np.dtype(dtype))
    absolute = {"w": np.abs(inputs["w"]), "inputs": [np.abs(a) for a in inputs.get("inputs", [])]}
    assert np.allclose(Pipeline(spec, config, inputs).output(), expected, rtol=1e-12, atol=0)
    if spec.exact:
        assert np.array_equal(rule.gamma * np.abs(expected), bound)
    else:
        magnitude = Pipeline(spec, config, absolute).output()
        assert np.allclose(rule.gamma * magnitude + rule.tiny, bound, rtol=1e-12, atol=0)


def names(function: str, config: dict[str, Any]) -> list[str]:
    """The prose names of the mistakes that apply to ``config``, in the order of the stages."""
    return [m.name for m in mistakes_catalogue(function, config)]


def test_the_catalogue_names() -> None:
    assert names("duplicated_diagonal_padding", {"n": 4, "D": 6, "p": 2, "q": 3}) == [
        "column-major reshape of w",  # p and q exchanged cannot run: q = 3 does not divide n = 4
        "ones in place of the identity",
        "off-diagonal blocks computed as 0 * W",
        "Kronecker operands swapped",
        "flattened outer product in place of the Kronecker product",
        "output transposed",
    ]
    fusion = names("dual_lphm_fusion", {"dims": [2, 2], "n": 4, "p": 2, "q": None, "r": 1})
    assert len(fusion) == 3 + 23 + 15 + 2 + 1 + 1  # concat, order, layout, swap and outer, weight_T, output
    assert "Q read as (r, q)" in fusion and "segments of w in the order [T, S, Q, P]" in fusion
    assert (
        "P and S read as (r, p), (r, s)" in fusion and "P, Q and T read as (r, p), (r, q), (r, t)" in fusion
    )
    assert "p and q exchanged" not in fusion  # p == q


@pytest.mark.parametrize("function", list(SWEEP))
def test_the_table_is_the_catalogue_of_each_sweep_configuration(function: str) -> None:
    """The table above, row for row, is ``refimpl.oracle.mistakes.catalogue`` on the fixed
    configurations, where every catalogued mistake applies: the same stages and settings, the same
    prose names, in the same order."""
    config = SWEEP[function]
    expected = [
        (m.stage, m.setting, m.name) for m in CATALOGUE if function in m.functions and m.applies(config)
    ]
    assert [(m.stage, m.setting, m.name) for m in mistakes_catalogue(function, config)] == expected


def test_an_output_of_another_rank_matches_nothing() -> None:
    d = diagnose(
        np.arange(1.0, 5.0),
        "duplicated_padding",
        {"n": 2, "D": 2, "p": 1, "q": 1},
        {"w": np.arange(1.0, 5.0)},
    )
    assert d.matches == [] and "shape (4,)" in str(d)


@given(case=cases(), seed=st.integers(0, 2**32 - 1))
def test_random_garbage_matches_no_known_mistake(
    case: tuple[str, dict[str, Any], dict[str, Any]], seed: int
) -> None:
    function, config, inputs = case
    shape = FUNCTIONS[function].output_shape(config)
    garbage = np.random.default_rng(seed).standard_normal(shape) + 0.5  # 0.5: never an entry of w = 1..l
    if garbage.size == 0:
        return
    d = diagnose(garbage, function, config, inputs)
    assert not d.correct and d.matches == []
    assert "no known mistake matches" in str(d)
    if function in PADDING:
        assert d.misplaced[0].startswith("entry (0, 0) holds a value that is no entry of w, expected ")
        assert d.misplaced_count == garbage.size


# -- the padding functions' misplaced entries ------------------------------------------------


@given(data=st.data(), function=st.sampled_from(PADDING), config=configs("duplicated_padding"))
def test_misplaced_entries_name_the_entries_of_w_they_hold(
    data: st.DataObject, function: str, config: dict[str, int]
) -> None:
    l = FUNCTIONS[function].l(config)
    w = np.arange(1.0, l + 1)
    expected = np.asarray(FUNCTIONS[function].call(config, {"w": w}))
    wrong = expected.copy()
    positions = data.draw(
        st.lists(
            st.tuples(st.integers(0, config["n"] - 1), st.integers(0, config["D"] - 1)),
            min_size=1,
            max_size=8,
        )
    )
    for i, j in positions:
        wrong[i, j] = data.draw(st.sampled_from([0.0, 0.25, *map(float, range(1, l + 1))]))
    d = diagnose(wrong, function, config, {"w": w}, limit=3)
    if np.array_equal(wrong, expected):
        assert d.correct
        return
    assert d.misplaced == misplaced_lines(wrong, expected, l, limit=3)
    assert d.misplaced_count == np.count_nonzero(wrong != expected)
    assert "\n  " + d.misplaced[0] in str(d)


def test_misplaced_entries_in_words() -> None:
    w = np.arange(1.0, 5.0)
    config = {"n": 4, "D": 4, "p": 2, "q": 2}
    wrong = np.kron(np.eye(2), w.reshape(2, 2))
    wrong[0, 1], wrong[0, 2], wrong[1, 0] = 1.0, 7.0, 0.0
    d = diagnose(wrong, "duplicated_diagonal_padding", config, {"w": w})
    assert d.misplaced == [
        "entry (0, 1) holds w[0], expected w[1]",
        "entry (0, 2) holds a value that is no entry of w, expected 0",
        "entry (1, 0) holds 0, expected w[2]",
    ]
    assert d.matches == [] and "no known mistake matches" in str(d)


def test_a_w_with_repeated_entries_is_not_decoded() -> None:
    w = np.array([1.0, 1.0, 2.0, 3.0])
    config = {"n": 2, "D": 2, "p": 1, "q": 1}
    d = diagnose(w.reshape(2, 2).T, "duplicated_padding", config, {"w": w})
    assert d.matches == ["column-major reshape of w", "output transposed"]
    assert d.misplaced == [] and "repeated" in str(d)


# -- inputs from other libraries, and sparse outputs -------------------------------------------


@pytest.mark.parametrize("library", ["numpy", "array_api_strict"])
def test_any_array_library(library: str) -> None:
    xp = pytest.importorskip(library)
    w = np.arange(1.0, 13.0)
    config = {"n": 4, "D": 6, "p": 2, "q": 1}  # with p and q exchanged: s = 4, t = 3
    planted = np.kron(np.ones((1, 2)), w.reshape(4, 3)).T.copy()
    d = diagnose(as_xp(xp, planted), "duplicated_padding", config, {"w": as_xp(xp, w)})
    assert d.matches == ["p and q exchanged + output transposed"]


def test_a_sparse_output() -> None:
    w = np.arange(1.0, 7.0)
    config = {"n": 4, "D": 6, "p": 2, "q": 2}
    planted = scipy.sparse.kron(w.reshape(2, 3), scipy.sparse.eye_array(2), format="csr")
    d = diagnose(planted, "duplicated_diagonal_padding", config, {"w": w})
    assert d.matches == ["Kronecker operands swapped"]


def test_q_none_means_p() -> None:
    rng = np.random.default_rng(0)
    config = {"n": 4, "D": 4, "p": 2, "q": None, "r": 1}
    w = rng.standard_normal(FUNCTIONS["dual_lphm"].l({**config, "q": 2}))
    planted = plant("dual_lphm", {**config, "q": 2}, {"w": w}, {"swap": True})
    assert "Kronecker operands swapped" in diagnose(planted, "dual_lphm", config, {"w": w}).matches


def test_an_invalid_configuration_raises_refimpls_error() -> None:
    with pytest.raises(ValueError, match="not divisible"):
        diagnose(np.zeros((3, 4)), "duplicated_padding", {"n": 3, "D": 4, "p": 2, "q": 1}, {"w": np.ones(6)})


def test_non_finite_entries_are_compared_by_placement() -> None:
    w = np.array([1.0, np.inf, -np.inf, 4.0, 5.0, 6.0])
    config = {"n": 4, "D": 6, "p": 2, "q": 2}  # s = 2, t = 3
    planted = np.zeros((4, 6))
    planted[:2, :3] = planted[2:, 3:] = w.reshape(3, 2).T  # column-major W on the diagonal blocks
    d = diagnose(planted, "duplicated_diagonal_padding", config, {"w": w})
    assert d.matches == ["column-major reshape of w"]
    assert d.misplaced[0] == "entry (0, 1) holds w[2], expected w[1]"


def test_complex_dual_lphm() -> None:
    rng = np.random.default_rng(3)
    config = {"n": 6, "D": 4, "p": 3, "q": 2, "r": 2}
    l = FUNCTIONS["dual_lphm"].l(config)
    w = rng.standard_normal(l) + 1j * rng.standard_normal(l)
    planted = plant("dual_lphm", config, {"w": w}, {"swap": True, "transpose": True}).astype(np.complex64)
    d = diagnose(planted, "dual_lphm", config, {"w": w})
    assert "Kronecker operands swapped + output transposed" in d.matches
