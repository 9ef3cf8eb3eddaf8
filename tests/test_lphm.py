"""Properties of the Dual-LPHM reconciliation (SPEC section 3)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import refimpl
from refimpl import dual_lphm, dual_lphm_l

from ._support import as_xp, assert_array, loop_dual_lphm, to_numpy
from .strategies import DTYPES, lphm_configs, vectors


def _cfg(cfg: dict[str, int]) -> tuple[int, int, int, int, int]:
    return cfg["n"], cfg["D"], cfg["p"], cfg["q"], cfg["r"]


@given(cfg=lphm_configs())
def test_l_invariant(cfg: dict[str, int]) -> None:
    n, D, p, q, r = _cfg(cfg)
    l = dual_lphm_l(n, D, p, q, r)
    assert isinstance(l, int)
    assert l * p * q == r * (p * q * (p + q) + n * q + D * p)  # l == r*(p + q + n/p + D/q)


@given(data=st.data(), cfg=lphm_configs(), dtype=st.sampled_from(DTYPES))
def test_matches_loops(xp: Any, data: Any, cfg: dict[str, int], dtype: Any) -> None:
    n, D, p, q, r = _cfg(cfg)
    w = data.draw(vectors(dual_lphm_l(n, D, p, q, r), dtype))
    assert_array(dual_lphm(as_xp(xp, w), n, D, p, q, r), xp, loop_dual_lphm(w, n, D, p, q, r))


def _factors(w: np.ndarray, n: int, D: int, p: int, q: int, r: int) -> list[np.ndarray]:
    s, t = n // p, D // q
    bounds = np.cumsum([0, p * r, q * r, s * r, t * r])
    return [w[a:b].reshape(-1, r) for a, b in zip(bounds[:-1], bounds[1:])]


@given(data=st.data(), cfg=lphm_configs())
def test_equals_numpy_kron_of_the_factor_products(data: Any, cfg: dict[str, int]) -> None:
    n, D, p, q, r = _cfg(cfg)
    w = data.draw(vectors(dual_lphm_l(n, D, p, q, r)))
    P, Q, S, T = _factors(w, n, D, p, q, r)
    np.testing.assert_array_equal(dual_lphm(w, n, D, p, q, r), np.kron(P @ Q.T, S @ T.T))


@given(data=st.data(), cfg=lphm_configs())
def test_rank_is_the_product_of_the_factor_ranks(data: Any, cfg: dict[str, int]) -> None:
    n, D, p, q, r = _cfg(cfg)
    w = data.draw(vectors(dual_lphm_l(n, D, p, q, r)))
    P, Q, S, T = _factors(w, n, D, p, q, r)
    # Integer-valued factors: the products are exact, and small integer matrices are
    # well conditioned enough for an SVD-based rank.
    expected = np.linalg.matrix_rank(P @ Q.T) * np.linalg.matrix_rank(S @ T.T)
    assert np.linalg.matrix_rank(dual_lphm(w, n, D, p, q, r)) == expected


@given(data=st.data(), cfg=lphm_configs(), scale=st.sampled_from([-3, -2, -1, 2, 3]))
def test_homogeneous_of_degree_four_in_w(data: Any, cfg: dict[str, int], scale: int) -> None:
    # psi(c*w) = c^4 psi(w): one factor of c from each of P, Q, S, T (integers: exact).
    n, D, p, q, r = _cfg(cfg)
    w = data.draw(vectors(dual_lphm_l(n, D, p, q, r)))
    np.testing.assert_array_equal(dual_lphm(scale * w, n, D, p, q, r), scale**4 * dual_lphm(w, n, D, p, q, r))


@given(data=st.data(), cfg=lphm_configs())
def test_float32_agrees_with_float64_to_rounding(xp: Any, data: Any, cfg: dict[str, int]) -> None:
    n, D, p, q, r = _cfg(cfg)
    l = dual_lphm_l(n, D, p, q, r)
    w = np.asarray(data.draw(st.lists(st.floats(-2, 2, width=32), min_size=l, max_size=l)), dtype=np.float32)
    out = dual_lphm(as_xp(xp, w), n, D, p, q, r)
    ref = dual_lphm(w.astype(np.float64), n, D, p, q, r)
    assert to_numpy(out).dtype == np.float32
    # Each entry is a product of two r-term sums of products: a few roundings of float32.
    bound = 8 * r * np.finfo(np.float32).eps * np.abs(ref).max(initial=0) + 1e-30
    assert np.max(np.abs(to_numpy(out) - ref), initial=0) <= bound * 4


def test_class_is_a_shell_over_the_function() -> None:
    rec = refimpl.dual_lphm_reconciliation(p=2, q=1, r=3)
    assert rec.calculate_l(4, 6) == dual_lphm_l(4, 6, 2, 1, 3) == 3 * (2 + 1 + 2 + 6)
    w = np.arange(rec.calculate_l(4, 6), dtype=np.float64)
    np.testing.assert_array_equal(rec(4, 6, w), dual_lphm(w, 4, 6, 2, 1, 3))
    assert refimpl.dual_lphm_reconciliation(p=2).r == 2  # tinybig's default rank
