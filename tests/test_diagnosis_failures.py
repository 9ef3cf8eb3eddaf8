"""The diagnosis of a candidate's failures is right or silent.

``diagnose_failures`` reruns the failing configurations on informative inputs and names only the
combinations of catalogued mistakes that reproduce every case. The candidates here are faithful
implementations with a mistake planted by the independent plants of ``tests/test_diagnosis.py``
(catalogued mistakes, alone or combined) or written out by hand (mistakes outside the catalogue).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from refimpl.functions import FUNCTIONS, leading_shape
from refimpl.oracle.diagnosis import Failure, diagnose, diagnose_failures, informative_inputs
from refimpl.oracle.diagnosis._combinations import ENOUGH
from refimpl.oracle.mistakes import Pipeline, find, mistaken_output
from refimpl.strategies import configs

from .test_diagnosis import STAGES, applicable, is_correct, name_of, plant, same

Candidate = Callable[[dict[str, Any], dict[str, Any]], np.ndarray]
OUTER = "flattened outer product in place of the Kronecker product"


def planted(function: str, mistakes: dict[str, Any]) -> Candidate:
    """A faithful implementation of ``function`` with ``mistakes`` planted; raises where they cannot run."""

    def candidate(config: dict[str, Any], inputs: dict[str, Any]) -> np.ndarray:
        config = FUNCTIONS[function].normalize(config)
        w = np.asarray(inputs["w"]).reshape(-1)
        out = plant(function, config, {**inputs, "w": w}, mistakes)
        if out is None:
            raise ValueError("the planted mistake cannot run here")
        return out

    return candidate


def random_inputs(function: str, config: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    spec = FUNCTIONS[function]
    inputs: dict[str, Any] = {"w": rng.standard_normal(spec.l(config))}
    if spec.is_fusion:
        inputs["inputs"] = [rng.standard_normal((*leading_shape(config), d)) for d in config["dims"]]
    return inputs


def failures_of(
    function: str, candidate: Candidate, cases: list[tuple[dict[str, Any], dict[str, Any]]]
) -> list[Failure]:
    """The cases where ``candidate`` gives a wrong output, as ``check`` hands them over."""
    found = []
    for config, inputs in cases:
        try:
            actual = candidate(config, inputs)
        except ValueError:
            continue
        if actual.shape != FUNCTIONS[function].output_shape(config) or not is_correct(
            actual, function, config, inputs
        ):
            found.append(Failure(config, inputs, actual))
    return found


def case_used(function: str, candidate: Candidate, failure: Failure) -> tuple[dict[str, Any], np.ndarray]:
    """The inputs and output the diagnosis judges for ``failure``: the informative rerun when it fails."""
    tagged = informative_inputs(function, failure.config, failure.inputs)
    out = candidate(failure.config, tagged)
    if out.shape == FUNCTIONS[function].output_shape(failure.config) and is_correct(
        out, function, failure.config, tagged
    ):
        return failure.inputs, failure.actual
    return tagged, out


def combination(function: str, name: str) -> list[Any]:
    return [find(function, part) for part in name.split(" + ")]


# -- the three failures of the issue -----------------------------------------------------------


def block_test_with_less_equal(config: dict[str, Any], inputs: dict[str, Any]) -> np.ndarray:
    """A diagonal padding whose block test is ``i <= j`` instead of ``i == j``."""
    n, D, p, q = config["n"], config["D"], config["p"], config["q"] or config["p"]
    W = np.reshape(inputs["w"], (n // p, D // q))
    return np.block([[W if i <= j else np.zeros_like(W) for j in range(q)] for i in range(p)])


def test_a_less_equal_in_the_block_test_is_not_named() -> None:
    """On a 1 x 2 block grid ``i <= j`` is all blocks, so "ones in place of the identity" matches
    the smallest failure by chance; it must not be named when a larger failure contradicts it."""
    function = "duplicated_diagonal_padding"
    small, large = {"n": 2, "D": 4, "p": 1, "q": 2}, {"n": 6, "D": 9, "p": 3, "q": 3}
    ones = {"w": np.ones(4)}  # the minimal failure, shrunk to ones
    assert (
        "ones in place of the identity"
        in diagnose(block_test_with_less_equal(small, ones), function, small, ones).matches
    )
    rng = np.random.default_rng(1)
    cases = [(large, {"w": rng.standard_normal(6)}), (small, ones)]
    failures = failures_of(function, block_test_with_less_equal, cases)
    assert len(failures) == 2
    for rerun in (block_test_with_less_equal, None):
        d = diagnose_failures(function, failures, rerun)
        assert d is not None and d.matches == [], str(d)
        assert "no known mistake matches" in str(d)


def p_and_s_exchanged(config: dict[str, Any], inputs: dict[str, Any]) -> np.ndarray:
    """Dual-LPHM with the factors P and S exchanged: ``kron(S Q^T, P T^T)``."""
    n, D, p, q, r = config["n"], config["D"], config["p"], config["q"] or config["p"], config["r"]
    s, t = n // p, D // q
    w = np.asarray(inputs["w"])
    P, Q, S, T = np.split(w, np.cumsum([p * r, q * r, s * r]))
    P, Q, S, T = P.reshape(p, r), Q.reshape(q, r), S.reshape(s, r), T.reshape(t, r)
    return np.kron(S @ Q.T, P @ T.T)


def test_p_and_s_exchanged_is_not_named_as_segment_orders() -> None:
    function = "dual_lphm"
    rng = np.random.default_rng(2)
    tiny = {"n": 4, "D": 1, "p": 2, "q": 1, "r": 1}
    bits = {"w": np.array([0.0, 1.0, 1.0, 1.0, 1.0, 1.0])}  # 0s and 1s: six segment orders agree by chance
    matches = diagnose(p_and_s_exchanged(tiny, bits), function, tiny, bits).matches
    assert sum(m.startswith("segments of w in the order") for m in matches) == 6
    larger = [{"n": 6, "D": 4, "p": 2, "q": 2, "r": 2}, {"n": 8, "D": 6, "p": 4, "q": 3, "r": 2}]  # p != s
    cases = [(c, {"w": rng.standard_normal(FUNCTIONS[function].l(c))}) for c in larger] + [(tiny, bits)]
    failures = failures_of(function, p_and_s_exchanged, cases)
    assert [f.config for f in failures] == [c for c, _ in cases]
    d = diagnose_failures(function, failures, p_and_s_exchanged)
    assert d is not None and d.matches == [], str(d)  # the catalogue has no "P and S exchanged"
    assert "no known mistake matches" in str(d)


def test_p_and_s_exchanged_where_p_equals_s() -> None:
    """With ``p == s`` taking S's segment for P is reading the segments in the order [S, Q, P, T]:
    on such configurations alone that name is right; the generic configurations of a rerun show
    that the candidate is something else."""
    function = "dual_lphm"
    rng = np.random.default_rng(2)
    square = [{"n": 9, "D": 4, "p": 3, "q": 2, "r": 2}, {"n": 4, "D": 6, "p": 2, "q": 3, "r": 3}]
    cases = [(c, {"w": rng.standard_normal(FUNCTIONS[function].l(c))}) for c in square]
    failures = failures_of(function, p_and_s_exchanged, cases)
    d = diagnose_failures(function, failures)
    assert d is not None and d.matches == ["segments of w in the order [S, Q, P, T]"], str(d)
    d = diagnose_failures(function, failures, p_and_s_exchanged)
    assert d is not None and d.matches == [] and d.cases == 2 + 2 + 2, str(d)  # failures, grown, generic


@pytest.mark.parametrize(
    ("function", "config"),
    [
        ("dual_lphm", {"n": 12, "D": 12, "p": 2, "q": 3, "r": 2}),
        ("dual_lphm", {"n": 6, "D": 8, "p": 3, "q": 2, "r": 3}),
        ("dual_lphm_fusion", {"dims": [4, 4], "n": 6, "p": 2, "q": 3, "r": 2, "m": 5, "batch": ()}),
    ],
)
def test_two_factors_transposed_with_the_outer_product_is_named(
    function: str, config: dict[str, Any]
) -> None:
    """Three catalogued mistakes at once: P and Q read as (r, p), (r, q), and the flattened outer product."""
    candidate = planted(function, {"layout": "PQ", "outer": True})
    failures = failures_of(
        function, candidate, [(config, random_inputs(function, config, np.random.default_rng(3)))]
    )
    d = diagnose_failures(function, failures, candidate)
    assert d is not None and d.matches == [f"P and Q read as (r, p), (r, q) + {OUTER}"], str(d)


def test_the_value_failures_are_diagnosed_when_the_minimal_failure_is_an_exception() -> None:
    function = "duplicated_padding"
    wrong = planted(function, {"transpose": True, "layout": "w"})

    def candidate(config: dict[str, Any], inputs: dict[str, Any]) -> np.ndarray:
        if config["n"] == 1:
            raise IndexError("a crash on one row")
        return wrong(config, inputs)

    rng = np.random.default_rng(4)
    larger = [{"n": 4, "D": 6, "p": 2, "q": 3}, {"n": 6, "D": 4, "p": 3, "q": 1}]
    failures = failures_of(function, candidate, [(c, random_inputs(function, c, rng)) for c in larger])
    failures.append(
        Failure({"n": 1, "D": 2, "p": 1, "q": 1}, {"w": np.ones(2)}, None)
    )  # the minimal one raised
    d = diagnose_failures(function, failures, candidate)
    assert d is not None and d.matches == ["column-major reshape of w + output transposed"], str(d)
    assert (
        diagnose_failures(function, failures[-1:], candidate) is None
    )  # exceptions only: nothing to diagnose


def test_a_configuration_whose_rerun_raises_is_skipped() -> None:
    function = "duplicated_padding"
    wrong = planted(function, {"swap": True})
    raised = []

    def candidate(config: dict[str, Any], inputs: dict[str, Any]) -> np.ndarray:
        if config["D"] == 10 and inputs["w"][0] == 1:  # crashes on the informative rerun only
            raised.append(config["D"])
            raise RuntimeError("no")
        return wrong(config, inputs)

    rng = np.random.default_rng(5)
    configs_ = [{"n": 8, "D": 10, "p": 2, "q": 2}, {"n": 4, "D": 6, "p": 2, "q": 3}]
    failures = failures_of(function, candidate, [(c, random_inputs(function, c, rng)) for c in configs_])
    d = diagnose_failures(function, failures, candidate)
    assert raised == [10] and d is not None and d.matches == ["Kronecker operands swapped"], str(d)
    assert (
        d.config["n"] == 4 and d.cases == 1 + 2 + 2
    )  # the other failure, its two grown relatives, two generic


# -- properties: planted catalogued mistakes are named, anything else is not --------------------


@st.composite
def planted_cases(
    draw: Any, function: str
) -> tuple[dict[str, Any], list[tuple[dict[str, Any], dict[str, Any]]]]:
    """A combination of one to three catalogued mistakes of different stages, and three cases."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    drawn = [draw(configs(function, max_rows=6)) for _ in range(3)]
    options = applicable(function, drawn[0])
    stages = sorted({stage for stage, _ in options}, key=STAGES.index)
    chosen = draw(st.lists(st.sampled_from(stages), min_size=1, max_size=min(3, len(stages)), unique=True))
    mistakes = {stage: draw(st.sampled_from([v for s, v in options if s == stage])) for stage in chosen}
    return mistakes, [(c, random_inputs(function, c, rng)) for c in drawn]


@settings(max_examples=max(10, settings.default.max_examples))
@given(data=st.data(), function=st.sampled_from(list(FUNCTIONS)))
def test_a_planted_combination_is_named_and_every_name_reproduces_every_case(
    data: st.DataObject, function: str
) -> None:
    mistakes, cases = data.draw(planted_cases(function))
    candidate = planted(function, mistakes)
    failures = failures_of(function, candidate, cases)
    assume(failures)  # the mistakes change nothing on these configurations
    d = diagnose_failures(function, failures, candidate)
    assert d is not None, mistakes
    if not d.matches:  # silent only when no case it could run on is large enough to tell
        assert "too small to tell mistakes apart" in str(d), (mistakes, str(d))
        return
    used = [case_used(function, candidate, f) for f in failures]
    for name in d.matches:  # right: each name reproduces every case tried
        for failure, (inputs, out) in zip(failures, used):
            assert same(
                mistaken_output(function, failure.config, inputs, combination(function, name)), out
            ), name
    smallest = min(len(name.split(" + ")) for name in d.matches)
    assert (
        name_of(function, mistakes) in d.matches
        or smallest < len(mistakes)  # fewer mistakes do the same on every case: they are named instead
        or len(d.matches) >= ENOUGH
    ), (mistakes, d.matches)


def perturbed(function: str, how: str) -> Candidate:
    """A faithful implementation with a mistake outside the catalogue."""
    faithful = planted(function, {})

    def candidate(config: dict[str, Any], inputs: dict[str, Any]) -> np.ndarray:
        out = np.array(faithful(config, inputs), dtype=np.float64)
        if out.size == 0:
            return out
        if how == "one entry scaled":
            out[..., 0, 0] *= 1.5
        elif FUNCTIONS[function].is_fusion:  # a sign flipped in the first output column
            out[..., 0] *= -1
        else:  # a sign flipped in the top-left block
            c = FUNCTIONS[function].normalize(config)
            out[: c["n"] // c["p"], : c["D"] // c["q"]] *= -1
        return out

    return candidate


@settings(max_examples=max(10, settings.default.max_examples // 2))
@given(
    function=st.sampled_from(list(FUNCTIONS)),
    how=st.sampled_from(["one entry scaled", "a sign flipped in a block"]),
    seed=st.integers(0, 2**32 - 1),
    data=st.data(),
)
def test_a_mistake_outside_the_catalogue_is_not_named(
    function: str, how: str, seed: int, data: st.DataObject
) -> None:
    rng = np.random.default_rng(seed)
    cases = [
        (c, random_inputs(function, c, rng))
        for c in [data.draw(configs(function, max_rows=6)) for _ in range(3)]
    ]
    candidate = perturbed(function, how)
    failures = failures_of(function, candidate, cases)
    assume(failures)
    d = diagnose_failures(function, failures, candidate)
    assert d is not None and d.matches == [], (how, str(d))


# -- the cost ----------------------------------------------------------------------------------


def test_a_diagnosis_that_finds_nothing_is_quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worst case, every triple tried, on the largest function: well within check's budget.

    Measured by the work done, not by a clock: the search tries each combination on the smallest
    failing case first and goes on to a larger one only while it still reproduces, and compares the
    output transposed without computing it again. Here nothing reproduces even the smallest case,
    so every output computed is one of that case (18 entries, against 768 of the largest), and
    there are no more of them than combinations tried."""
    function = "dual_lphm_fusion"
    config = {"dims": [4, 4, 4], "n": 6, "p": 2, "q": 3, "r": 2, "m": 64, "batch": (2,)}
    rng = np.random.default_rng(6)
    cases = [
        (config, random_inputs(function, config, rng)),
        ({**config, "m": 3, "batch": ()}, random_inputs(function, {**config, "m": 3, "batch": ()}, rng)),
    ]
    candidate = perturbed(function, "one entry scaled")
    failures = failures_of(function, candidate, cases)
    computed: Counter[int] = Counter()  # outputs computed, by the entries of the case's output
    output = Pipeline.output

    def counted(self: Pipeline, mistakes: Any = ()) -> np.ndarray | None:
        computed[int(np.prod(self.spec.output_shape(self.config)))] += 1
        return output(self, mistakes)

    monkeypatch.setattr(Pipeline, "output", counted)
    d = diagnose_failures(function, failures, candidate)
    assert d is not None and d.matches == [] and d.tried > 2000
    assert list(computed) == [3 * 6], computed  # the smallest case's only: m = 3 rows of width 6
    assert computed[3 * 6] <= d.tried, (computed, d.tried)


# -- too small to tell, and the simplest explanation -----------------------------------------------


def test_cases_too_small_to_tell_mistakes_apart_name_nothing() -> None:
    """q ignored (q = p used): on dims=[1], n=2, p=1, q=2, r=1 the wrong reading of w coincides with
    segments in the order [P, T, S, Q]; everywhere larger the lengths differ and the candidate raises."""
    function = "dual_lphm_fusion"
    right = planted(function, {})

    def ignores_q(config: dict[str, Any], inputs: dict[str, Any]) -> Any:
        if FUNCTIONS[function].l({**config, "q": config["p"]}) != FUNCTIONS[function].l(config):
            raise ValueError("w has the wrong length")
        return right({**config, "q": config["p"]}, inputs)

    tiny = {"dims": [1], "n": 2, "p": 1, "q": 2, "r": 1, "m": 1, "batch": ()}
    rng = np.random.default_rng(3)
    failures = failures_of(function, ignores_q, [(tiny, random_inputs(function, tiny, rng))])
    plain = diagnose_failures(function, failures)
    assert plain is not None and plain.matches == [] and "too small" in str(plain), str(plain)
    again = diagnose_failures(function, failures, ignores_q)
    assert again is not None and again.matches == [], str(again)


def test_a_single_mistake_is_named_alone_when_a_pair_reproduces_it_too() -> None:
    """kron(ones(1, q), W) transposed is also 'p and q exchanged + column-major reshape of w'."""
    function = "duplicated_padding"
    right = planted(function, {})

    def transposed(config: dict[str, Any], inputs: dict[str, Any]) -> Any:
        return np.asarray(right(config, inputs)).T.copy()

    config = {"n": 8, "D": 8, "p": 1, "q": 4}
    failures = failures_of(
        function, transposed, [(config, random_inputs(function, config, np.random.default_rng(4)))]
    )
    d = diagnose_failures(function, failures, transposed)
    assert d is not None and d.matches == ["output transposed"], str(d)
