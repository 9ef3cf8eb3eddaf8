"""How the oracle reads and judges outputs: every library and sparse layout, a sparse result's
structure, unreadable outputs as verdicts, and the non-finite contract (docs: conventions)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

import refimpl
from refimpl._outputs import UnreadableOutput, read_output, stored_count, to_numpy
from refimpl.functions import get_function
from refimpl.oracle.tolerance import disagreeing, expected_and_bound, judge, judge_output
from refimpl.strategies import configs
from refimpl.testing import assert_close_to_reference

torch = pytest.importorskip("torch")

# -- a duplicated diagonal padding in every layout ---------------------------------------------

DDP = {"n": 4, "D": 6, "p": 2, "q": 2}  # s = 2, t = 3: two diagonal blocks of 2 x 3
W_DDP = np.arange(1.0, 7.0)
RIGHT = np.kron(np.eye(2), W_DDP.reshape(2, 3))
WRONG = np.kron(np.eye(2), W_DDP.reshape((2, 3), order="F"))  # W read column-major: same structure


def _torch_layouts() -> dict[str, Callable[[np.ndarray], Any]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's "beta" warnings
        return {
            "torch dense requiring grad": lambda d: torch.tensor(d, requires_grad=True) * 1.0,
            "torch sparse_coo": lambda d: torch.tensor(d).to_sparse(),
            "torch sparse_coo requiring grad": lambda d: torch.tensor(d).to_sparse().requires_grad_(),
            "torch sparse_csr": lambda d: torch.tensor(d).to_sparse_csr(),
            "torch sparse_csc": lambda d: torch.tensor(d).to_sparse_csc(),
            "torch sparse_bsr (s, t) blocks": lambda d: torch.tensor(d).to_sparse_bsr((2, 3)),
            "torch sparse_bsr (1, 1) blocks": lambda d: torch.tensor(d).to_sparse_bsr((1, 1)),
            "torch sparse_bsc": lambda d: torch.tensor(d).to_sparse_bsc((2, 3)),
        }


def _scipy_layouts() -> dict[str, Callable[[np.ndarray], Any]]:
    out: dict[str, Callable[[np.ndarray], Any]] = {}
    for kind, make in (("array", sp.csr_array), ("matrix", sp.csr_matrix)):
        for fmt in ("csr", "csc", "coo", "bsr", "dia", "lil", "dok"):
            out[f"scipy {fmt} {kind}"] = lambda d, make=make, fmt=fmt: make(d).asformat(fmt)
    out["scipy bsr array, (s, t) blocks"] = lambda d: sp.bsr_array(d, blocksize=(2, 3))
    return out


LAYOUTS = {**_torch_layouts(), **_scipy_layouts()}


def _with_warnings_ignored(make: Callable[[np.ndarray], Any], dense: np.ndarray) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make(dense)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_layout_of_a_right_answer_passes_and_of_a_wrong_one_fails(layout: str) -> None:
    make = LAYOUTS[layout]
    right = judge_output(
        _with_warnings_ignored(make, RIGHT), "duplicated_diagonal_padding", DDP, {"w": W_DDP}, "float64"
    )
    assert right.passed, right.summary()
    wrong = judge_output(
        _with_warnings_ignored(make, WRONG), "duplicated_diagonal_padding", DDP, {"w": W_DDP}, "float64"
    )
    assert not wrong.passed
    assert "entries are off" in wrong.summary()
    assert wrong.layout == right.layout


@pytest.mark.parametrize(
    "layout", ["torch sparse_coo", "torch sparse_csr", "scipy coo matrix", "scipy csr array"]
)
def test_a_sparse_output_of_a_multiplying_function_is_judged_on_its_values(layout: str) -> None:
    w = np.arange(1.0, 9.0)
    config = {"n": 4, "D": 4, "p": 2, "q": 2, "r": 1}
    out = refimpl.dual_lphm(w, 4, 4, 2, 2, 1)
    make = LAYOUTS[layout]
    assert judge_output(_with_warnings_ignored(make, out), "dual_lphm", config, {"w": w}, "float64").passed
    assert not judge_output(
        _with_warnings_ignored(make, out.T), "dual_lphm", config, {"w": w}, "float64"
    ).passed


def test_refimpl_s_own_sparse_formats_pass() -> None:
    for fmt in refimpl.SPARSE_FORMATS:
        out = refimpl.duplicated_diagonal_padding(W_DDP, **DDP, format=fmt)
        assert judge_output(out, "duplicated_diagonal_padding", DDP, {"w": W_DDP}, "float64").passed, fmt


# -- the structure of a sparse diagonal padding (SPEC section 2) -------------------------------


def _every_entry_csr(dense: np.ndarray) -> sp.csr_array:
    n, D = dense.shape
    return sp.csr_array((dense.ravel(), np.tile(np.arange(D), n), np.arange(0, n * D + 1, D)), shape=(n, D))


def test_a_sparse_result_storing_every_entry_fails_on_its_structure() -> None:
    # Its values are right: densified (as the oracle did before), it passed.
    every = _every_entry_csr(RIGHT)
    assert every.nnz == RIGHT.size
    assert judge(every.toarray(), RIGHT, np.zeros(RIGHT.shape), dtype="float64", exact=True).passed
    verdict = judge_output(every, "duplicated_diagonal_padding", DDP, {"w": W_DDP}, "float64")
    assert not verdict.passed
    assert "stores 12 of its 24 entries outside the diagonal blocks" in verdict.problem
    assert "entry (0, 3), in block (0, 1)" in verdict.problem


def test_a_torch_coo_result_storing_every_entry_fails_on_its_structure() -> None:
    rows, cols = np.indices(RIGHT.shape)
    every = torch.sparse_coo_tensor(
        torch.tensor(np.stack([rows.ravel(), cols.ravel()])),
        torch.tensor(RIGHT.ravel()),
        RIGHT.shape,
        check_invariants=True,  # explicit: torch warns once per process when the choice is left implicit
    )
    verdict = judge_output(every, "duplicated_diagonal_padding", DDP, {"w": W_DDP}, "float64")
    assert not verdict.passed and "outside the diagonal blocks" in verdict.problem
    assert verdict.layout == "torch sparse_coo"


def test_stored_blocks_of_zeros_off_the_diagonal_fail() -> None:
    blocks = np.array([RIGHT[:2, :3], np.zeros((2, 3)), np.zeros((2, 3)), RIGHT[2:, 3:]])
    every = sp.bsr_array((blocks, np.array([0, 1, 0, 1]), np.array([0, 2, 4])), shape=(4, 6))
    verdict = judge_output(every, "duplicated_diagonal_padding", DDP, {"w": W_DDP}, "float64")
    assert not verdict.passed and "outside the diagonal blocks" in verdict.problem


def test_duplicated_stored_entries_count() -> None:
    coo = sp.coo_array(RIGHT)
    twice = sp.coo_array(
        (np.concatenate([coo.data, coo.data]) / 2, (np.tile(coo.row, 2), np.tile(coo.col, 2))),
        shape=RIGHT.shape,
    )
    assert stored_count(twice) == 24
    verdict = judge_output(twice, "duplicated_diagonal_padding", DDP, {"w": W_DDP}, "float64")
    assert not verdict.passed
    assert (
        "stores 24 entries, duplicates counted" in verdict.problem
        and "at most min(p, q) * s * t = 12" in verdict.problem
    )


def test_stored_zeros_of_w_inside_the_blocks_pass() -> None:
    w = np.array([1.0, 0.0, 0.0, 4.0, 0.0, 6.0])
    out = refimpl.duplicated_diagonal_padding(w, **DDP)
    assert out.nnz == 12
    assert judge_output(out, "duplicated_diagonal_padding", DDP, {"w": w}, "float64").passed


# -- outputs that are no arrays: verdicts, never crashes ---------------------------------------


def _meta() -> Any:
    return torch.empty((4, 6), device="meta", dtype=torch.float64)


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda: None, "the output is a NoneType, not an array"),
        (lambda: "abc", "the output is a str, not an array"),
        (lambda: {"a": 1}, "the output is a dict, not an array"),
        (lambda: [[1.0], [1.0, 2.0]], "the output is a list, which could not be read"),
        (
            lambda: torch.ones((4, 6), dtype=torch.bfloat16),
            "the output is a torch.Tensor of dtype torch.bfloat16",
        ),
        (_meta, "the output is a torch.Tensor of dtype torch.float64, which could not be read"),
    ],
)
def test_an_output_that_is_no_array_is_a_verdict(make: Callable[[], Any], says: str) -> None:
    verdict = judge_output(make(), "duplicated_diagonal_padding", DDP, {"w": W_DDP}, "float64")
    assert not verdict.passed and verdict.problem.startswith(says), verdict.problem
    with pytest.raises(UnreadableOutput):
        read_output(make())


def test_dense_outputs_of_every_library_pass() -> None:
    import array_api_strict
    import dask.array as da

    outputs = {
        "dask": da.from_array(RIGHT, chunks=2),
        "array_api_strict": array_api_strict.asarray(RIGHT),
        "masked": np.ma.masked_array(RIGHT, mask=np.zeros(RIGHT.shape, dtype=bool)),
        "list": RIGHT.tolist(),
        "torch": torch.tensor(RIGHT, requires_grad=True) + 0.0,
    }
    for name, out in outputs.items():
        verdict = judge_output(out, "duplicated_diagonal_padding", DDP, {"w": W_DDP}, "float64")
        assert verdict.passed and verdict.layout == "dense", name


def test_a_masked_entry_reads_as_nan() -> None:
    out = np.ma.masked_array(RIGHT, mask=np.eye(4, 6, dtype=bool))
    assert np.isnan(read_output(out).dense[0, 0])
    verdict = judge_output(out, "duplicated_diagonal_padding", DDP, {"w": W_DDP}, "float64")
    assert not verdict.passed and verdict.problem.startswith("nan placement differs")


def test_to_numpy_densifies_torch_sparse() -> None:
    # Before: "can't convert Sparse layout tensor to numpy" from inside the oracle.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for make in (torch.Tensor.to_sparse, torch.Tensor.to_sparse_csr, torch.Tensor.to_sparse_csc):
            np.testing.assert_array_equal(to_numpy(make(torch.tensor(RIGHT))), RIGHT)


# -- non-finite values (SPEC "Numerics"; docs: conventions, "Non-finite values") ---------------


def _reported_case() -> tuple[list[np.ndarray], np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 3))
    w = rng.standard_normal(refimpl.dual_lphm_fusion_l([3], 4, 1, 2, 2))
    w[0] = np.inf
    return [X], w


@pytest.mark.parametrize("method", ["dense", "structured"])
def test_both_of_refimpl_s_methods_pass_on_the_reported_case(method: str) -> None:
    # Before: the dense method failed with "nan placement differs".
    inputs, w = _reported_case()
    with np.errstate(invalid="ignore"):
        out = refimpl.dual_lphm_fusion(inputs, w, p=1, q=2, r=2, n=4, method=method)
    assert not np.isfinite(out).any()
    assert_close_to_reference(out, "dual_lphm_fusion", inputs, w, p=1, q=2, r=2, n=4)


_SPECIALS = st.sampled_from([0.0, 1.0, -1.0, 0.5, -2.0, np.inf, -np.inf, np.nan])
_VALUES = st.one_of(_SPECIALS, st.floats(-4.0, 4.0, allow_nan=False, allow_infinity=False))


@st.composite
def _nonfinite_cases(draw: Any, function: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A configuration and inputs with 0, inf, -inf and nan among ordinary values."""
    spec = get_function(function)
    config = spec.normalize(draw(configs(function, max_side=3)))

    def array(shape: tuple[int, ...]) -> np.ndarray:
        size = int(np.prod(shape))
        return np.array(draw(st.lists(_VALUES, min_size=size, max_size=size)), dtype=np.float64).reshape(
            shape
        )

    inputs: dict[str, Any] = {"w": array((spec.l(config),))}
    if spec.is_fusion:
        lead = (*config["batch"], config["m"])
        inputs["inputs"] = [array((*lead, d)) for d in config["dims"]]
    return config, inputs


def _orders(function: str, config: dict[str, Any], inputs: dict[str, Any]) -> list[np.ndarray]:
    """The function evaluated in legitimate orders: refimpl's methods and a few by hand."""
    w, c = inputs["w"], config
    if function == "dual_lphm_fusion":
        kw = {"p": c["p"], "q": c["q"], "r": c["r"], "n": c["n"]}
        return [
            refimpl.dual_lphm_fusion(inputs["inputs"], w, **kw, method=m) for m in ("dense", "structured")
        ]
    if function == "concatenation_fusion":
        N = sum(c["dims"])
        W = w.reshape(N, c["n"])
        edges = np.cumsum([0, *c["dims"]])
        by_input = sum(A @ W[a:b] for A, a, b in zip(inputs["inputs"], edges[:-1], edges[1:]))
        return [
            refimpl.concatenation_fusion(inputs["inputs"], w, n=c["n"]),
            np.concatenate(inputs["inputs"], -1) @ W,
            by_input + np.zeros((*c["batch"], c["m"], c["n"])),
        ]
    p, q, r, s, t = c["p"], c["q"], c["r"], c["n"] // c["p"], c["D"] // c["q"]
    P, Q, S, T = np.split(w, np.cumsum([p * r, q * r, s * r]))
    P, Q, S, T = P.reshape(p, r), Q.reshape(q, r), S.reshape(s, r), T.reshape(t, r)
    outer = sum(
        np.kron(np.outer(P[:, d], Q[:, d]), np.outer(S[:, e], T[:, e])) for d in range(r) for e in range(r)
    )
    return [refimpl.dual_lphm(w, c["n"], c["D"], p, q, r), np.kron(P @ Q.T, S @ T.T), outer]


@pytest.mark.parametrize("function", ["dual_lphm", "dual_lphm_fusion", "concatenation_fusion"])
@given(data=st.data())
def test_every_evaluation_order_passes_on_nonfinite_inputs(function: str, data: Any) -> None:
    config, inputs = data.draw(_nonfinite_cases(function))
    with np.errstate(all="ignore"):
        outputs = _orders(function, config, inputs)
        expected = expected_and_bound(function, config, inputs, "float64").expected
    for out in outputs:  # the same set of non-finite entries (SPEC's claim), and each one passes
        np.testing.assert_array_equal(np.isfinite(out), np.isfinite(expected))
        verdict = judge_output(out, function, config, inputs, "float64")
        assert verdict.passed, verdict.summary()


@pytest.mark.parametrize("function", ["dual_lphm", "dual_lphm_fusion", "concatenation_fusion"])
@given(data=st.data())
def test_a_wrong_finite_entry_beside_nonfinite_ones_fails(function: str, data: Any) -> None:
    config, inputs = data.draw(_nonfinite_cases(function))
    with np.errstate(all="ignore"):
        out = np.array(_orders(function, config, inputs)[0])
    finite = np.argwhere(np.isfinite(out))
    if len(finite):
        index = tuple(finite[data.draw(st.integers(0, len(finite) - 1))])
        out[index] += 1.0
        assert not judge_output(out, function, config, inputs, "float64").passed
    if (~np.isfinite(out)).any():
        out[tuple(np.argwhere(~np.isfinite(out))[0])] = 0.0
        assert not judge_output(out, function, config, inputs, "float64").passed


def test_a_layout_mistake_does_not_hide_behind_nonfinite_inputs() -> None:
    # concatenation_fusion with W read column-major: the inf column moves
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 4.0]])
    w = np.array([1.0, 2.0, np.inf, -1.0, 3.0, 0.5])  # W = [[1, 2, inf], [-1, 3, 0.5]]
    config, inputs = {"dims": [2], "n": 3, "m": 3, "batch": ()}, {"w": w, "inputs": [X]}
    right, wrong = X @ w.reshape(2, 3), X @ w.reshape((2, 3), order="F")
    assert judge_output(right, "concatenation_fusion", config, inputs, "float64").passed
    verdict = judge_output(wrong, "concatenation_fusion", config, inputs, "float64")
    assert not verdict.passed and verdict.problem.startswith("non-finite entries differ")
    # dual_lphm_fusion with kron's operands swapped: the non-finite rows agree, the finite ones do not
    Xs = [np.array([[1.0, 2.0, 3.0, 4.0], [np.inf, 1.0, 1.0, 1.0], [2.0, -1.0, 0.5, 3.0]])]
    w = np.arange(1.0, 1.0 + refimpl.dual_lphm_fusion_l([4], 4, 2, 2, 1))
    kw = {"p": 2, "q": 2, "r": 1, "n": 4}
    config = get_function("dual_lphm_fusion").normalize({"dims": [4], **kw, "m": 3})
    P, Q, S, T = w[:2, None], w[2:4, None], w[4:6, None], w[6:8, None]
    with np.errstate(invalid="ignore"):
        swapped = Xs[0] @ np.kron(S @ T.T, P @ Q.T)
        right = refimpl.dual_lphm_fusion(Xs, w, **kw)
    assert judge_output(right, "dual_lphm_fusion", config, {"w": w, "inputs": Xs}, "float64").passed
    assert np.array_equal(np.isfinite(swapped), np.isfinite(right))
    verdict = judge_output(swapped, "dual_lphm_fusion", config, {"w": w, "inputs": Xs}, "float64")
    assert not verdict.passed and "entries are off" in verdict.summary()


def test_the_padding_functions_stay_exact_on_nonfinite_values() -> None:
    w = np.array([np.inf, -np.inf, np.nan, 1.0])
    config = {"n": 4, "D": 4, "p": 2, "q": 2}
    for function in ("duplicated_padding", "duplicated_diagonal_padding"):
        right = get_function(function).call(config, {"w": w})
        assert judge_output(right, function, config, {"w": w}, "float64").passed
        for a, b in ((0, 1), (0, 2)):  # inf for -inf, inf for nan: the signs and kinds count
            wrong = np.array(right)
            wrong[right == w[a]], wrong[np.isnan(right) if b == 2 else right == w[b]] = w[b], w[a]
            verdict = judge_output(wrong, function, config, {"w": w}, "float64")
            assert not verdict.passed and "placement differs" in verdict.problem, (function, a, b)


def test_disagreeing_applies_the_rule_entry_by_entry() -> None:
    expected = np.array([np.inf, np.nan, 1.0, 2.0])
    actual = np.array([-np.inf, 0.0, 1.05, np.nan])
    assert disagreeing(actual, expected, 0.1, exact=False).tolist() == [False, True, False, True]
    assert disagreeing(actual, expected, 0.1, exact=True).tolist() == [True, True, False, True]
    z = np.array([complex(1.0, np.inf)])
    assert disagreeing(np.array([complex(np.nan, 0.0)]), z, 0.0, exact=False).tolist() == [False]
    assert disagreeing(np.array([complex(np.nan, 0.0)]), z, 0.0, exact=True).tolist() == [True]
    assert disagreeing(np.array([[1.0, 2.0]]), np.array([1.0, 2.5]), 0.0, exact=True).shape == (1, 2)


# -- through check: a candidate returning each layout ------------------------------------------


def _layout_candidate(layout: str, *, wrong: bool) -> Callable[..., Any]:
    """A duplicated diagonal padding that returns ``layout``; ``wrong`` adds 1 to ``W[0, 0]``."""

    def candidate(w: Any, n: int, D: int, p: int, q: int | None = None) -> Any:
        q = p if q is None else q
        s, t = n // p, D // q
        W = np.asarray(w, dtype=np.result_type(np.asarray(w).dtype, np.float32)).reshape(s, t).copy()
        W[0, 0] += 1 if wrong else 0
        dense = np.zeros((n, D), W.dtype)
        for b in range(min(p, q)):
            dense[b * s : (b + 1) * s, b * t : (b + 1) * t] = W
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if layout.startswith("torch"):
                d = torch.from_numpy(dense)
                return {
                    "coo": d.to_sparse,
                    "csr": d.to_sparse_csr,
                    "csc": d.to_sparse_csc,
                    "bsr": lambda: d.to_sparse_bsr((s, t)),
                    "bsc": lambda: d.to_sparse_bsc((s, t)),
                }[layout[6:]]()
            kind, fmt = layout.split()[1:]
            return (sp.csr_array if kind == "array" else sp.csr_matrix)(dense).asformat(fmt)

    return candidate


CHECKED_LAYOUTS = [f"torch {f}" for f in ("coo", "csr", "csc", "bsr", "bsc")] + [
    f"scipy {kind} {fmt}"
    for kind in ("array", "matrix")
    for fmt in ("csr", "csc", "coo", "bsr", "dia", "lil", "dok")
]


@pytest.mark.parametrize("layout", CHECKED_LAYOUTS)
def test_check_passes_each_layout_of_a_right_candidate_and_fails_a_wrong_one(layout: str) -> None:
    from refimpl.testing import check

    right = check(
        _layout_candidate(layout, wrong=False),
        "duplicated_diagonal_padding",
        examples=8,
        raise_on_failure=False,
    )
    assert right.passed, str(right)
    wrong = check(
        _layout_candidate(layout, wrong=True),
        "duplicated_diagonal_padding",
        examples=8,
        raise_on_failure=False,
    )
    assert not wrong.passed
