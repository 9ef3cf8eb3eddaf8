"""The shape rules: every l, every default and every division rule, checked against SPEC's formulas.

One class per function: the helpers of ``refimpl.shapes``, then the public ``*_l`` functions. The
rules of the arguments themselves (which dimensions and which ``w`` are accepted, what the others
raise) are in ``test_errors.py``. Nothing here needs an array library: CI's mutation stage runs
this file alone, once per mutant of ``refimpl/shapes.py`` (``tests/test_mutation_stage.py``).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from refimpl import (
    RefimplError,
    concatenation_fusion_l,
    dual_lphm_fusion_l,
    dual_lphm_l,
    duplicated_padding_l,
)
from refimpl.shapes import (
    FACTORS,
    checked_fusion_shape,
    concat_shape,
    default_q,
    fusion_shape,
    lphm_shape,
    output_width,
    padding_shape,
)

from .strategies import fusion_configs, lphm_configs, padding_configs

sizes = st.integers(1, 9)


# -- refimpl.shapes ------------------------------------------------------------------------------


class TestPaddingShape:
    @given(p=sizes, q=sizes, s=sizes, t=sizes)
    def test_l_is_n_D_over_p_q(self, p: int, q: int, s: int, t: int) -> None:
        n, D = p * s, q * t
        shape = padding_shape(n, D, p, q)
        assert (shape.s, shape.t) == (s, t)
        assert shape.l * p * q == n * D  # SPEC 1: l = n*D/(p*q)


class TestLphmShape:
    @given(p=sizes, q=sizes, s=sizes, t=sizes, r=sizes)
    def test_segments_tile_w_in_the_order_asked(self, p: int, q: int, s: int, t: int, r: int) -> None:
        shape = lphm_shape(p * s, q * t, p, q, r)
        assert shape.l == r * (p + q + s + t)  # SPEC 3
        for order in itertools.permutations(FACTORS):
            segments = shape.segments(order)
            starts = [segments[name].start for name in order]
            stops = [segments[name].stop for name in order]
            assert starts == [0, *stops[:-1]] and stops[-1] == shape.l
            assert all(segments[f].stop - segments[f].start == shape.rows[f] * r for f in FACTORS)

    def test_the_rule_uses_the_callers_names(self) -> None:
        assert "n=6, D=4" in lphm_shape(6, 4, 2, 1, 1).rule


class TestFusionShape:
    @given(dims=st.lists(sizes, min_size=1, max_size=4), n=sizes, p=sizes, q=sizes, r=sizes)
    def test_l_is_r_p_q_N_over_p_n_over_q(self, dims: list[int], n: int, p: int, q: int, r: int) -> None:
        N = sum(dims)
        if N % p or n % q:
            with pytest.raises(RefimplError, match=f"not divisible by {'p' if N % p else 'q'}="):
                fusion_shape(dims, n, p, q, r)
            return
        shape = fusion_shape(dims, n, p, q, r)
        assert shape.l * p * q == r * (p * q * (p + q) + q * N + p * n)  # SPEC 4, times p*q
        assert (shape.N, shape.n, shape.widths) == (N, n, tuple(dims))
        assert concat_shape(dims, n).l == N * n

    def test_messages_use_the_callers_names(self) -> None:
        with pytest.raises(RefimplError, match="N=5 .* is not divisible by p=2"):
            fusion_shape([2, 3], 4, 2, 1, 1)
        assert "N=6, n=4" in fusion_shape([2, 4], 4, 2, 1, 1).rule


class TestCheckedFusionShape:
    @given(
        dims=st.lists(sizes, min_size=1, max_size=3),
        n=st.none() | sizes,
        p=sizes,
        q=st.none() | sizes,
        r=sizes,
    )
    def test_is_fusion_shape_with_its_verdict_and_message(
        self, dims: list[int], n: int | None, p: int, q: int | None, r: int
    ) -> None:
        # Twice each: the second call, remembered or not, gives the first's shape or error.
        for _ in range(2):
            try:
                expected: Any = fusion_shape(dims, n, p, q, r)
            except RefimplError as exc:
                with pytest.raises(RefimplError) as info:
                    checked_fusion_shape(tuple(dims), n, p, q, r)
                assert str(info.value) == str(exc)
                continue
            assert checked_fusion_shape(tuple(dims), n, p, q, r) == expected

    def test_remembers_only_plain_ints(self) -> None:
        # A configuration of ints is remembered: the same object comes back. A bool is no integer
        # here, even after the int it equals was remembered; NumPy integers and floats are
        # checked afresh (a float is refused, as fusion_shape refuses it).
        first = checked_fusion_shape((4, 4), None, 2, None, 1)
        assert checked_fusion_shape((4, 4), None, 2, None, 1) is first
        assert checked_fusion_shape((4, 4), 4, 2, 2, 1) is checked_fusion_shape((4, 4), 4, 2, 2, 1)
        for p, q in ((True, None), (2, True)):
            with pytest.raises(TypeError, match="bool"):
                checked_fusion_shape((4, 4), None, p, q, 1)
        with pytest.raises(TypeError, match="bool"):
            checked_fusion_shape((4, True), None, 2, None, 1)
        with pytest.raises(TypeError, match="bool"):
            checked_fusion_shape((4, 4), True, 2, None, 1)
        with pytest.raises(TypeError, match="bool"):
            checked_fusion_shape((4, 4), None, 2, None, True)
        assert checked_fusion_shape((4, 4), None, np.int64(2), None, 1) == first
        with pytest.raises(TypeError):
            checked_fusion_shape((4, 4), None, 2.0, None, 1)


class TestDefaultQ:
    @given(p=sizes)
    def test_q_defaults_to_p(self, p: int) -> None:
        assert default_q(p, None) == p
        assert padding_shape(p, p, p).q == p
        assert lphm_shape(p, p, p, None, 1).q == p


class TestOutputWidth:
    @given(width=sizes, k=st.integers(1, 4))
    def test_n_defaults_to_the_common_width(self, width: int, k: int) -> None:
        assert output_width([width] * k, None) == width
        assert fusion_shape([width] * k, None, 1, None, 1).n == width

    def test_unequal_widths_need_n_and_name_the_widths(self) -> None:
        with pytest.raises(RefimplError, match=r"unequal widths \[2, 4\]"):
            output_width([2, 4], None)
        assert output_width([2, 4], 5) == 5


# -- the public l of each function --------------------------------------------------------------


class TestDuplicatedPaddingL:
    @given(cfg=padding_configs())
    def test_l_invariant(self, cfg: dict[str, int]) -> None:
        n, D, p, q = cfg["n"], cfg["D"], cfg["p"], cfg["q"]
        l = duplicated_padding_l(n, D, p, q)
        assert l * p * q == n * D  # l == n*D/(p*q), exactly
        assert isinstance(l, int)

    @given(p=st.integers(1, 5), s=st.integers(1, 5), t=st.integers(1, 5))
    def test_q_defaults_to_p(self, p: int, s: int, t: int) -> None:
        assert duplicated_padding_l(p * s, p * t, p) == duplicated_padding_l(p * s, p * t, p, p) == s * t

    @pytest.mark.parametrize(
        ("args", "expected"), [((6, 8, 3, 2), 8), ((6, 8, 2, None), 12), ((5, 7, 5, 7), 1)]
    )
    def test_is_n_d_over_p_q(self, args: tuple[Any, ...], expected: int) -> None:
        l = duplicated_padding_l(*args)
        assert l == expected and type(l) is int

    def test_dimensions_of_one_are_dimensions(self) -> None:
        # A check of the dimensions that refused 1 (``value <= 1``) would refuse this.
        assert duplicated_padding_l(1, 1, 1, 1) == 1


class TestDualLphmL:
    @given(cfg=lphm_configs())
    def test_l_invariant(self, cfg: dict[str, int]) -> None:
        n, D, p, q, r = cfg["n"], cfg["D"], cfg["p"], cfg["q"], cfg["r"]
        l = dual_lphm_l(n, D, p, q, r)
        assert isinstance(l, int)
        assert l * p * q == r * (p * q * (p + q) + n * q + D * p)  # l == r*(p + q + n/p + D/q)

    @pytest.mark.parametrize(
        ("args", "expected"),
        [
            ((6, 12, 3, None, 2), 2 * (3 + 3 + 2 + 4)),  # q defaults to p
            ((6, 12, 3, 2, 2), 2 * (3 + 2 + 2 + 6)),
            ((4, 6, 2, 3, 1), 1 * (2 + 3 + 2 + 2)),
            ((8, 3, 4, 1, 3), 3 * (4 + 1 + 2 + 3)),
        ],
    )
    def test_is_r_times_p_q_n_over_p_d_over_q(self, args: tuple[Any, ...], expected: int) -> None:
        # A division that gives a float, q not defaulting to p, and arguments of lphm_shape swapped
        # or dropped all change l or its type.
        l = dual_lphm_l(*args)
        assert l == expected and type(l) is int

    def test_dimensions_of_one_are_dimensions(self) -> None:
        assert dual_lphm_l(1, 1, 1, 1, 1) == 4


class TestDualLphmFusionL:
    @given(cfg=fusion_configs())
    def test_l_invariant(self, cfg: dict[str, Any]) -> None:
        N, n, p, q, r = sum(cfg["dims"]), cfg["width"], cfg["p"], cfg["q"], cfg["r"]
        l = dual_lphm_fusion_l(cfg["dims"], cfg["n"], p, cfg["q"], r)
        assert isinstance(l, int)
        assert l * p * q == r * (p * q * (p + q) + N * q + n * p)  # l == r*(p + q + sum(n_i)/p + n/q)


class TestConcatenationFusionL:
    @pytest.mark.parametrize(
        ("dims", "n", "expected"),
        [
            ([4], None, 16),  # one input: its width is the output width
            ([3, 3], None, 18),
            ([2, 4], 3, 18),
            ((2, 4), 1, 6),
            (np.array([2, 4]), 3, 18),  # a 1-D integer array like a list
            ([np.int64(2), np.int64(4)], 3, 18),
        ],
    )
    def test_is_n_times_the_sum_of_widths(self, dims: object, n: int | None, expected: int) -> None:
        # Pins how the widths are read (a tuple, an array, NumPy integers), how the default output
        # width is found, and l = N*n itself.
        assert concatenation_fusion_l(dims, n) == expected  # type: ignore[arg-type]
