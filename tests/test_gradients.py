"""Reference gradients (``refimpl.oracle.gradients.reference_vjp``) against finite differences and autograd.

* Central finite differences of refimpl's own forward functions, in float64 / complex128: for a
  random direction ``v`` of one argument (``w``, or one fusion input ``A_i``),
  ``<G, f(x + h v) - f(x - h v)> / (2h) == <grad_x, v>``, with ``<a, b> = vdot(a, b)``
  (conjugating ``a``): for a holomorphic ``f`` and ``grad = J^H G`` both sides equal
  ``sum(conj(G) * J v)``, and for real data this is the ordinary directional derivative.
* ``torch.autograd.grad`` through refimpl's dense functions called on tensors with
  ``requires_grad=True`` (real and complex; PyTorch's complex convention is ``J^H G``).
* The shape checks: a cotangent of the wrong shape names both shapes.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from refimpl import RefimplError
from refimpl.functions import FUNCTIONS, leading_shape
from refimpl.oracle.gradients import reference_vjp
from refimpl.strategies import configs

EPS = np.finfo(np.float64).eps
NAMES = sorted(FUNCTIONS)


def _random(rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    a = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(dtype)


def _case(name: str, config: dict[str, Any], seed: int, dtype: Any) -> tuple[dict[str, Any], np.ndarray]:
    """Random ``inputs`` and a random cotangent for ``config``."""
    spec = FUNCTIONS[name]
    rng = np.random.default_rng(seed)
    inputs: dict[str, Any] = {"w": _random(rng, (spec.l(config),), dtype)}
    if spec.is_fusion:
        inputs["inputs"] = [_random(rng, (*leading_shape(config), d), dtype) for d in config["dims"]]
    return inputs, _random(rng, spec.output_shape(config), dtype)


def _arguments(inputs: dict[str, Any]) -> list[tuple[str, int | None]]:
    """The differentiable arguments: ``("w", None)`` and ``("inputs", i)`` for each fusion input."""
    return [("w", None)] + [("inputs", i) for i in range(len(inputs.get("inputs", [])))]


def _get(d: dict[str, Any], key: str, i: int | None) -> Any:
    return d[key] if i is None else d[key][i]


def _moved(inputs: dict[str, Any], key: str, i: int | None, step: np.ndarray) -> dict[str, Any]:
    out = {"w": inputs["w"], **({"inputs": list(inputs["inputs"])} if "inputs" in inputs else {})}
    if i is None:
        out["w"] = inputs["w"] + step
    else:
        out["inputs"][i] = inputs["inputs"][i] + step
    return out


def _absolute(inputs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"w": np.abs(inputs["w"])}
    if "inputs" in inputs:
        out["inputs"] = [np.abs(a) for a in inputs["inputs"]]
    return out


DTYPES = st.sampled_from([np.float64, np.complex128])


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data(), seed=st.integers(0, 2**32 - 1), dtype=DTYPES)
def test_vjp_matches_central_differences(name: str, data: st.DataObject, seed: int, dtype: Any) -> None:
    spec = FUNCTIONS[name]
    config = data.draw(configs(name), label="config")
    inputs, G = _case(name, config, seed, dtype)
    grads = reference_vjp(name, config, inputs, G)
    assert grads["w"].shape == (spec.l(config),)
    assert grads["w"].dtype == np.dtype(dtype)
    rng = np.random.default_rng(seed + 1)
    # h ~ eps**(1/3) balances the two errors of a central difference (see the tolerance below).
    h = 1e-5
    for key, i in _arguments(inputs):
        x = _get(inputs, key, i)
        assert _get(grads, key, i).shape == x.shape
        v = _random(rng, x.shape, dtype)
        plus = spec.call(config, _moved(inputs, key, i, h * v))
        minus = spec.call(config, _moved(inputs, key, i, -h * v))
        fd = np.vdot(G, plus - minus) / (2 * h)
        analytic = np.vdot(_get(grads, key, i), v)
        # Tolerance. Every function is a polynomial of degree d <= 5 in its arguments with
        # nonnegative coefficients (sums of products of entries), so with F = f(|x| + |v|)
        # computed on absolute values and scale = <|G|, F>:
        # * truncation: the central difference of a polynomial is exactly f'(x)v + h^2/6 f'''(x)[v,v,v]
        #   (+ h^4 terms), and |f'''[v,v,v]| <= d^3 F, so this is <= h^2 d^3/6 * scale ~ 2e-9 * scale;
        # * rounding: f(x +- hv) are computed with errors <= K eps F for sums of K <= 100 terms,
        #   divided by 2h: <= K eps/h * scale ~ 2e-9 * scale.
        # 1e-7 * scale is well above both, and a wrong gradient is off by O(scale) (random data).
        shifted = _absolute(inputs)
        if i is None:
            shifted["w"] = shifted["w"] + np.abs(v)
        else:
            shifted["inputs"][i] = shifted["inputs"][i] + np.abs(v)
        scale = float(np.sum(np.abs(G) * np.abs(spec.call(config, shifted))))
        assert abs(fd - analytic) <= 1e-7 * scale + 1e-300, (key, i, fd, analytic, scale)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data(), seed=st.integers(0, 2**32 - 1), dtype=DTYPES, row_w=st.booleans())
def test_vjp_matches_torch_autograd(
    name: str, data: st.DataObject, seed: int, dtype: Any, row_w: bool
) -> None:
    torch = pytest.importorskip("torch")
    spec = FUNCTIONS[name]
    config = data.draw(configs(name), label="config")
    inputs, G = _case(name, config, seed, dtype)
    if row_w:  # SPEC: w of shape (1, l) is accepted too
        inputs["w"] = inputs["w"][None, :]
    leaves = {"w": torch.tensor(inputs["w"], requires_grad=True)}
    if spec.is_fusion:
        leaves["inputs"] = [torch.tensor(a, requires_grad=True) for a in inputs["inputs"]]
    out = spec.call(config, leaves)
    assert isinstance(out, torch.Tensor) and out.requires_grad
    wrt = [leaves["w"], *leaves.get("inputs", [])]
    expected = torch.autograd.grad(out, wrt, grad_outputs=torch.tensor(G))
    # Given the torch tensors themselves, reference_vjp detaches and converts them.
    grads = reference_vjp(name, config, leaves, torch.tensor(G))
    # Scale: the same VJP on absolute values bounds every term of each sum; both sides are
    # float64 sums of at most a few hundred products of <= 5 factors here, each within
    # (K + 5) eps of exact, so 1e-12 * that magnitude (~ 4500 eps) is safe and still tight.
    scale = reference_vjp(name, config, _absolute(inputs), np.abs(G))
    for (key, i), torch_grad in zip(_arguments(leaves), expected):
        ours, bound = _get(grads, key, i), _get(scale, key, i)
        theirs = torch_grad.detach().resolve_conj().numpy()
        if key == "w":
            theirs = theirs.reshape(-1)
        assert ours.dtype == theirs.dtype
        assert ours.shape == theirs.shape
        assert np.all(np.abs(ours - theirs) <= 1e-12 * bound + 1e-300), (key, i)


def test_vjp_of_padding_is_a_block_sum() -> None:
    # Integer data: the sums are exact. kron(ones(2, 3), W) and kron(eye(2, 3), W) with W 2 x 2.
    config = {"n": 4, "D": 6, "p": 2, "q": 3}
    G = np.arange(24.0).reshape(4, 6)
    blocks = G.reshape(2, 2, 3, 2)
    full = reference_vjp("duplicated_padding", config, {"w": [1, 2, 3, 4]}, G)["w"]
    np.testing.assert_array_equal(full, blocks.sum(axis=(0, 2)).reshape(-1))
    diag = reference_vjp("duplicated_diagonal_padding", config, {"w": [1, 2, 3, 4]}, G)["w"]
    np.testing.assert_array_equal(diag, (blocks[0, :, 0, :] + blocks[1, :, 1, :]).reshape(-1))
    assert full.dtype == diag.dtype == np.float64


def test_vjp_of_dual_lphm_by_hand() -> None:
    # p = q = r = 1: psi = a * B with a = P Q^T the scalar P*Q and B = S T^T.
    w = np.array([2.0, 3.0, 1.0, 2.0, 1.0, 5.0])  # P=[[2]], Q=[[3]], S=[[1],[2]], T=[[1],[5]]
    G = np.array([[1.0, 0.0], [0.0, 1.0]])
    grads = reference_vjp("dual_lphm", {"n": 2, "D": 2, "p": 1, "q": 1, "r": 1}, {"w": w}, G)["w"]
    B = np.array([[1.0, 5.0], [2.0, 10.0]])
    dA = np.sum(G * B)  # 11
    dB = G * 6.0  # a = 6
    expected = [dA * 3, dA * 2, dB[0] @ [1, 5], dB[1] @ [1, 5], dB[:, 0] @ [1, 2], dB[:, 1] @ [1, 2]]
    np.testing.assert_array_equal(grads, expected)


@pytest.mark.parametrize("name", NAMES)
def test_cotangent_of_the_wrong_shape_is_refused(name: str) -> None:
    config = {
        "duplicated_padding": {"n": 4, "D": 6, "p": 2, "q": 3},
        "duplicated_diagonal_padding": {"n": 4, "D": 6, "p": 2, "q": 3},
        "dual_lphm": {"n": 4, "D": 6, "p": 2, "q": 3, "r": 1},
        "dual_lphm_fusion": {"dims": [2, 2], "n": 3, "p": 2, "q": 3, "r": 1, "m": 2, "batch": (2,)},
        "concatenation_fusion": {"dims": [2, 2], "n": 3, "m": 2, "batch": (2,)},
    }[name]
    inputs, G = _case(name, config, 0, np.float64)
    expected = FUNCTIONS[name].output_shape(config)
    wrong = G.reshape(-1)[None, :] if G.ndim == 2 else G[0]
    with pytest.raises(
        RefimplError, match=rf"{re.escape(str(expected))}.*got shape {re.escape(str(tuple(wrong.shape)))}"
    ):
        reference_vjp(name, config, inputs, wrong)
    with pytest.raises(RefimplError, match="cotangent"):
        reference_vjp(name, config, inputs, G.T)


def test_inputs_of_the_wrong_shape_are_refused() -> None:
    config = {"dims": [2, 2], "n": 3, "m": 2, "batch": ()}
    inputs, G = _case("concatenation_fusion", config, 0, np.float64)
    inputs["inputs"][1] = inputs["inputs"][1][:, :1]
    with pytest.raises(RefimplError, match=r"inputs must have shapes \[\(2, 2\), \(2, 2\)\]"):
        reference_vjp("concatenation_fusion", config, inputs, G)
    with pytest.raises(
        RefimplError, match=re.escape("w must have length 12 (l = N*n with N=4, n=3), got length 11")
    ):
        reference_vjp("concatenation_fusion", config, {"w": np.ones(11), "inputs": [np.ones((2, 2))] * 2}, G)
    with pytest.raises(TypeError, match="list of arrays"):
        reference_vjp("concatenation_fusion", config, {"w": np.ones(12)}, G)


def test_empty_rows_and_integer_inputs() -> None:
    # m = 0: no rows, so the gradient of w is zero and the inputs' gradients are empty.
    config = {"dims": [2, 4], "n": 3, "p": 2, "q": 3, "r": 1, "m": 0, "batch": (2,)}
    l = FUNCTIONS["dual_lphm_fusion"].l(config)
    grads = reference_vjp(
        "dual_lphm_fusion",
        config,
        {"w": np.arange(l), "inputs": [np.ones((2, 0, 2), dtype=np.int32), np.ones((2, 0, 4), dtype=bool)]},
        np.zeros((2, 0, 3), dtype=np.float32),
    )
    np.testing.assert_array_equal(grads["w"], np.zeros(l))
    assert grads["w"].dtype == np.float64
    assert [a.shape for a in grads["inputs"]] == [(2, 0, 2), (2, 0, 4)]
