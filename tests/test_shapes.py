"""refimpl.shapes: every l, every default and every division rule, checked against SPEC's formulas."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from refimpl import RefimplError
from refimpl.shapes import (
    FACTORS,
    concat_shape,
    default_q,
    fusion_shape,
    lphm_shape,
    output_width,
    padding_shape,
)

sizes = st.integers(1, 9)


@given(p=sizes, q=sizes, s=sizes, t=sizes)
def test_padding_l_is_n_D_over_p_q(p: int, q: int, s: int, t: int) -> None:
    n, D = p * s, q * t
    shape = padding_shape(n, D, p, q)
    assert (shape.s, shape.t) == (s, t)
    assert shape.l * p * q == n * D  # SPEC 1: l = n*D/(p*q)


@given(p=sizes, q=sizes, s=sizes, t=sizes, r=sizes)
def test_lphm_segments_tile_w_in_the_order_asked(p: int, q: int, s: int, t: int, r: int) -> None:
    shape = lphm_shape(p * s, q * t, p, q, r)
    assert shape.l == r * (p + q + s + t)  # SPEC 3
    for order in itertools.permutations(FACTORS):
        segments = shape.segments(order)
        starts = [segments[name].start for name in order]
        stops = [segments[name].stop for name in order]
        assert starts == [0, *stops[:-1]] and stops[-1] == shape.l
        assert all(segments[f].stop - segments[f].start == shape.rows[f] * r for f in FACTORS)


@given(dims=st.lists(sizes, min_size=1, max_size=4), n=sizes, p=sizes, q=sizes, r=sizes)
def test_fusion_l_is_r_p_q_N_over_p_n_over_q(dims: list[int], n: int, p: int, q: int, r: int) -> None:
    N = sum(dims)
    if N % p or n % q:
        with pytest.raises(RefimplError, match=f"not divisible by {'p' if N % p else 'q'}="):
            fusion_shape(dims, n, p, q, r)
        return
    shape = fusion_shape(dims, n, p, q, r)
    assert shape.l * p * q == r * (p * q * (p + q) + q * N + p * n)  # SPEC 4, times p*q
    assert (shape.N, shape.n, shape.widths) == (N, n, tuple(dims))
    assert concat_shape(dims, n).l == N * n


@given(p=sizes)
def test_q_defaults_to_p(p: int) -> None:
    assert default_q(p, None) == p
    assert padding_shape(p, p, p).q == p
    assert lphm_shape(p, p, p, None, 1).q == p


@given(width=sizes, k=st.integers(1, 4))
def test_n_defaults_to_the_common_width(width: int, k: int) -> None:
    assert output_width([width] * k, None) == width
    assert fusion_shape([width] * k, None, 1, None, 1).n == width


def test_unequal_widths_need_n_and_name_the_widths() -> None:
    with pytest.raises(RefimplError, match=r"unequal widths \[2, 4\]"):
        output_width([2, 4], None)
    assert output_width([2, 4], 5) == 5


@pytest.mark.parametrize("dims", [[], "34", 3, None])
def test_dims_must_be_a_non_empty_sequence(dims: object) -> None:
    with pytest.raises((TypeError, RefimplError), match="dims must"):
        concat_shape(dims)


def test_messages_use_the_callers_names() -> None:
    with pytest.raises(RefimplError, match="N=5 .* is not divisible by p=2"):
        fusion_shape([2, 3], 4, 2, 1, 1)
    assert "N=6, n=4" in fusion_shape([2, 4], 4, 2, 1, 1).rule
    assert "n=6, D=4" in lphm_shape(6, 4, 2, 1, 1).rule
