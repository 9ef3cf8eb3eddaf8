"""What the oracle gives a candidate and how it calls it: cases that expose mistakes, seeds that
a candidate's files cannot change, calling conventions, and arguments changed in place."""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import Phase, given, seed, settings

import refimpl
from refimpl.functions import FUNCTIONS
from refimpl.oracle.check._candidates import ArgumentModified, adapt, changed, snapshot
from refimpl.oracle.check._cases import Case, case_strategy
from refimpl.oracle.check._reports import ConformanceError
from refimpl.testing import check

NAMES = sorted(FUNCTIONS)
FUSIONS = [name for name in NAMES if FUNCTIONS[name].is_fusion]


def _draw(strategy: Any, examples: int = 150, at: int = 0) -> list[Any]:
    """The examples a fixed seed draws (generation only: what ``check`` tries before shrinking)."""
    drawn: list[Any] = []

    @seed(at)
    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate])
    @given(strategy)
    def collect(example: Any) -> None:
        drawn.append(example)

    collect()
    return drawn


def _arrays(case: Case) -> list[np.ndarray]:
    return [case.inputs["w"], *case.inputs.get("inputs", [])]


def _share(cases: list[Case], predicate: Callable[[Case], bool]) -> float:
    return sum(map(predicate, cases)) / len(cases)


@pytest.fixture(scope="module", params=NAMES)
def drawn(request: pytest.FixtureRequest) -> tuple[str, list[Case]]:
    """150 cases of each function, for a candidate with defaults for ``q`` and ``n``, every clause judged."""
    strategy = case_strategy(
        request.param,
        optional=frozenset({"q", "n"}),
        nonfinite=True,
        dtypes=("float64", "float32", "int64", "bool"),
    )
    return request.param, _draw(strategy)


# --- item 1: inputs that expose mistakes ---------------------------------------------------


def test_values_are_never_mostly_one_value(drawn: tuple[str, list[Case]]) -> None:
    """28 of 100 drawn ``w`` were constant and 22 of 56 fusion inputs all-equal: a transposed
    output passed. Now every float ``w`` and input has distinct values, ints distinct, bools both."""
    name, cases = drawn
    for case in cases:
        for i, a in enumerate(_arrays(case)):
            if i and case.layout == "broadcast" and a.shape[-2]:  # an input's rows are equal: its first row
                a = a[..., :1, :]
            finite = a[np.isfinite(a)] if a.dtype.kind in "fc" else a.reshape(-1)
            if a.dtype.kind == "b":
                assert a.size < 2 or 0 < a.sum() < a.size, (name, case)
            else:  # distinct, but for a rare coincidence of two random float32 values among hundreds
                assert len(np.unique(finite)) >= finite.size - finite.size // 100, (name, case.kind, a)
    tagged = [c for c in cases if c.kind == "tagged"]
    assert all(
        np.array_equal(c.inputs["w"].reshape(-1), np.arange(1, c.inputs["w"].size + 1)) for c in tagged
    )


def test_tagged_distinct_and_nonfinite_shares(drawn: tuple[str, list[Case]]) -> None:
    name = drawn[0]
    cases = _draw(case_strategy(name, nonfinite=True))
    for kind in ("tagged", "distinct", "nonfinite"):
        assert _share(cases, lambda c, kind=kind: c.kind == kind) >= 0.12, (name, kind)


def test_nonfinite_values_are_drawn(drawn: tuple[str, list[Case]]) -> None:
    """No inf or nan was ever drawn, so a ``0 * inf`` off the diagonal blocks passed."""
    name, cases = drawn
    nonfinite = [c for c in cases if c.kind == "nonfinite"]
    for case in nonfinite:
        assert any(not np.isfinite(a).all() for a in _arrays(case)), case
        for a in _arrays(case):  # small finite values: no sum overflows in one order and not another
            assert np.abs(a[np.isfinite(a)]).max(initial=0) <= 4
    values = np.concatenate([a.reshape(-1) for c in nonfinite for a in _arrays(c)])
    assert np.isposinf(values).any() and np.isneginf(values).any() and np.isnan(values).any()
    assert all(np.isfinite(a).all() for c in cases if c.kind != "nonfinite" for a in _arrays(c))
    if FUNCTIONS[name].is_fusion:  # in w and in the inputs
        assert any(not np.isfinite(c.inputs["w"]).all() for c in nonfinite)
        assert any(not np.isfinite(a).all() for c in nonfinite for a in c.inputs["inputs"])


def test_w_comes_as_a_vector_and_as_one_row(drawn: tuple[str, list[Case]]) -> None:
    """``w`` was never passed with shape ``(1, l)``."""
    name, cases = drawn
    spec = FUNCTIONS[name]
    assert all(c.inputs["w"].shape in ((spec.l(c.config),), (1, spec.l(c.config))) for c in cases)
    assert 0.12 <= _share(cases, lambda c: c.inputs["w"].ndim == 2) <= 0.45


def test_optional_arguments_are_left_out(drawn: tuple[str, list[Case]]) -> None:
    """``q`` was never left out, so a candidate whose ``q`` defaults to 1 passed."""
    name, cases = drawn
    spec = FUNCTIONS[name]
    assert all(c.config == spec.normalize(c.config) for c in cases)  # every default applied
    for c in cases:
        assert c.omitted <= spec.optional_arguments
        if "q" in c.omitted:
            assert c.config["q"] == c.config["p"]
        if "n" in c.omitted:
            assert set(c.config["dims"]) == {c.config["n"]}
    if "q" in spec.config_keys:
        assert _share(cases, lambda c: "q" in c.omitted) >= 0.05
    if spec.is_fusion:
        assert _share(cases, lambda c: "n" in c.omitted) >= 0.1
    plain = _draw(case_strategy(name), examples=60)  # a candidate without defaults: nothing left out
    assert all(c.omitted == frozenset() for c in plain)


def test_integer_and_bool_w_must_give_float64(drawn: tuple[str, list[Case]]) -> None:
    """Integer ``w`` (SPEC: promoted to float64) could not be checked at all."""
    name, cases = drawn
    for kind in "ib":
        assert _share(cases, lambda c, kind=kind: c.inputs["w"].dtype.kind == kind) >= 0.02, (name, kind)
    for c in cases:  # SPEC's promotion: the floating arrays' dtypes combined, float64 when there are none
        floating = [a for a in _arrays(c) if a.dtype.kind == "f"]
        assert c.dtype == (np.result_type(*floating).name if floating else "float64"), c
    only32 = _draw(case_strategy(name, dtypes=("float32",)), examples=60)
    assert {str(c.inputs["w"].dtype) for c in only32} == {"float32"}
    ints = _draw(case_strategy(name, dtypes=("int64",)), examples=30)
    assert {(str(c.inputs["w"].dtype), c.dtype) for c in ints} == {("int64", "float64")}


def test_by_default_only_finite_floating_inputs_are_drawn() -> None:
    """Integer ``w`` and non-finite values, clauses a default check does not judge, were drawn in a
    quarter of the float64 cases: correct PyTorch code failed on a dtype it was never asked for."""
    for name in NAMES:
        cases = _draw(case_strategy(name), examples=60)
        assert all(a.dtype.kind == "f" and np.isfinite(a).all() for c in cases for a in _arrays(c)), name
        assert {c.layout for c in cases} >= {"C", "F", "strided", "readonly"}, name
        if FUNCTIONS[name].is_fusion:
            mixed = [c for c in cases if len({a.dtype for a in _arrays(c)}) > 1]
            assert mixed and all(c.dtype == "float64" for c in mixed), name
            assert not any(
                len({a.dtype for a in _arrays(c)}) > 1
                for c in _draw(case_strategy(name, mixed=False), examples=30)
            )


def test_check_takes_integer_dtypes() -> None:
    """``check(f, "duplicated_padding", dtypes=("int64",))`` raised ``ValueError: data type int64 not inexact``."""
    report = check(
        refimpl.duplicated_padding,
        "duplicated_padding",
        dtypes=("int64", "bool"),
        examples=30,
        raise_on_failure=False,
    )
    assert report.passed, str(report)


@pytest.mark.parametrize("name", FUSIONS)
def test_rows_reach_the_bound_and_are_rarely_zero(name: str) -> None:
    """Rows never exceeded 12, and 38 of 100 fusion cases had ``m = 0``."""
    cases = _draw(case_strategy(name), examples=300)
    rows = np.array([c.config["m"] for c in cases])
    assert rows.max() == 64 and (rows == 64).mean() >= 0.2
    assert (rows == 0).mean() <= 0.08  # rare among the draws: every check runs m = 0 among its edges
    assert ((rows > 3) & (rows < 64)).mean() >= 0.1
    assert all(c.inputs["inputs"][0].shape[-2] == c.config["m"] for c in cases)
    small = _draw(case_strategy(name, max_rows=10), examples=60)
    assert max(c.config["m"] for c in small) == 10


def test_a_given_configuration_draws_only_inputs() -> None:
    config = {"dims": [2, 2], "p": 2, "r": 1, "m": 5}  # n and q given as their defaults: left out
    cases = _draw(
        case_strategy("dual_lphm_fusion", config=config, optional=frozenset({"n", "q"})), examples=20
    )
    spec = FUNCTIONS["dual_lphm_fusion"]
    assert all(c.config == spec.normalize(config) and c.omitted == {"n", "q"} for c in cases)
    given_q = _draw(
        case_strategy("dual_lphm_fusion", config={**config, "q": 2}, optional=frozenset({"q"})), 10
    )
    assert all(c.omitted == frozenset() for c in given_q)


# --- item 8: stable seeds ------------------------------------------------------------------

_CANDIDATE = """
import numpy as np

def padding(w, n, D, p, q=None):
    q = p if q is None else q
    w = np.asarray(w)
    w = w.astype(np.float64) if w.dtype.kind in "biu" else w
    return np.tile(np.reshape(w, (n // p, D // q)), (p, q))
"""


def _import(path: Any, name: str, source: str) -> ModuleType:
    (path / f"{name}.py").write_text(source)
    sys.path.insert(0, str(path))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(path))


def _fingerprint(cases: list[Case]) -> list[Any]:
    return [
        (c.config, c.omitted, c.dtype, c.kind, [(a.dtype.str, a.shape, a.tobytes()) for a in _arrays(c)])
        for c in cases
    ]


def test_a_literal_in_the_candidate_does_not_change_the_cases(tmp_path: Any) -> None:
    """Hypothesis draws number literals found in the user's modules: adding an unrelated constant
    to a candidate's module changed what a given seed drew."""
    before = _import(tmp_path, "stable_seed_candidate_a", _CANDIDATE)
    strategy = case_strategy("duplicated_padding", optional=frozenset({"q"}))
    first = _fingerprint(_draw(strategy, examples=100, at=7))
    report = check(before.padding, "duplicated_padding", seed=7, examples=60, raise_on_failure=False)
    # Literals within the ranges drawn: row counts, sides, seeds, values.
    extra = "\nUNRELATED = (3, 37, 61, 1234, 2.71875, -3.40625, 0.3125, 99991)\n"
    after = _import(tmp_path, "stable_seed_candidate_b", _CANDIDATE + extra)
    assert _fingerprint(_draw(strategy, examples=100, at=7)) == first
    again = check(after.padding, "duplicated_padding", seed=7, examples=60, raise_on_failure=False)
    assert report.passed and again.passed
    assert [(c.config, c.dtype) for c in again.cases] == [(c.config, c.dtype) for c in report.cases]


# --- item 3: calling conventions -----------------------------------------------------------


def _padding(w: Any, n: int, D: int, p: int, q: int) -> np.ndarray:
    w = np.asarray(w)
    w = w.astype(np.float64) if w.dtype.kind in "biu" else w
    return np.tile(w.reshape(n // p, D // q), (p, q))


class TinybigPadding:
    """A tinybig-style class: constructed with p and q, asserts ``w.shape == (1, l)``."""

    def __init__(self, p: int, q: int | None = None, name: str = "padding") -> None:
        self.p, self.q = p, p if q is None else q

    def calculate_l(self, n: int, D: int) -> int:
        return n * D // (self.p * self.q)

    def forward(self, n: int, D: int, w: Any) -> Any:
        assert w.ndim == 2 and w.shape == (1, self.calculate_l(n, D))
        return _padding(w, n, D, self.p, self.q)


class VectorOnlyPadding:
    """A class with ``calculate_matrix`` only, that wants ``w`` of shape ``(l,)``."""

    def __init__(self, p: int, q: int) -> None:
        self.p, self.q = p, q

    def calculate_matrix(self, n: int, D: int, w: Any) -> Any:
        if w.ndim != 1:
            raise ValueError(f"w must be 1-d, got shape {w.shape}")
        return _padding(w, n, D, self.p, self.q)


class TinybigFusion:
    """A tinybig-style concatenation fusion: constructed with ``dims`` and ``n``; ``forward(x, w)``."""

    def __init__(self, dims: list[int], n: int | None = None) -> None:
        self.dims, self.n = dims, dims[0] if n is None else n

    def calculate_l(self) -> int:
        return sum(self.dims) * self.n

    def forward(self, x: list[Any], w: Any) -> Any:
        assert w.ndim == 2
        w = w.astype(np.float64) if w.dtype.kind in "biu" else w
        return np.concatenate(x, axis=-1) @ w.reshape(sum(self.dims), self.n)


PADDING = FUNCTIONS["duplicated_padding"]


def test_functions_are_called_with_their_defaults_left_out() -> None:
    seen: list[tuple[Any, ...]] = []

    def lphm(w: Any, n: int, D: int, p: int, q: int | None = None, r: int = 1) -> Any:
        seen.append((n, D, p, q, r))
        return refimpl.dual_lphm(w, n, D, p, q, r)

    candidate = adapt(lphm, FUNCTIONS["dual_lphm"])
    assert candidate.convention == "function" and candidate.optional == {"q"}
    config = {"n": 4, "D": 4, "p": 2, "q": 2, "r": 3}
    w = np.arange(1.0, 25.0)
    candidate.call(config, {"w": w}, frozenset({"q"}))
    candidate.call(config, {"w": w})
    assert seen == [(4, 4, 2, None, 3), (4, 4, 2, 2, 3)]  # r by name after a left-out q
    assert adapt(_padding, PADDING).optional == frozenset()
    assert adapt(refimpl.dual_lphm_fusion, FUNCTIONS["dual_lphm_fusion"]).optional == {"q", "n"}


def test_a_candidate_whose_q_defaults_to_one_fails() -> None:
    def q_is_one(w: Any, n: int, D: int, p: int, q: int = 1) -> Any:
        return _padding(w, n, D, p, q)

    report = check(q_is_one, "duplicated_padding", raise_on_failure=False)
    assert not report.passed
    assert check(
        lambda w, n, D, p, q=None: _padding(w, n, D, p, p if q is None else q),
        "duplicated_padding",
        raise_on_failure=False,
    ).passed


def test_a_tinybig_class_that_wants_one_row() -> None:
    """tinybig's classes assert ``w.shape == (1, l)``; the oracle passed ``(l,)`` and every case failed."""
    candidate = adapt(TinybigPadding, PADDING)
    assert candidate.optional == {"q"}
    config = {"n": 4, "D": 6, "p": 2, "q": 3}
    w = np.arange(1.0, 5.0)
    out = candidate.call(config, {"w": w}, frozenset())
    assert np.array_equal(out, refimpl.duplicated_padding(w, 4, 6, 2, 3))
    assert candidate.convention == "class, forward(n, D, w), w as (1, l)"
    report = check(TinybigPadding, "duplicated_padding", raise_on_failure=False)
    assert report.passed, str(report)


def test_a_class_with_calculate_matrix_that_wants_a_vector() -> None:
    candidate = adapt(VectorOnlyPadding, PADDING)
    w = np.arange(1.0, 5.0).reshape(1, 4)
    out = candidate.call({"n": 2, "D": 2, "p": 1, "q": 1}, {"w": w})
    assert np.array_equal(out, [[1.0, 2.0], [3.0, 4.0]])
    assert candidate.convention == "class, calculate_matrix(n, D, w), w as (l,)"
    assert check(VectorOnlyPadding, "duplicated_padding", raise_on_failure=False).passed


def test_a_fusion_class() -> None:
    spec = FUNCTIONS["concatenation_fusion"]
    candidate = adapt(TinybigFusion, spec)
    assert candidate.optional == {"n"}
    config = spec.normalize({"dims": [2, 2], "m": 3})
    x = [np.arange(6.0).reshape(3, 2), np.arange(6.0, 12.0).reshape(3, 2)]
    w = np.arange(8.0)
    out = candidate.call(config, {"w": w, "inputs": x}, frozenset({"n"}))
    assert np.array_equal(out, refimpl.concatenation_fusion(x, w))
    assert candidate.convention == "class, forward(x, w), w as (1, l)"
    assert check(TinybigFusion, "concatenation_fusion", raise_on_failure=False).passed


def test_class_failures_are_the_candidates_own() -> None:
    class WrongL(TinybigPadding):
        def calculate_l(self, n: int, D: int) -> int:
            return n * D

    with pytest.raises(ConformanceError, match="calculate_l returned 24"):
        adapt(WrongL, PADDING).call({"n": 4, "D": 6, "p": 2, "q": 3}, {"w": np.ones(4)})
    error = RuntimeError("broken")

    class Broken(VectorOnlyPadding):
        def calculate_matrix(self, n: int, D: int, w: Any) -> Any:
            raise error

    with pytest.raises(RuntimeError) as info:
        adapt(Broken, PADDING).call({"n": 2, "D": 2, "p": 1, "q": 1}, {"w": np.ones(4)})
    assert info.value is error  # the first attempt's exception, unchanged


def test_the_old_runner_call_still_works() -> None:
    candidate = adapt(refimpl.concatenation_fusion, FUNCTIONS["concatenation_fusion"])
    x = [np.ones((1, 2)), np.ones((1, 2))]
    out = candidate({"dims": [2, 2], "n": None, "m": 1, "batch": ()}, {"w": np.arange(8.0), "inputs": x})
    assert out.shape == (1, 2)


# --- issue 14 item 1: arguments changed in place --------------------------------------------

CONFIG = {"n": 2, "D": 4, "p": 1, "q": 2}  # l = 4


def _mutating(change: Callable[[Any], None]) -> Callable[..., Any]:
    def candidate(w: Any, n: int, D: int, p: int, q: int) -> Any:
        out = _padding(np.array(w), n, D, p, q)
        change(w)
        return out

    return candidate


def _reshape_in_place(w: Any) -> None:
    w.resize((2, 2), refcheck=False)


def _retype_in_place(w: Any) -> None:
    with warnings.catch_warnings():  # deprecated since NumPy 2.5, and still written by candidates
        warnings.simplefilter("ignore", DeprecationWarning)
        w.dtype = np.int64  # a view of the same bytes as int64


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda w: w.__setitem__(2, 7.0),
            r"in place: w\[2\] was 3\.0 before the call and 7\.0 after \(1 of 4",
        ),
        (lambda w: w.__imul__(2.0), r"in place: w\[0\] was 1\.0 before the call and 2\.0 after \(4 of 4"),
        (_reshape_in_place, r"argument w in place: its shape was \(4,\) before the call and \(2, 2\) after"),
        (_retype_in_place, r"argument w in place: its dtype was float64 before the call and int64 after"),
    ],
)
def test_a_changed_w_is_named(change: Callable[[Any], None], message: str) -> None:
    """Candidates that reshaped, rescaled or overwrote the caller's ``w`` passed ``check``."""
    candidate = adapt(_mutating(change), PADDING)
    with pytest.raises(ArgumentModified, match=message):
        candidate.call(CONFIG, {"w": np.arange(1.0, 5.0)})


def test_changed_fusion_inputs_are_named() -> None:
    spec = FUNCTIONS["concatenation_fusion"]
    config = spec.normalize({"dims": [1, 2], "n": 1, "m": 2})

    def scales_inputs(inputs: list[Any], w: Any, n: int | None = None) -> Any:
        inputs[1] *= 0.5  # in place, into the caller's array
        return refimpl.concatenation_fusion(inputs, w, n=n)

    def grows_the_list(inputs: list[Any], w: Any, n: int | None = None) -> Any:
        out = refimpl.concatenation_fusion(inputs, w, n=n)
        inputs.append(inputs[0])
        return out

    def arrays() -> dict[str, Any]:
        return {"w": np.arange(3.0), "inputs": [np.ones((2, 1)), np.arange(4.0).reshape(2, 2) + 1]}

    with pytest.raises(ArgumentModified, match=r"inputs\[1\] in place: inputs\[1\]\[0, 0\] was 1\.0 before"):
        adapt(scales_inputs, spec).call(config, arrays())
    with pytest.raises(
        ArgumentModified, match=r"argument inputs in place: it held 2 arrays before the call and 3"
    ):
        adapt(grows_the_list, spec).call(config, arrays())


def test_nan_stays_nan_and_untouched_arguments_pass() -> None:
    w = np.array([np.nan, 1.0, -np.inf, 2.0])
    out = adapt(_padding, PADDING).call(CONFIG, {"w": w})
    assert out.shape == (2, 4)
    assert changed(snapshot({"w": w, "inputs": [np.full((2, 2), np.nan)]})) is None


def test_the_candidates_exception_propagates_unchanged() -> None:
    error = ZeroDivisionError("mine")

    def raises(w: Any, n: int, D: int, p: int, q: int) -> Any:
        w[0] = 99.0  # a change does not hide the candidate's own exception
        raise error

    with pytest.raises(ZeroDivisionError) as info:
        adapt(raises, PADDING).call(CONFIG, {"w": np.ones(4)})
    assert info.value is error


@pytest.mark.parametrize("library", ["torch", "array_api_strict"])
def test_changes_in_other_array_libraries(library: str) -> None:
    if library == "torch":
        torch = pytest.importorskip("torch")
        w, change = torch.arange(1.0, 5.0, dtype=torch.float64), (lambda w: w.mul_(-1))
    else:
        xps = pytest.importorskip("array_api_strict")
        w, change = xps.arange(1.0, 5.0, dtype=xps.float64), (lambda w: w.__setitem__(0, -1.0))

    def candidate(w: Any, n: int, D: int, p: int, q: int) -> Any:
        out = refimpl.duplicated_padding(w, n, D, p, q)
        change(w)
        return out

    with pytest.raises(ArgumentModified, match=r"w\[0\] was 1\.0 before the call and -1\.0 after"):
        adapt(candidate, PADDING).call(CONFIG, {"w": w})


def test_torch_dtype_and_sparse_arguments() -> None:
    torch = pytest.importorskip("torch")
    w = torch.arange(1.0, 5.0, dtype=torch.float64)
    before = snapshot({"w": w})
    w.data = w.data.float()
    assert "its dtype was torch.float64 before the call and torch.float32 after" in changed(before)
    sparse = torch.eye(3).to_sparse()
    before = snapshot({"w": sparse})
    assert changed(before) is None
    sparse.mul_(2.0)
    assert "w[0, 0] was 1.0 before the call and 2.0 after" in changed(before)


def test_check_reports_a_changed_argument() -> None:
    def rescales(w: Any, n: int, D: int, p: int, q: int | None = None) -> Any:
        q = p if q is None else q
        out = _padding(np.array(w), n, D, p, q)
        w[...] = 0  # the caller's w zeroed after use
        return out

    report = check(rescales, "duplicated_padding", raise_on_failure=False)
    assert not report.passed
    assert "changed its argument w in place" in str(report)


class TestCheckArguments:
    """``check`` checks its own arguments as the command line checks its options: the argument,
    what it must be and what it got, before anything is drawn. Before, ``max_side=1.5`` and
    ``target=1`` raised an AttributeError deep inside, ``examples=0`` Hypothesis's own error,
    ``max_rows=-1`` or ``None`` passed silently, ``dtypes="float64"`` was read letter by letter
    and ``config`` of 10**18 values raised a raw MemoryError."""

    @staticmethod
    def faithful(w: Any, n: int, D: int, p: int, q: Any = None) -> Any:
        return refimpl.duplicated_padding(w, n, D, p, q)

    @pytest.mark.parametrize(
        ("kwargs", "exception", "says"),
        [
            ({"examples": 0}, refimpl.RefimplError, "examples must be at least 1, got examples=0"),
            ({"examples": 2.0}, TypeError, "examples must be an integer of at least 1, got 2.0"),
            ({"max_side": 1.5}, TypeError, "max_side must be an integer of at least 1, got 1.5"),
            ({"max_side": 0}, refimpl.RefimplError, "max_side must be at least 1, got max_side=0"),
            ({"max_rows": -1}, refimpl.RefimplError, "max_rows must be at least 0, got max_rows=-1"),
            ({"max_rows": None}, TypeError, "max_rows must be an integer of at least 0, got None"),
            (
                {"dtypes": "float64"},
                TypeError,
                "dtypes must be a sequence of dtype names, such as ('float64',)",
            ),
            ({"dtypes": ()}, TypeError, "dtypes must be a non-empty sequence of dtype names"),
            (
                {"target": 1},
                TypeError,
                "target must be the candidate's name 'module:callable' or None, got 1",
            ),
            ({"config": [4, 4, 2]}, TypeError, "config must be a dict of duplicated_padding's keys"),
            ({"config": {"n": 5, "D": 4, "p": 2}}, refimpl.RefimplError, "n=5 is not divisible by p=2"),
            (
                {"config": {"n": 10**9, "D": 10**9, "p": 1}},
                refimpl.MemoryLimitError,
                "config duplicated_padding(n=1000000000, D=1000000000, p=1, q=1): w would hold",
            ),
        ],
    )
    def test_a_bad_argument_is_refused_naming_it(
        self, kwargs: dict[str, Any], exception: type[Exception], says: str
    ) -> None:
        with pytest.raises(exception) as info:
            check(self.faithful, "duplicated_padding", raise_on_failure=False, **{"examples": 3, **kwargs})
        assert type(info.value) is exception and says in str(info.value), repr(info.value)

    @pytest.mark.parametrize(
        ("returns", "says"),
        [
            (None, "the output is a NoneType, not an array of numbers"),
            ("x", "the output is a str, not an array of numbers"),
            (
                np.array([[object()]]),
                "the output is a numpy.ndarray of dtype object, not an array of numbers",
            ),
        ],
    )
    def test_an_output_that_is_no_array_of_numbers_is_a_verdict(self, returns: Any, says: str) -> None:
        # Before, the second call's comparison raised "ufunc 'isnan' not supported" out of check.
        report = check(
            lambda w, n, D, p, q=None: returns, "duplicated_padding", examples=3, raise_on_failure=False
        )
        assert not report.passed and says in report.failure, report.failure
