"""The one catalogue of mistakes: its identifiers, ``find``, ``mistaken_output``, and that the
golden vectors' ``exposes:`` flags and the diagnosis both read it.

``mistaken_output`` is checked against the plants of ``tests/test_diagnosis.py``: each mistake
written out again from its plain description with NumPy's own ``kron``, ``outer`` and
``concatenate``.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from refimpl._validation import RefimplError
from refimpl.functions import FUNCTIONS
from refimpl.oracle.mistakes import STAGES, Mistake, catalogue, find, mistaken_output
from refimpl.oracle.tolerance import judge
from refimpl.oracle.vectors import MISTAKES, read_vectors, write_vectors
from refimpl.testing import diagnose

from .test_diagnosis import applicable, cases, name_of, plant

#: The ``exposes:`` flag names users and docs read: they must not change.
FAMILIES = {
    "duplicated_padding": {
        "column_major_reshape",
        "identity_for_ones",
        "kron_as_reshaped_outer",
        "kron_operands_swapped",
        "output_transposed",
        "p_q_exchanged",
    },
    "duplicated_diagonal_padding": {
        "column_major_reshape",
        "kron_as_reshaped_outer",
        "kron_operands_swapped",
        "ones_for_identity",
        "output_transposed",
        "p_q_exchanged",
        "zero_times_w",
    },
    "dual_lphm": {
        "column_major_reshape",
        "factor_transposed",
        "kron_as_reshaped_outer",
        "kron_operands_swapped",
        "output_transposed",
        "p_q_exchanged",
        "segment_order",
    },
    "dual_lphm_fusion": {
        "column_major_reshape",
        "concatenation_reversed",
        "concatenation_wrong_axis",
        "factor_transposed",
        "interleaved_concatenation",
        "kron_as_reshaped_outer",
        "kron_operands_swapped",
        "output_transposed",
        "p_q_exchanged",
        "segment_order",
        "weight_transposed",
    },
    "concatenation_fusion": {
        "column_major_reshape",
        "concatenation_reversed",
        "concatenation_wrong_axis",
        "interleaved_concatenation",
        "output_transposed",
        "weight_transposed",
    },
}


# -- the table --------------------------------------------------------------------------------


@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_identifiers_are_unique_and_families_are_the_flag_names(function: str) -> None:
    mistakes = catalogue(function)
    assert len({m.id for m in mistakes}) == len(mistakes) == len({m.name for m in mistakes})
    assert {m.family for m in mistakes} == FAMILIES[function] == set(MISTAKES[function])
    for m in mistakes:
        assert m.stage in STAGES
        assert m.id == m.family or m.id.startswith(f"{m.family}:"), m
    assert [STAGES.index(m.stage) for m in mistakes] == sorted(STAGES.index(m.stage) for m in mistakes)


def test_the_variants() -> None:
    orders = [m for m in catalogue("dual_lphm") if m.family == "segment_order"]
    assert len(orders) == 23 and "segment_order:PQST" not in {m.id for m in orders}
    assert {m.id for m in orders} == {
        f"segment_order:{''.join(o)}" for o in itertools.permutations("PQST")
    } - {"segment_order:PQST"}
    assert find("dual_lphm", "segment_order:QPST").name == "segments of w in the order [Q, P, S, T]"
    factors = [m.id for m in catalogue("dual_lphm_fusion") if m.family == "factor_transposed"]
    subsets = [
        c for k in (1, 2, 3) for c in itertools.combinations("PQST", k)
    ]  # all four: column_major_reshape
    assert factors == [f"factor_transposed:{''.join(c)}" for c in subsets]
    assert find("dual_lphm", "factor_transposed:PS").name == "P and S read as (r, p), (r, s)"
    assert find("dual_lphm", "factor_transposed:QST").name == "Q, S and T read as (r, q), (r, s), (r, t)"
    assert find("dual_lphm", "column_major_reshape").setting == "PQST"


@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_find_by_identifier_family_and_prose_name(function: str) -> None:
    for m in catalogue(function):
        assert find(function, m.id) == m
        assert find(function, m.name.upper()) == m
        assert find(function, f"  {m.name.replace(' ', '   ')} ") == m
        assert find(function, m.family) == next(x for x in catalogue(function) if x.family == m.family)


def test_find_refuses_an_unknown_key_with_the_identifiers() -> None:
    with pytest.raises(RefimplError, match="unknown mistake 'segment_order' for duplicated_padding") as info:
        find("duplicated_padding", "segment_order")
    message = str(info.value)
    assert "  column_major_reshape: column-major reshape of w" in message
    assert "  identity_for_ones: identity in place of ones" in message
    with pytest.raises(RefimplError, match=r"segment_order:PQTS\|PSQT\|") as info:
        find("dual_lphm", "nonsense")
    assert len(str(info.value).splitlines()) == 1 + len(FAMILIES["dual_lphm"])  # one line a family
    with pytest.raises(RefimplError, match="unknown mistake 'p_q_exchanged'"):  # p == q: does not apply
        find("duplicated_padding", "p_q_exchanged", {"n": 4, "D": 4, "p": 2})
    with pytest.raises(RefimplError, match="function must be one of"):
        catalogue("no_such_function")


def test_mistaken_output_refuses_what_does_not_combine() -> None:
    config, inputs = {"n": 4, "D": 6, "p": 2, "q": 3}, {"w": np.arange(1.0, 5.0)}
    two = [
        find("duplicated_padding", "column_major_reshape"),
        find("duplicated_padding", "column_major_reshape"),
    ]
    with pytest.raises(RefimplError, match="mistakes of one stage cannot combine"):
        mistaken_output("duplicated_padding", config, inputs, two)
    foreign = find("dual_lphm", "segment_order")
    with pytest.raises(RefimplError, match="is not a catalogued mistake of duplicated_padding"):
        mistaken_output("duplicated_padding", config, inputs, foreign)
    with pytest.raises(RefimplError, match="w must have length 4"):
        mistaken_output("duplicated_padding", config, {"w": np.ones(5)}, [])


def test_zero_times_w_turns_the_structural_zeros_into_nan() -> None:
    config = {"n": 4, "D": 4, "p": 2}
    w = np.array([1.0, np.inf, 3.0, 4.0])
    zero_times_w = find("duplicated_diagonal_padding", "zero_times_w")
    wrong = mistaken_output("duplicated_diagonal_padding", config, {"w": w}, zero_times_w)
    right = mistaken_output("duplicated_diagonal_padding", config, {"w": w}, [])
    with np.errstate(invalid="ignore"):
        assert np.array_equal(wrong, np.kron(np.eye(2), w.reshape(2, 2)), equal_nan=True)
    assert np.isnan(wrong[0, 3]) and right[0, 3] == 0 and np.array_equal(wrong[:2, :2], right[:2, :2])


# -- the builders agree with the plain descriptions --------------------------------------------


def _key(m: Mistake) -> tuple[str, Any]:
    return (m.stage, m.setting)


@given(data=st.data(), case=cases())
def test_the_catalogue_for_a_configuration_and_its_outputs_follow_the_plain_descriptions(
    data: st.DataObject, case: tuple[str, dict[str, Any], dict[str, Any]]
) -> None:
    function, config, inputs = case
    runnable = [
        m for m in applicable(function, config) if plant(function, config, inputs, dict([m])) is not None
    ]
    found = catalogue(function, config)
    assert {_key(m) for m in found} - {("select", "multiplied")} == set(runnable)  # zero_times_w: finite w
    first = data.draw(st.sampled_from(found), label="mistake")
    others = [m for m in found if m.stage != first.stage and _key(m) in runnable]
    chosen = [first, *data.draw(st.lists(st.sampled_from(others), max_size=1) if others else st.just([]))]
    got = mistaken_output(function, config, inputs, chosen)
    want = plant(function, config, inputs, dict(_key(m) for m in chosen if m.stage != "select"))
    assert (got is None) == (want is None)
    if got is not None:
        assert got.shape == want.shape and np.allclose(got, want, rtol=1e-12, atol=1e-12)


# -- one catalogue, read by the vectors and by the diagnosis ------------------------------------


@pytest.fixture(scope="module")
def small_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("mistakes") / "set"
    write_vectors(directory, large=False)
    return directory


def _fails(v: Any, m: Mistake) -> bool:
    out = mistaken_output(v.function, v.config, v.inputs, m)
    if out is None:
        return True
    with np.errstate(all="ignore"):
        return not judge(out.astype(v.dtype), v.expected, v.bound, dtype=v.dtype, exact=v.exact).passed


def test_the_exposes_flags_are_the_catalogues_mistakes_that_fail(small_set: Path) -> None:
    for v in read_vectors(small_set):
        flagged = {f.removeprefix("exposes:") for f in v.flags if f.startswith("exposes:")}
        families = itertools.groupby(catalogue(v.function), key=lambda m: m.family)
        failing = {family for family, group in families if all(_fails(v, m) for m in group)}
        assert flagged == failing, v.name


def test_the_diagnosis_names_each_mistake_a_vector_exposes(small_set: Path) -> None:
    """A candidate that makes one mistake, in the vector's dtype, is named by its prose name."""
    for v in read_vectors(small_set):
        if v.dtype != "float64":
            continue
        for m in catalogue(v.function, v.config):
            out = mistaken_output(v.function, v.config, v.inputs, m)
            if out is None or not _fails(v, m) or not np.isfinite(out).all():
                continue
            d = diagnose(out.astype(v.dtype), v.function, v.config, v.inputs)
            assert m.name in d.matches, (v.name, m.id, str(d))
            assert name_of(v.function, dict([_key(m)])) == m.name if m.stage != "select" else True
