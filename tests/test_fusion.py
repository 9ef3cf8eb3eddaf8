"""Properties of the concatenation fusions (SPEC section 4)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import refimpl
from refimpl import concatenation_fusion, dual_lphm, dual_lphm_fusion, dual_lphm_fusion_l

from ._support import as_xp, assert_array, loop_dual_lphm, loop_fusion, to_numpy
from .strategies import DTYPES, fusion_configs, fusion_inputs, vectors


def _lphm_args(cfg: dict[str, Any]) -> dict[str, Any]:
    return {"p": cfg["p"], "q": cfg["q"], "r": cfg["r"], "n": cfg["n"]}


@given(cfg=fusion_configs())
def test_l_invariant(cfg: dict[str, Any]) -> None:
    N, n, p, q, r = sum(cfg["dims"]), cfg["width"], cfg["p"], cfg["q"], cfg["r"]
    l = dual_lphm_fusion_l(cfg["dims"], cfg["n"], p, cfg["q"], r)
    assert isinstance(l, int)
    assert l * p * q == r * (p * q * (p + q) + N * q + n * p)  # l == r*(p + q + sum(n_i)/p + n/q)


@given(data=st.data(), cfg=fusion_configs(), dtype=st.sampled_from(DTYPES))
def test_dual_lphm_fusion_matches_loops(xp: Any, data: Any, cfg: dict[str, Any], dtype: Any) -> None:
    N, n = sum(cfg["dims"]), cfg["width"]
    l = dual_lphm_fusion_l(cfg["dims"], cfg["n"], cfg["p"], cfg["q"], cfg["r"])
    w = data.draw(vectors(l, dtype))
    inputs = data.draw(fusion_inputs(cfg, dtype))
    W = loop_dual_lphm(w, N, n, cfg["p"], cfg["q"], cfg["r"])
    out = dual_lphm_fusion([as_xp(xp, A) for A in inputs], as_xp(xp, w), **_lphm_args(cfg))
    assert_array(out, xp, loop_fusion(inputs, W))


@given(data=st.data(), cfg=fusion_configs(), dtype=st.sampled_from(DTYPES))
def test_concatenation_fusion_matches_loops(xp: Any, data: Any, cfg: dict[str, Any], dtype: Any) -> None:
    N, n = sum(cfg["dims"]), cfg["width"]
    w = data.draw(vectors(N * n, dtype))
    inputs = data.draw(fusion_inputs(cfg, dtype))
    out = concatenation_fusion([as_xp(xp, A) for A in inputs], as_xp(xp, w), n=cfg["n"])
    assert_array(out, xp, loop_fusion(inputs, w.reshape(N, n)))


@given(data=st.data(), cfg=fusion_configs())
def test_fusion_is_the_sum_over_the_row_blocks_of_W(xp: Any, data: Any, cfg: dict[str, Any]) -> None:
    # concat(A_1..A_k) @ W == sum_i A_i @ W_i, W_i the n_i rows of W that meet A_i.
    N, n = sum(cfg["dims"]), cfg["width"]
    w = data.draw(vectors(dual_lphm_fusion_l(cfg["dims"], cfg["n"], cfg["p"], cfg["q"], cfg["r"])))
    inputs = data.draw(fusion_inputs(cfg))
    W = dual_lphm(w, N, n, cfg["p"], cfg["q"], cfg["r"])
    offsets = np.cumsum([0] + cfg["dims"])
    expected = sum(A @ W[a:b] for A, a, b in zip(inputs, offsets[:-1], offsets[1:]))
    out = dual_lphm_fusion([as_xp(xp, A) for A in inputs], as_xp(xp, w), **_lphm_args(cfg))
    np.testing.assert_array_equal(to_numpy(out), expected)


@given(
    data=st.data(), cfg=fusion_configs(), in_dtype=st.sampled_from(DTYPES), w_dtype=st.sampled_from(DTYPES)
)
def test_result_dtype_is_the_promotion_of_inputs_and_w(
    xp: Any, data: Any, cfg: dict[str, Any], in_dtype: Any, w_dtype: Any
) -> None:
    l = dual_lphm_fusion_l(cfg["dims"], cfg["n"], cfg["p"], cfg["q"], cfg["r"])
    w = data.draw(vectors(l, w_dtype))
    inputs = data.draw(fusion_inputs(cfg, in_dtype))
    out = dual_lphm_fusion([as_xp(xp, A) for A in inputs], as_xp(xp, w), **_lphm_args(cfg))
    assert to_numpy(out).dtype == np.result_type(in_dtype, w_dtype)


def test_integer_inputs_are_promoted_to_the_default_float(xp: Any) -> None:
    inputs = [xp.ones((2, 2), dtype=xp.int64), xp.ones((2, 2), dtype=xp.int64)]
    out = dual_lphm_fusion(inputs, xp.ones(7, dtype=xp.int64), p=2, q=1, r=1)
    assert out.dtype == xp.__array_namespace_info__().default_dtypes()["real floating"]
    np.testing.assert_array_equal(to_numpy(out), np.full((2, 2), 4.0))


def test_python_lists_use_the_backend() -> None:
    out = dual_lphm_fusion([[[1.0, 1.0]], [[1.0, 1.0]]], [1.0] * 7, p=2, q=1, r=1)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, [[4.0, 4.0]])


def test_class_is_a_shell_over_the_function() -> None:
    Fusion = refimpl.dual_lphm_parameterized_concatenation_fusion
    fusion = Fusion(r=2, p=3, q=2, n=4, dims=[1, 5])
    assert fusion.calculate_n() == 4
    assert fusion.calculate_l() == dual_lphm_fusion_l([1, 5], 4, 3, 2, 2) == 2 * (3 + 2 + 6 // 3 + 4 // 2)
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal((3, 1)), rng.standard_normal((3, 5))]
    w = rng.standard_normal(fusion.calculate_l())
    expected = dual_lphm_fusion(inputs, w, p=3, q=2, r=2, n=4)
    np.testing.assert_array_equal(fusion(inputs, w), expected)
    np.testing.assert_array_equal(fusion.forward(inputs, w, device="cpu"), expected)
    assert Fusion(r=1, p=2, dims=[3, 3]).calculate_n() == 3  # n defaults to the common width
    assert Fusion(r=1, p=2).calculate_l(dims=[2, 2]) == 1 * (2 + 2 + 2 + 1)


@given(data=st.data(), cfg=fusion_configs(), dtype=st.sampled_from([np.float32, np.float64]))
def test_a_list_w_takes_the_precision_of_the_inputs(
    xp: Any, data: Any, cfg: dict[str, Any], dtype: Any
) -> None:
    l = dual_lphm_fusion_l(cfg["dims"], cfg["n"], cfg["p"], cfg["q"], cfg["r"])
    w = data.draw(vectors(l))
    inputs = [as_xp(xp, A) for A in data.draw(fusion_inputs(cfg, dtype))]
    as_list = dual_lphm_fusion(inputs, w.tolist(), **_lphm_args(cfg))
    as_array = dual_lphm_fusion(inputs, as_xp(xp, w.astype(dtype)), **_lphm_args(cfg))
    assert_array(as_list, xp, to_numpy(as_array))  # same dtype and values


def test_a_complex_list_makes_the_result_complex_of_the_inputs_precision(xp: Any) -> None:
    A = xp.ones((1, 2), dtype=xp.float32)
    out = concatenation_fusion([A], [1j, 0.0, 0.0, 1.0], n=2)
    assert_array(out, xp, np.array([[1j, 1.0]], dtype=np.complex64))
