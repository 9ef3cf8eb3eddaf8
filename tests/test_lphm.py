"""The Dual-LPHM reconciliation (SPEC section 3): one class per function.

Its ``l`` is in ``test_shapes.py``, its memory guard in ``test_memory.py``, what bad arguments
raise in ``test_errors.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import refimpl
from refimpl import dual_lphm, dual_lphm_l
from refimpl.shapes import lphm_shape

from ._support import as_xp, assert_array, loop_dual_lphm, to_numpy
from .strategies import DTYPES, lphm_configs, vectors


def _cfg(cfg: dict[str, int]) -> tuple[int, int, int, int, int]:
    return cfg["n"], cfg["D"], cfg["p"], cfg["q"], cfg["r"]


def _factors(w: np.ndarray, n: int, D: int, p: int, q: int, r: int) -> list[np.ndarray]:
    """``P, Q, S, T`` from a row-major cut of ``w``, independently of refimpl."""
    s, t = n // p, D // q
    bounds = np.cumsum([0, p * r, q * r, s * r, t * r])
    return [w[a:b].reshape(-1, r) for a, b in zip(bounds[:-1], bounds[1:])]


class TestDualLphm:
    @given(data=st.data(), cfg=lphm_configs(), dtype=st.sampled_from(DTYPES))
    def test_matches_loops(self, xp: Any, data: Any, cfg: dict[str, int], dtype: Any) -> None:
        n, D, p, q, r = _cfg(cfg)
        w = data.draw(vectors(dual_lphm_l(n, D, p, q, r), dtype))
        assert_array(dual_lphm(as_xp(xp, w), n, D, p, q, r), xp, loop_dual_lphm(w, n, D, p, q, r))

    @given(data=st.data(), cfg=lphm_configs())
    def test_equals_numpy_kron_of_the_factor_products(self, data: Any, cfg: dict[str, int]) -> None:
        n, D, p, q, r = _cfg(cfg)
        w = data.draw(vectors(dual_lphm_l(n, D, p, q, r)))
        P, Q, S, T = _factors(w, n, D, p, q, r)
        np.testing.assert_array_equal(dual_lphm(w, n, D, p, q, r), np.kron(P @ Q.T, S @ T.T))

    def test_is_the_literal_kron_on_generic_values(self) -> None:
        # SPEC section 3 literally, kron(P Q^T, S T^T), on random (non-integer) values, with
        # p != q and r > 1: a factor product or Kronecker operand taken wrongly shows.
        n, D, p, q, r = 6, 4, 3, 2, 2
        w = np.random.default_rng(0).standard_normal(dual_lphm_l(n, D, p, q, r))
        P, Q, S, T = _factors(w, n, D, p, q, r)
        want = np.kron(P @ Q.T, S @ T.T)
        np.testing.assert_allclose(dual_lphm(w, n, D, p, q, r), want, rtol=1e-13, atol=1e-13)

    @given(data=st.data(), cfg=lphm_configs())
    def test_rank_is_the_product_of_the_factor_ranks(self, data: Any, cfg: dict[str, int]) -> None:
        n, D, p, q, r = _cfg(cfg)
        w = data.draw(vectors(dual_lphm_l(n, D, p, q, r)))
        P, Q, S, T = _factors(w, n, D, p, q, r)
        # Integer-valued factors: the products are exact, and small integer matrices are
        # well conditioned enough for an SVD-based rank.
        expected = np.linalg.matrix_rank(P @ Q.T) * np.linalg.matrix_rank(S @ T.T)
        assert np.linalg.matrix_rank(dual_lphm(w, n, D, p, q, r)) == expected

    @given(data=st.data(), cfg=lphm_configs(), scale=st.sampled_from([-3, -2, -1, 2, 3]))
    def test_homogeneous_of_degree_four_in_w(self, data: Any, cfg: dict[str, int], scale: int) -> None:
        # psi(c*w) = c^4 psi(w): one factor of c from each of P, Q, S, T (integers: exact).
        n, D, p, q, r = _cfg(cfg)
        w = data.draw(vectors(dual_lphm_l(n, D, p, q, r)))
        np.testing.assert_array_equal(
            dual_lphm(scale * w, n, D, p, q, r), scale**4 * dual_lphm(w, n, D, p, q, r)
        )

    @given(data=st.data(), cfg=lphm_configs())
    def test_float32_agrees_with_float64_to_rounding(self, xp: Any, data: Any, cfg: dict[str, int]) -> None:
        n, D, p, q, r = _cfg(cfg)
        l = dual_lphm_l(n, D, p, q, r)
        w = np.asarray(
            data.draw(st.lists(st.floats(-2, 2, width=32), min_size=l, max_size=l)), dtype=np.float32
        )
        out = dual_lphm(as_xp(xp, w), n, D, p, q, r)
        ref = dual_lphm(w.astype(np.float64), n, D, p, q, r)
        assert to_numpy(out).dtype == np.float32
        # Each entry is a product of two r-term sums of products: a few roundings of float32.
        bound = 8 * r * np.finfo(np.float32).eps * np.abs(ref).max(initial=0) + 1e-30
        assert np.max(np.abs(to_numpy(out) - ref), initial=0) <= bound * 4


class TestLphmFactors:
    """``refimpl.functions.dual_lphm.lphm_factors``, the one place that cuts ``w`` into ``P, Q, S, T``,
    and the catalogue's mistaken readings of it (``DualLphmFunction.factors``: SPEC's reading of
    ``w`` rearranged), tested against an independent cut."""

    @pytest.mark.parametrize("names", [("P",), ("Q", "T"), ("P", "Q", "S", "T")])
    def test_factors_read_as_r_rows_are_cut_and_transposed(self, names: tuple[str, ...]) -> None:
        # A wrong reading returns the named factors row-major, or of the wrong shape.
        from types import SimpleNamespace

        from refimpl.functions.dual_lphm import DualLphmFunction

        n, D, p, q, r = 6, 4, 3, 2, 2
        shape = lphm_shape(n, D, p, q, r)
        s, t = n // p, D // q
        w = np.arange(1.0, dual_lphm_l(n, D, p, q, r) + 1)
        stages = SimpleNamespace(w=w, shape=lambda exchanged: shape)
        got = DualLphmFunction.factors(stages, {"layout": "".join(names)})
        start = 0
        for name, rows, factor in zip("PQST", (p, q, s, t), got, strict=True):
            segment = w[start : start + rows * r]
            start += rows * r
            want = segment.reshape(r, rows).T if name in names else segment.reshape(rows, r)
            assert factor.shape == (rows, r), name
            np.testing.assert_array_equal(factor, want, err_msg=name)


class TestDualLphmReconciliation:
    def test_is_a_shell_over_the_function(self) -> None:
        rec = refimpl.dual_lphm_reconciliation(p=2, q=1, r=3)
        assert rec.calculate_l(4, 6) == dual_lphm_l(4, 6, 2, 1, 3) == 3 * (2 + 1 + 2 + 6)
        w = np.arange(rec.calculate_l(4, 6), dtype=np.float64)
        np.testing.assert_array_equal(rec(4, 6, w), dual_lphm(w, 4, 6, 2, 1, 3))
        assert refimpl.dual_lphm_reconciliation(p=2).r == 2  # tinybig's default rank
